"""`persona new` writes a commented file that passes `persona check` as written, from flags, from
answers to its questions, or from defaults."""

from __future__ import annotations

import argparse
import subprocess

import pytest

from simulator.cli import main
from simulator.commands.persona import _answers
from simulator.domain import EXAMPLE_MOMENTS, Archetype
from simulator.personas.loader import load_persona_file
from simulator.personas.persona_file import check_persona_file
from tests.conftest import PROJECT_DIR, rehearse_command

FLAGS = ("id", "name", "age", "archetype", "difficulty", "situation")


def _no_flags(**given):
    return argparse.Namespace(**{flag: given.get(flag) for flag in FLAGS})


@pytest.mark.parametrize("archetype", [a.value for a in Archetype])
def test_the_skeleton_for_each_archetype_passes_check_without_warnings(isolated_env, archetype):
    out = isolated_env / f"sam-{archetype}.yaml"
    assert main(["persona", "new", "--name", "Sam Okoye", "--archetype", archetype, "--out", str(out)]) == 0
    check = check_persona_file(out)
    assert check.valid and check.problems == [], check.lines()
    persona = load_persona_file(out)
    assert persona.profile.archetype.value == archetype and persona.id == f"sam-{archetype}"
    assert [e.moment for e in persona.client.example_exchanges] == list(EXAMPLE_MOMENTS)
    assert "#" in out.read_text(encoding="utf-8")  # commented for the instructor
    assert main(["persona", "check", "--strict", str(out)]) == 0


def test_awkward_values_are_quoted_safely(isolated_env):
    out = isolated_env / "zoe.yaml"
    situation = 'She said: "no". # not a comment\n- not a list item'
    assert main(["persona", "new", "--id", "zoe", "--name", "Zoë 'Z' O\"Brien: #1", "--age", "19",
                 "--difficulty", "5", "--situation", situation, "--out", str(out)]) == 0
    persona = load_persona_file(out)
    assert persona.profile.name == "Zoë 'Z' O\"Brien: #1"
    assert persona.profile.situation == 'She said: "no". # not a comment - not a list item'
    assert (persona.profile.age, persona.profile.difficulty) == (19, 5)


def test_without_a_terminal_it_uses_defaults_and_writes_to_the_user_folder(isolated_env):
    result = subprocess.run([*rehearse_command(), "persona", "new"], capture_output=True, text=True,
                            stdin=subprocess.DEVNULL, cwd=PROJECT_DIR, timeout=60)
    assert result.returncode == 0, result.stderr
    written = isolated_env / "data" / "rehearse" / "personas" / "alex-yes-but.yaml"
    assert f"wrote {written}" in result.stdout
    assert check_persona_file(written).valid


def test_questions_fill_what_the_flags_leave_out(capsys):
    replies = iter(["Priya Shah", "abc", "29", "nope", "rigid", "Referred by her manager."])
    answers = _answers(_no_flags(difficulty=4), ask=lambda prompt: next(replies))
    assert (answers.name, answers.age, answers.archetype, answers.difficulty) == ("Priya Shah", 29, Archetype.RIGID, 4)
    assert answers.situation == "Referred by her manager." and answers.id == "priya-rigid"
    assert "not a whole number from 5 to 120" in capsys.readouterr().err


def test_end_of_input_while_asking_takes_the_defaults():
    def closed(prompt):
        raise EOFError

    answers = _answers(_no_flags(name="Kim"), ask=closed)
    assert (answers.name, answers.age, answers.archetype, answers.difficulty) == ("Kim", 35, Archetype.YES_BUT, 3)


def test_out_dash_prints_the_file(isolated_env, capsys):
    assert main(["persona", "new", "--name", "Ana", "-o", "-"]) == 0
    assert capsys.readouterr().out.startswith("# A Rehearse persona.")
    assert not (isolated_env / "data" / "rehearse" / "personas").exists()


def test_an_unsafe_id_is_refused(isolated_env, capsys):
    assert main(["persona", "new", "--id", "Bad Id", "--out", str(isolated_env / "x.yaml")]) == 2
    assert "id 'Bad Id' is not safe as a file name" in capsys.readouterr().err
    assert not (isolated_env / "x.yaml").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--age", "200"], "'200' is not a whole number from 5 to 120"), (["--archetype", "grumpy"], "invalid choice: 'grumpy'")],
)
def test_bad_flag_values_are_refused_by_the_parser(isolated_env, capsys, args, message):
    with pytest.raises(SystemExit):
        main(["persona", "new", *args, "--out", str(isolated_env / "x.yaml")])
    assert message in capsys.readouterr().err
    assert not (isolated_env / "x.yaml").exists()


def test_an_existing_file_is_not_replaced_without_force(isolated_env, capsys):
    out = isolated_env / "sam.yaml"
    out.write_text("mine", encoding="utf-8")
    assert main(["persona", "new", "--out", str(out)]) == 2
    assert "already exists" in capsys.readouterr().err and out.read_text(encoding="utf-8") == "mine"
    assert main(["persona", "new", "--out", str(out), "--force"]) == 0
