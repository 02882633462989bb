"""Render the Jinja2 templates in prompts/ with StrictUndefined: a missing value is an error, not a blank."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Any

from simulator import paths
from simulator.errors import PromptError


class PromptRenderer:
    def __init__(self, folder: Path = paths.PROMPTS_DIR) -> None:
        self.folder = folder

    @cached_property
    def _environment(self):
        import jinja2

        return jinja2.Environment(
            loader=jinja2.FileSystemLoader(self.folder),
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=False,
            trim_blocks=True,
            lstrip_blocks=True,
            autoescape=False,
        )

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
