"""Write persona data as a readable YAML persona file (used by `persona import`)."""

from __future__ import annotations

from typing import Any

import yaml


class _PersonaDumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False):
        return super().increase_indent(flow, False)  # indent list items under their key


def _text(dumper: yaml.SafeDumper, value: str):
    style = "|" if "\n" in value else ">" if len(value) > 80 else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_PersonaDumper.add_representer(str, _text)


def persona_yaml(data: dict[str, Any], header: list[str] = ()) -> str:
    """YAML text for persona data, after `header` lines written as comments."""
    body = yaml.dump(data, Dumper=_PersonaDumper, sort_keys=False, allow_unicode=True, width=100)
    comments = "".join(f"# {line}".rstrip() + "\n" for line in header)
    return comments + body
