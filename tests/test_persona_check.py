"""`persona check` on a corpus of broken files: each gives clean one-line problems with file:line,
never a traceback, and nothing in a file can run code."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time

import pytest

from simulator import paths
from simulator.cli import main
from simulator.personas.check import check_paths
from simulator.personas.persona_file import check_persona_file
from simulator.personas.yaml_reader import MAX_FILE_BYTES
from tests.conftest import PROJECT_DIR, rehearse_command

VALID = (paths.BUILTIN_PERSONAS_DIR / "dana-yes-but.yaml").read_text(encoding="utf-8")
def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


LINE = re.compile(r"^(?P<file>.+?):(?P<line>\d+): (warning: )?(?P<field>\S+): (?P<what>.+) — (?P<fix>.+)$")

BILLION_LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)
)

# (file content as bytes, text every reported line must together contain, line expected)
CORPUS = {
    "empty": (b"", "file is empty", 1),
    "only-comments": (b"# nothing here\n", "file is empty", 1),
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary", 3),
    "latin1": ("id: x\nname: Zoë\n".encode("latin-1"), "not UTF-8", 2),
    "a-list": (b"- just\n- a list\n", "(file): must be a mapping", 1),
    "a-string": (b"just some words\n", "(file): must be a mapping", 1),
    "tabs": (VALID.replace("  speaking_style:", "\tspeaking_style:").encode(), "indented with a tab", 17),
    "bad-syntax": (b"id: dana\nname: [unclosed\nage: 4\n", "invalid YAML", 3),
    "colon-in-text": (VALID.replace("    - Pointing out that she rejects every idea",
                                    "    - Pointing out: she rejects every idea").encode(),
                      "client.what_backfires[2]: must be text, not a mapping", line_of(VALID, "    - Pointing out that")),
    "alias-bomb": (BILLION_LAUGHS.encode(), "YAML alias *a is not allowed", 2),
    "python-tag": (b"!!python/object/apply:os.system ['echo hacked']\n", "YAML tag !!python/object/apply:os.system", 1),
    "python-tag-in-field": (VALID.replace("name: Dana Whitfield", "name: !!python/name:os.system ''").encode(),
                            "name: YAML tag !!python/name:os.system is not allowed", 3),
    "custom-tag": (VALID.replace("age: 44", "age: !secret 44").encode(), "age: YAML tag !secret", 4),
    "duplicate-key": (VALID.replace("age: 44", "age: 44\nage: 45").encode(), "age: appears twice (first on line 4)", 5),
    "unsafe-id": (VALID.replace("id: dana-yes-but", "id: ../../etc/passwd").encode(), "id: '../../etc/passwd' is not safe", 2),
    "id-with-space": (VALID.replace("id: dana-yes-but", "id: Dana Yes").encode(), "is not safe as a file name", 2),
    "unknown-key": (VALID.replace("speaking_style:", "speakin_style:").encode(), "did you mean 'speaking_style'?", 17),
    "key-in-wrong-section": (VALID.replace("id: dana-yes-but", "id: dana-yes-but\nnotes: hi").encode(),
                             "notes: unknown key — move it under 'instructor:'", 3),
    "age-as-text": (VALID.replace("age: 44", "age: forty").encode(), "age: must be a whole number from 5 to 120, got 'forty'", 4),
    "age-float": (VALID.replace("age: 44", "age: 44.5").encode(), "got 44.5", 4),
    "age-bool": (VALID.replace("age: 44", "age: yes").encode(), "got True", 4),
    "huge-number": (VALID.replace("age: 44", "age: " + "9" * 5000).encode(), "age: ", 4),
    "intensity-out-of-range": (VALID.replace("intensity: 5", "intensity: 9", 1).encode(),
                               "client.hidden_feelings[0].intensity: must be a whole number from 1 to 5, got 9",
                               line_of(VALID, "intensity: 5")),
    "voice-out-of-range": (VALID.replace("voice_at_trust: 7", "voice_at_trust: 11", 1).encode(),
                           "client.hidden_feelings[0].voice_at_trust: must be a whole number from 0 to 10",
                           line_of(VALID, "voice_at_trust: 7")),
    "no-opening-lines": (re.sub(r"opening_lines:\n(  - .*\n)+", "opening_lines: []\n", VALID).encode(),
                         "opening_lines: is missing or empty", line_of(VALID, "opening_lines:")),
    "feeling-not-a-mapping": (VALID.replace("    - feeling: lonely and unseen", "    - lonely and unseen\n    - feeling: lonely").encode(),
                              "client.hidden_feelings[1]: must be a mapping", line_of(VALID, "    - feeling: lonely")),
    "name-as-list": (VALID.replace("name: Dana Whitfield", "name: [Dana, Whitfield]").encode(), "name: must be text, not a list", 3),
    "client-as-text": (VALID.split("client:")[0].encode() + b"client: none\n", "client: must be a mapping", 16),
    "two-documents": (VALID.encode() + b"---\nid: other\n", "keep one persona per file", VALID.count("\n") + 1),
    "control-character": (VALID.replace("name: Dana Whitfield", "name: Dana\x07Whitfield").encode(), "control character", 3),
    "deep-nesting": (b"id: " + b"[" * 5000 + b"]" * 5000 + b"\n", "nest", 1),
    "todo-left": (VALID.replace("feeling: lonely and unseen", "feeling: 'TODO: a feeling'").encode(),
                  "client.hidden_feelings[1].feeling: is still a TODO placeholder", line_of(VALID, "    - feeling: lonely")),
    "opener-moment-misspelt": (VALID.replace('    advice: ["Yeah, but"', '    advise: ["Yeah, but"').encode(),
                               "client.openers.advise: unknown key — did you mean 'advice'?",
                               line_of(VALID, '    advice: ["Yeah, but"')),
    "opener-not-text": (re.sub(r'    advice: \[.*\]', "    advice: 3", VALID).encode(),
                        "client.openers.advice: must be a list of text lines, not a number",
                        line_of(VALID, '    advice: ["Yeah, but"')),
    "huge": (b"# " + b"x" * (MAX_FILE_BYTES + 10) + b"\n", "keep persona files under 256 KiB", 1),
}


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_each_broken_file_gives_clean_one_line_problems(tmp_path, name):
    content, expected, line = CORPUS[name]
    path = tmp_path / f"{name}.yaml"
    path.write_bytes(content)
    started = time.monotonic()
    check = check_persona_file(path)
    assert time.monotonic() - started < 2
    assert not check.valid
    lines = check.lines()
    assert lines
    for text in lines:
        match = LINE.match(text)
        assert match, text
        assert match["file"] == str(path) and "\n" not in text
    errors = [text for text in lines if ": warning: " not in text]
    matching = [text for text in errors if expected in text]
    assert matching, errors
    assert int(LINE.match(matching[0])["line"]) == line


def test_every_problem_of_a_file_is_reported_not_just_the_first(tmp_path):
    text = (VALID.replace("age: 44", "age: 400")
            .replace("difficulty: 3", "difficulty: hard")
            .replace("speaking_style:", "speakin_style:")
            .replace("voice_at_trust: 7", "voice_at_trust: -1", 1)
            .replace("archetype: yes-but", "archetype: yes-butt"))
    path = tmp_path / "dana-yes-but.yaml"
    path.write_text(text, encoding="utf-8")
    fields = [LINE.match(line)["field"] for line in check_persona_file(path).lines()]
    assert fields == ["age", "archetype", "difficulty", "client.speakin_style", "client.hidden_feelings[0].voice_at_trust"]


def test_few_hidden_feelings_and_probes_are_warnings_that_strict_turns_into_failures(tmp_path):
    text = VALID.split("    - feeling: lonely and unseen")[0] + "  what_helps:\n    - Listening\n"
    path = tmp_path / "dana-yes-but.yaml"
    path.write_text(text, encoding="utf-8")
    check = check_persona_file(path)
    assert check.valid
    # (cut with the feelings, her example exchanges and openers are missing too)
    assert {p.field for p in check.problems} == {"client.hidden_feelings", "instructor.probes", "client.example_exchanges",
                                                 "client.openers"}
    assert all(p.warning for p in check.problems)
    report = check_paths([path])
    assert report.passed() and not report.passed(strict=True)


def test_a_folder_with_two_files_of_one_id_warns_on_the_second(tmp_path):
    (tmp_path / "dana-yes-but.yaml").write_text(VALID, encoding="utf-8")
    (tmp_path / "dana-copy.yaml").write_text(VALID, encoding="utf-8")
    lines = check_paths([tmp_path]).lines()
    assert any("dana-yes-but.yaml:2: warning: id: 'dana-yes-but' is also the id of dana-copy.yaml" in line for line in lines)
    assert any("dana-copy.yaml:2: warning: id: 'dana-yes-but' differs from the file name" in line for line in lines)


def _run_check(*args, env=None, cwd=None):
    return subprocess.run([*rehearse_command(), "persona", "check", *args], capture_output=True, text=True,
                          env=env or dict(os.environ), cwd=cwd or PROJECT_DIR, timeout=60)


@pytest.mark.parametrize("name", ["empty", "binary", "latin1", "alias-bomb", "duplicate-key", "tabs", "unsafe-id"])
def test_the_real_command_reports_without_a_traceback(isolated_env, name):
    content, expected, line = CORPUS[name]
    path = isolated_env / f"{name}.yaml"
    path.write_bytes(content)
    result = _run_check(str(path))
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert f"{path}:{line}: " in result.stdout and expected in result.stdout
    assert "1 invalid" in result.stdout


def test_a_python_tag_runs_nothing(isolated_env):
    marker = isolated_env / "MARKER"
    payloads = [
        f"!!python/object/apply:os.system ['touch {marker}']\n",
        f"id: x\nname: !!python/object/apply:builtins.open ['{marker}', 'w']\n",
        f"id: x\nname: !!python/object/new:subprocess.Popen [['touch', '{marker}']]\n",
    ]
    for index, payload in enumerate(payloads):
        path = isolated_env / f"evil-{index}.yaml"
        path.write_text(payload, encoding="utf-8")
        result = _run_check(str(path))
        assert result.returncode == 1 and "is not allowed" in result.stdout, result.stdout
    assert not marker.exists()


def test_check_with_no_paths_checks_every_folder_and_fails_on_a_bad_user_file(isolated_env):
    user_dir = isolated_env / "data" / "rehearse" / "personas"
    user_dir.mkdir(parents=True)
    assert main(["persona", "check"]) == 0
    (user_dir / "broken.yaml").write_text("id: [", encoding="utf-8")
    result = _run_check()
    assert result.returncode == 1
    assert "broken.yaml:1: (file): invalid YAML" in result.stdout


def test_a_missing_path_is_reported(isolated_env, capsys):
    assert main(["persona", "check", str(isolated_env / "nope.yaml")]) == 1
    assert "nope.yaml: not found — check the path" in capsys.readouterr().out


def test_a_bad_file_in_the_library_is_skipped_with_a_one_line_warning(isolated_env, capsys):
    extra = isolated_env / "extra"
    extra.mkdir()
    (extra / "bomb.yaml").write_text(BILLION_LAUGHS, encoding="utf-8")
    assert main(["persona", "list", "--personas", str(extra)]) == 0
    captured = capsys.readouterr()
    warnings = captured.err.strip().splitlines()
    assert len(warnings) == 1 and "skipped" in warnings[0] and "bomb.yaml:1: " in warnings[0]
    assert "more: run `rehearse persona check" in warnings[0]
    assert "dana-yes-but" in captured.out


if sys.platform != "win32":
    def test_an_unreadable_file_is_reported(tmp_path):
        path = tmp_path / "locked.yaml"
        path.write_text(VALID, encoding="utf-8")
        path.chmod(0)
        try:
            if os.access(path, os.R_OK):
                pytest.skip("running as a user who can read anything")
            assert "cannot read the file" in check_persona_file(path).lines()[0]
        finally:
            path.chmod(0o600)


def test_an_opener_that_says_too_much_is_a_warning(tmp_path):
    long = "Yeah, but you have no idea how many times I have heard that one"
    path = tmp_path / "dana-yes-but.yaml"
    path.write_text(VALID.replace('    advice: ["Yeah, but"', f'    advice: ["{long}"'), encoding="utf-8")
    check = check_persona_file(path)
    assert check.valid
    [problem] = check.problems
    assert problem.warning and problem.field == "client.openers.advice[0]" and "runs to 14 words" in problem.what
