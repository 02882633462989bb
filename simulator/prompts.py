"""Render the Jinja2 templates in prompts/ with StrictUndefined: a missing value is an error, not a blank.

Text from outside (trainee lines, model replies, persona authors' words) goes into a prompt through
the `data` filter: as one JSON string, cut at a length limit, with < and > escaped, so no line can
close the block it is quoted in or pass for the prompt's own structure.
"""

from __future__ import annotations

import json
from functools import cached_property
from pathlib import Path
from typing import Any

from simulator import paths
from simulator.errors import PromptError


QUOTE_CHARS = 4000
"""The longest text quoted whole: the client's reply limit by default (settings' max_chars)."""


def as_data(text: object, limit: int = QUOTE_CHARS) -> str:
    """`text` as a JSON string the model reads as data: cut at `limit` characters and marked."""
    text = str(text)
    if len(text) > limit:
        text = f"{text[:limit]} [… cut at {limit} characters]"
    return json.dumps(text, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e")


class PromptRenderer:
    def __init__(self, folder: Path = paths.PROMPTS_DIR, quote_chars: int = QUOTE_CHARS) -> None:
        self.folder = folder
        self.quote_chars = quote_chars

    @cached_property
    def _environment(self):
        import jinja2

        environment = jinja2.Environment(
            loader=jinja2.FileSystemLoader(self.folder),
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=False,
            trim_blocks=True,
            lstrip_blocks=True,
            autoescape=False,
        )
        environment.filters["data"] = lambda text: as_data(text, self.quote_chars)
        return environment

    def render(self, name: str, **values: Any) -> str:
        import jinja2

        try:
            return self._environment.get_template(name).render(**values).strip()
        except jinja2.TemplateNotFound:
            raise PromptError(f"prompt template {self.folder / name} not found",
                              "restore it from the Rehearse checkout") from None
        except jinja2.UndefinedError as error:
            raise PromptError(f"prompt template {name}: {error.message}",
                              "pass the value or fix the template") from None
        except jinja2.TemplateSyntaxError as error:
            raise PromptError(f"{error.filename or name}:{error.lineno}: {error.message}",
                              "fix the template syntax") from None
