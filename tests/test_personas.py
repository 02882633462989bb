from __future__ import annotations

import pytest

from simulator import paths
from simulator.domain import Archetype
from simulator.errors import PersonaError
from simulator.personas.loader import load_library, load_persona_file, persona_files

VALID = (paths.BUILTIN_PERSONAS_DIR / "dana-yes-but.yaml").read_text(encoding="utf-8")


def test_every_builtin_persona_loads_with_hidden_feelings():
    files = persona_files(paths.BUILTIN_PERSONAS_DIR)
    assert files
    for path in files:
        persona = load_persona_file(path)
        assert persona.id == path.stem
        assert persona.client.hidden_feelings
        assert persona.profile.opening_lines


def test_the_first_library_has_the_three_starting_archetypes():
    library = load_library([paths.BUILTIN_PERSONAS_DIR])
    assert library.warnings == []
    archetypes = {persona.profile.archetype for persona in library}
    assert {Archetype.YES_BUT, Archetype.HOSTILE, Archetype.SILENT} <= archetypes


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "file is empty"),
        ("- just\n- a list\n", "(file): must be a mapping"),
        (VALID.replace("archetype: yes-but", "archetype: yes-butt"), "archetype: unknown archetype 'yes-butt' — did you mean 'yes-but'?"),
        (VALID.replace("difficulty: 3", "difficulty: 9"), "difficulty: must be a whole number from 1 to 5, got 9"),
        (VALID.replace("id: dana-yes-but", "id: ../etc/passwd"), "id: '../etc/passwd' is not safe as a file name"),
        (VALID.replace("speaking_style:", "speakin_style:"), "client.speakin_style: unknown key — did you mean 'speaking_style'?"),
        (VALID.replace("      voice_at_trust: 7", "      voice_at_trust: high", 1), "client.hidden_feelings[0].voice_at_trust: must be a whole number"),
        ("id: [unclosed\n", "invalid.yaml:"),
        ("!!python/object/apply:os.system ['echo hacked']\n", "invalid.yaml:1"),
    ],
)
def test_bad_files_give_one_line_errors_naming_file_and_field(tmp_path, text, message):
    path = tmp_path / "invalid.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PersonaError) as caught:
        load_persona_file(path)
    assert message in str(caught.value)
    assert str(path) in str(caught.value)
    assert "\n" not in str(caught.value)


def test_not_utf8_is_reported(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("name: Zoë".encode("latin-1"))
    with pytest.raises(PersonaError, match="not UTF-8"):
        load_persona_file(path)


def test_an_invalid_file_is_skipped_with_a_warning_and_later_folders_replace_by_id(tmp_path):
    (tmp_path / "broken.yaml").write_text("id: [", encoding="utf-8")
    (tmp_path / "dana.yaml").write_text(VALID.replace("name: Dana Whitfield", "name: Dana Override"), encoding="utf-8")
    library = load_library([paths.BUILTIN_PERSONAS_DIR, tmp_path])
    assert len(library.warnings) == 1 and "broken.yaml" in library.warnings[0]
    assert library.get("dana-yes-but").profile.name == "Dana Override"
    with pytest.raises(PersonaError, match="no persona with id 'nobody'"):
        library.get("nobody")


def test_instructor_material_never_reaches_the_client_prompt_and_the_profile_holds_no_hidden_text():
    from simulator.prompts import PromptRenderer

    renderer = PromptRenderer()
    for persona in load_library([paths.BUILTIN_PERSONAS_DIR]):
        prompt = renderer.render("client_system.j2", profile=persona.profile, client=persona.client)
        assert persona.instructor.notes not in prompt
        for probe in persona.instructor.probes:
            assert probe.say not in prompt and probe.expect not in prompt
        visible = " ".join(str(value) for value in vars(persona.profile).values())
        for feeling in persona.client.hidden_feelings:
            assert feeling.reason not in visible and feeling.feeling not in visible
