"""`persona list`: every persona with its source, user files replacing built-ins, bad files warned about."""

from __future__ import annotations

import json
import subprocess

from simulator import paths
from simulator.cli import main
from tests.conftest import PROJECT_DIR, rehearse_command

DANA = (paths.BUILTIN_PERSONAS_DIR / "dana-yes-but.yaml").read_text(encoding="utf-8")


def _list_json(capsys, *args):
    assert main(["persona", "list", "--json", *args]) == 0
    captured = capsys.readouterr()
    return {row["id"]: row for row in json.loads(captured.out)}, captured.err


def test_builtins_are_listed_with_their_source_and_file(isolated_env, capsys):
    rows, warnings = _list_json(capsys)
    assert warnings == ""
    assert len(rows) >= 12
    lena = rows["lena-silent"]
    assert lena == {"id": "lena-silent", "name": "Lena Kovač", "archetype": "silent", "difficulty": 4,
                    "source": "built-in", "file": str(paths.BUILTIN_PERSONAS_DIR / "lena-silent.yaml"), "replaces": []}


def test_user_and_extra_folders_replace_by_id_and_say_what_they_replace(isolated_env, capsys):
    user_dir = isolated_env / "data" / "rehearse" / "personas"
    user_dir.mkdir(parents=True)
    (user_dir / "dana-yes-but.yaml").write_text(DANA.replace("Dana Whitfield", "Dana Mine"), encoding="utf-8")
    extra = isolated_env / "extra"
    extra.mkdir()
    (extra / "dana-yes-but.yaml").write_text(DANA.replace("Dana Whitfield", "Dana Extra"), encoding="utf-8")
    (extra / "new-one.yaml").write_text(DANA.replace("id: dana-yes-but", "id: new-one"), encoding="utf-8")
    (extra / "broken.yaml").write_text("id: [", encoding="utf-8")
    rows, warnings = _list_json(capsys, "--personas", str(extra), "--personas", str(isolated_env / "missing"))
    dana = rows["dana-yes-but"]
    assert (dana["name"], dana["source"]) == ("Dana Extra", "--personas")
    assert [r["source"] for r in dana["replaces"]] == ["built-in", "user"]
    assert rows["new-one"]["source"] == "--personas" and rows["new-one"]["replaces"] == []
    lines = warnings.strip().splitlines()
    assert len(lines) == 2
    assert "broken.yaml:1: (file): invalid YAML" in lines[0]
    assert "missing: not found — check the --personas path" in lines[1]


def test_the_table_marks_a_user_persona_that_replaces_a_builtin(isolated_env):
    user_dir = isolated_env / "data" / "rehearse" / "personas"
    user_dir.mkdir(parents=True)
    (user_dir / "dana-yes-but.yaml").write_text(DANA, encoding="utf-8")
    result = subprocess.run([*rehearse_command(), "persona", "list"], capture_output=True, text=True,
                            cwd=PROJECT_DIR, timeout=60)
    assert result.returncode == 0 and result.stderr == ""
    header, *rows = result.stdout.splitlines()
    assert header.split() == ["id", "name", "archetype", "difficulty", "source", "file"]
    dana = next(row for row in rows if row.startswith("dana-yes-but"))
    assert "user (replaces built-in)" in dana and str(user_dir / "dana-yes-but.yaml") in dana
    assert any(row.startswith("tom-silent") and "built-in" in row for row in rows)


def test_plain_persona_prints_its_actions_instead_of_opening_the_app(isolated_env, capsys):
    assert main(["persona"]) == 2
    assert "list" in capsys.readouterr().err
