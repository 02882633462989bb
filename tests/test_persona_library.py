"""The built-in library: every persona valid with no warnings, every archetype covered, and the
documented example valid too."""

from __future__ import annotations

import re

from simulator import paths
from simulator.domain import Archetype
from simulator.personas.check import check_paths
from simulator.personas.loader import load_library, persona_files
from simulator.personas.persona_file import check_persona_text

DOCS = paths.PROJECT_DIR / "docs" / "personas.md"


def test_every_builtin_persona_passes_check_without_warnings():
    report = check_paths([paths.BUILTIN_PERSONAS_DIR])
    assert report.lines() == []
    assert report.passed(strict=True)
    assert len(report.files) >= 12


def test_the_library_covers_every_archetype():
    library = load_library([paths.BUILTIN_PERSONAS_DIR])
    assert library.warnings == []
    assert {persona.profile.archetype for persona in library} == set(Archetype)


def test_each_builtin_is_complete_enough_to_play_and_probe():
    library = load_library([paths.BUILTIN_PERSONAS_DIR])
    assert len(library) == len(persona_files(paths.BUILTIN_PERSONAS_DIR))
    ages = set()
    for persona in library:
        client = persona.client
        assert len(client.hidden_feelings) >= 3, persona.id
        assert client.what_helps and client.what_backfires and client.speech_examples, persona.id
        assert persona.instructor.notes and len(persona.instructor.probes) >= 2, persona.id
        assert len({feeling.voice_at_trust for feeling in client.hidden_feelings}) > 1, persona.id
        ages.add(persona.profile.age // 10)
    assert len(ages) >= 5, "ages should span the decades"


def test_dana_stays_first_so_the_app_opens_on_her():
    assert persona_files(paths.BUILTIN_PERSONAS_DIR)[0].name == "dana-yes-but.yaml"


def test_the_documented_example_is_a_valid_persona():
    text = DOCS.read_text(encoding="utf-8")
    example = re.search(r"## A fully commented example\s+```yaml\n(.*?)```", text, re.S).group(1)
    check = check_persona_text(example, paths.BUILTIN_PERSONAS_DIR / "dana-yes-but.yaml")
    assert check.valid, check.lines()
    assert [problem for problem in check.problems if not problem.warning] == []
