"""Imports flow one way (tui → engine/rating → llm, prompts, storage, personas → domain), and each
third-party boundary library is imported by exactly one package."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "simulator"

# For each part of the package, the parts it may import.
ALLOWED: dict[str, set[str]] = {
    "__init__": set(),
    "domain": set(),
    "errors": set(),
    "paths": set(),
    "terminal_text": set(),
    "settings": {"paths", "errors"},
    "serialization": {"domain"},
    "outcomes": {"domain"},
    "prompts": {"paths", "errors"},
    "personas": {"domain", "errors", "personas", "terminal_text"},
    "llm": {"llm", "errors", "settings", "domain", "paths"},
    "storage": {"storage", "domain", "errors", "serialization", "outcomes", "terminal_text"},
    "rating": {"rating", "domain", "errors", "llm", "prompts", "outcomes"},
    "engine": {"engine", "domain", "errors", "llm", "prompts", "storage", "rating", "personas"},
    "context": {"paths", "settings", "errors", "personas", "prompts", "storage", "llm", "engine"},
    "tui": {"tui", "context", "domain", "errors", "engine", "rating", "storage", "serialization", "settings", "outcomes",
            "terminal_text"},
    "cli": {"errors", "settings", "context", "commands", "terminal_text"},
    "commands": {"commands", "errors", "settings", "context", "domain", "serialization", "tui", "llm", "personas",
                 "storage", "engine", "rating", "paths", "terminal_text"},
    "__main__": {"cli"},
}

# Third-party libraries that only one part may import.
OWNERS = {"openai": "llm", "llama_cpp": "llm", "uvicorn": "llm", "tinydb": "storage", "textual": "tui", "textual_serve": "tui",
          "rich": "tui"}


def part_of(path: Path) -> str:
    relative = path.relative_to(PACKAGE)
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


def imported_modules(source: str, path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(path.relative_to(PACKAGE.parent).with_suffix("").parts[: -node.level])
                names.append(".".join(base + ([node.module] if node.module else [])))
            elif node.module:
                names.append(node.module)
    return names


def violations(path: Path, source: str) -> list[str]:
    part = part_of(path)
    found = []
    for module in imported_modules(source, path):
        top, _, rest = module.partition(".")
        if top == "simulator" and rest:
            target = rest.split(".")[0]
            if target not in ALLOWED.get(part, set()):
                found.append(f"{path.relative_to(PACKAGE.parent)}: {part} may not import simulator.{target}")
        owner = OWNERS.get(top)
        if owner and owner != part:
            found.append(f"{path.relative_to(PACKAGE.parent)}: only simulator/{owner}/ may import {top}")
    return found


def test_every_part_of_the_package_has_rules():
    parts = {part_of(path) for path in PACKAGE.rglob("*.py")}
    assert parts <= set(ALLOWED), f"classify these in ALLOWED: {sorted(parts - set(ALLOWED))}"


def test_no_module_imports_across_the_rules():
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        found.extend(violations(path, path.read_text(encoding="utf-8")))
    assert found == []


def test_the_checker_catches_a_crossing():
    storage_module = PACKAGE / "storage" / "example.py"
    assert violations(storage_module, "import textual\nfrom simulator.tui.app import RehearseApp\n") == [
        "simulator/storage/example.py: only simulator/tui/ may import textual",
        "simulator/storage/example.py: storage may not import simulator.tui",
    ]
    domain_module = PACKAGE / "domain.py"
    assert violations(domain_module, "from .llm.chat import ChatModel\n") == [
        "simulator/domain.py: domain may not import simulator.llm"
    ]
    assert violations(PACKAGE / "llm" / "chat.py", "import openai\nfrom . import structured\n") == []
