"""`rehearse session ... --json`, run as a real process against our scripted server."""

from __future__ import annotations

import json
import os
import subprocess

from tests.conftest import PROJECT_DIR, rehearse_command


def run_rehearse(*args: str, env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, **(env_extra or {}))
    return subprocess.run([*rehearse_command(), *args], capture_output=True, text=True, env=env,
                          cwd=PROJECT_DIR, timeout=60)


def test_help_lists_the_commands():
    result = run_rehearse("--help")
    assert result.returncode == 0
    assert "session" in result.stdout and "app" in result.stdout
    assert "REHEARSE_BASE_URL" in result.stdout


def test_version_prints_the_installed_package_version():
    from importlib.metadata import version

    for flag in ("--version", "-V"):
        result = run_rehearse(flag)
        assert result.returncode == 0 and result.stdout.strip() == f"rehearse {version('rehearse')}"


def test_a_commands_usage_shows_its_own_options_and_the_settings_after_them():
    for command in (("history",), ("persona", "new"), ("session",)):
        usage = run_rehearse(*command, "--help").stdout
        first = usage.split("\n\n")[0]
        assert "--base-url" not in first and first.rstrip().endswith("[settings]"), command
        assert "settings (flags beat REHEARSE_* variables" in usage and "--base-url URL" in usage


def test_every_command_that_writes_a_file_takes_o_as_well_as_out():
    for command in (("persona", "new"), ("persona", "import"), ("persona", "export"), ("export",)):
        usage = run_rehearse(*command, "--help").stdout
        assert "-o PATH, --out PATH" in usage or "-o FILE, --out FILE" in usage, command


def test_a_headless_session_prints_one_json_document_and_saves_it(server, endpoint_env):
    server.chat.extend(["Yeah, but who would watch Mum?", "*rubs eyes* Yeah. Nobody asks that."])
    server.answers_for("client_form").append({
        "empathy": {"warmth": 3, "trust": 3, "respect": 4, "listening": 3, "understood": 3},
        "helpfulness": 3,
        "session": {"relationship": 8, "goals": 7, "approach": 7, "overall": 7},
        "comment": "The second thing you said got to me.",
        "low_score_quotes": [],
    })
    result = run_rehearse("session", "--persona", "dana-yes-but",
                          "--say", "Maybe try a day centre?", "--say", "Nobody asks how you are doing.", "--json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["persona_id"] == "dana-yes-but"
    assert [t["speaker"] for t in document["turns"]] == ["client", "trainee", "client", "trainee", "client"]
    assert document["turns"][2]["text"] == "Yeah, but who would watch Mum?"
    assert document["turns"][3]["text"] == "Nobody asks how you are doing."
    form = document["form"]
    assert form["empathy_total"] == 16 and form["grade"] == "D" and form["passed"] is False
    assert form["session_total"] == 29 and form["at_risk"] is True
    assert form["comment"] == "The second thing you said got to me."

    saved = endpoint_env / "transcripts" / f"{document['id']}.json"
    assert saved.is_file()
    assert "Nobody asks how you are doing." in saved.read_text()

    chat = server.chat_requests()
    assert len(chat) == 2 and all(request.streamed for request in chat)
    assert "Dana Whitfield" in chat[0].body["messages"][0]["content"]
    (rater,) = server.structured_requests("client_form")
    assert rater.body["response_format"]["type"] == "json_schema"
    assert "ashamed that she resents her mother" in rater.all_text


def test_plain_output_streams_the_transcript_and_the_scores(server, endpoint_env):
    server.chat.append("*shrugs*")
    result = run_rehearse("session", "--persona", "lena-silent", "--say", "You don't have to talk.")
    assert result.returncode == 0, result.stderr
    assert "You: You don't have to talk.\nLena Kovač: *shrugs*" in result.stdout
    assert "[main] Empathy 10/20, grade F (fail)" in result.stdout
    assert "Saved to" in result.stdout


def test_no_endpoint_and_no_local_model_is_one_clear_line_not_a_traceback(isolated_env):
    result = run_rehearse("session", "--persona", "dana-yes-but", "--say", "Hello")
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("rehearse: error: the local model is not installed")
    assert "run `rehearse model install`" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unknown_persona_names_the_known_ones(server, endpoint_env):
    result = run_rehearse("session", "--persona", "nobody", "--say", "Hello")
    assert result.returncode == 2
    assert "no persona with id 'nobody'" in result.stderr and "dana-yes-but" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unreachable_endpoint_is_one_clear_line(server, isolated_env):
    url = server.base_url
    server.stop()
    result = run_rehearse("session", "--persona", "dana-yes-but", "--say", "Hello", "--base-url", url,
                          "--client-model", "m", "--rater-model", "m")
    assert result.returncode == 1
    assert f"server not reachable: client model at {url}" in result.stderr
    assert "Traceback" not in result.stderr


def test_doctor_reports_each_role(server, endpoint_env):
    result = run_rehearse("doctor")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["role", "backend", "model", "endpoint", "answers", "structured", "first", "token",
                                "tokens/s"]
    for role, line, structured in zip(("client", "rater"), lines[1:3], (["not", "needed"], ["yes"])):
        cells = line.split()
        assert cells[:4] == [role, "endpoint", "scripted-model", server.base_url]
        assert cells[4:5 + len(structured)] == ["yes", *structured]
    (asked,) = server.structured_requests()  # the rater's: the client never needs JSON
    assert asked.body["response_format"]["type"] == "json_schema"
    assert lines[-1].startswith("rater judges lines by 'ask': Judged by asking the rater model")
    assert "has not been measured here" in lines[-1]


def test_doctor_json_shows_the_problem_and_fails(server, endpoint_env):
    server.structured.extend(["nope", "nope"])
    result = run_rehearse("doctor", "--json")
    assert result.returncode == 1
    client, rater = json.loads(result.stdout)
    assert client["answers"] is True and client["structured"] is None and client["problem"] == ""
    assert rater["structured"] is False
    assert "rater model gave an invalid doctor_check twice" in rater["problem"]
    assert "use a stronger rater model" in rater["problem"]
    assert client["first_token_s"] is not None
    assert rater["judge"] == "ask" and "eval rater --lines" in rater["trust"] and "judge" not in client


def test_prediction_branches_and_trajectory_in_the_json(server, endpoint_env):
    from tests.support.appraisals import script_appraisals
    from simulator.personas.loader import load_persona_file
    from simulator import paths

    persona = load_persona_file(paths.BUILTIN_PERSONAS_DIR / "dana-yes-but.yaml")
    script_appraisals(server, persona, understood=1)
    prediction = endpoint_env / "prediction.json"
    prediction.write_text(json.dumps({
        "empathy": {"warmth": 4, "trust": 4, "respect": 4, "listening": 4, "understood": 4},
        "helpfulness": 4, "session": {"relationship": 10, "goals": 10, "approach": 10, "overall": 10},
    }))
    result = run_rehearse("session", "--persona", "dana-yes-but", "--predict", str(prediction),
                          "--say", "Have you tried a day centre?", "--say", "",
                          "--retry-from", "1", "--say", "That sounds so lonely.", "--json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    main, retry = document["branches"]
    assert (main["id"], retry["forked_from"], retry["fork_turn"]) == ("main", "main", 1)
    assert [t["kind"] for t in main["turns"] if t["speaker"] == "trainee"] == ["speech", "silence"]
    assert [t["text"] for t in retry["turns"] if t["speaker"] == "trainee"] == ["That sounds so lonely."]
    assert document["active_branch"] == retry["id"] and document["turns"] == retry["turns"]
    assert len(main["trajectory"]) == 2 and len(retry["trajectory"]) == 1
    assert all(t["appraisal"]["understood"] <= 1 for t in main["turns"] if "appraisal" in t)
    assert main["form"] and retry["form"]
    assert main["prediction"]["helpfulness"] == 4
    calibration = document["calibration"]
    assert calibration["empathy_gap"] == 20 - retry["form"]["empathy_total"]
    assert 0 <= calibration["score"] < 100
    assert main["calibration"]["gaps"]["warmth"] == 4 - main["form"]["empathy"]["warmth"]


def test_a_bad_prediction_file_is_one_clear_line(server, endpoint_env):
    prediction = endpoint_env / "prediction.json"
    prediction.write_text('{"empathy": {"warmth": 7}}')
    result = run_rehearse("session", "--persona", "dana-yes-but", "--predict", str(prediction), "--say", "Hi")
    assert result.returncode == 2
    assert "--predict" in result.stderr and "empathy.warmth: must be a whole number from 0 to 4" in result.stderr
    assert "Traceback" not in result.stderr


def test_retrying_a_line_that_does_not_exist_is_refused(server, endpoint_env):
    result = run_rehearse("session", "--persona", "dana-yes-but", "--say", "Hi", "--retry-from", "3", "--say", "Hm")
    assert result.returncode == 2
    assert "--retry-from 3: there is no trainee turn 3; this branch has 1" in result.stderr


def test_each_headless_reply_plays_from_the_last_lines_appraisal(server, endpoint_env):
    from simulator import paths
    from simulator.personas.loader import load_persona_file
    from tests.support.appraisals import script_appraisals

    dana = load_persona_file(paths.BUILTIN_PERSONAS_DIR / "dana-yes-but.yaml")
    script_appraisals(server, dana, touches={"lonely and unseen": "accurately"}, understood=4)
    result = run_rehearse("session", "--persona", "dana-yes-but", "--say", "Nobody asks how you are, do they?",
                          "--say", "It sounds lonely.", "--json")
    assert result.returncode == 0, result.stderr
    trust_after_first = json.loads(result.stdout)["turns"][1]["state_after"]["trust"]
    second_reply = server.chat_requests()[-1]
    state_note = second_reply.body["messages"][-3]["content"]  # before the line; its cue follows it
    assert second_reply.body["messages"][-2]["content"] == "It sounds lonely."
    assert f"trust {round(trust_after_first)}/10" in state_note


def test_plain_output_says_which_lines_could_not_be_rated(server, endpoint_env):
    server.chat.append("Yeah, but she never picks up.")
    server.responders["skills_and_traps"] = lambda body: "no idea"  # not JSON, even when asked again
    result = run_rehearse("session", "--persona", "dana-yes-but", "--say", "Have you tried asking your sister?")
    assert result.returncode == 0, result.stderr
    assert "Your line 1 was not rated: rater model gave an invalid skills_and_traps twice" in result.stdout


def test_a_reply_cut_off_mid_stream_is_saved_and_the_lines_not_sent_are_named_for_resume(server, endpoint_env):
    from tests.support.scripted_server import Fault

    server.chat.extend(["Yeah, but who would watch Mum?", Fault(drop_after=2, text="Maybe. I could ask my sister")])
    result = run_rehearse("session", "--persona", "dana-yes-but", "--say", "Maybe try a day centre?",
                          "--say", "It sounds exhausting.", "--say", "What's the hardest part?", "--say", "Go on.")
    assert result.returncode == 1
    assert "Dana Whitfield: Maybe. I [cut off]" in result.stdout
    (error,) = result.stderr.splitlines()
    assert error.startswith("rehearse: error: the client's reply failed: ")
    assert "what the client said so far is saved, marked cut off" in error and "2 lines not sent" in error
    resume = error.split("carry on with `")[1].rstrip("`")
    session_id = resume.split()[2]
    assert resume == f"rehearse resume {session_id} --say \"What's the hardest part?\" --say 'Go on.'".replace(
        "\"What's the hardest part?\"", "'What'\"'\"'s the hardest part?'")

    from simulator.storage.sessions import SessionStore

    turns = SessionStore(endpoint_env / "transcripts").load(session_id).turns
    assert [t.text for t in turns[-2:]] == ["It sounds exhausting.", "Maybe. I"]
    assert turns[-1].complete is False
    assert turns[-2].appraisal is not None  # the line answered in part was rated before the run stopped

    server.chat.extend(["Everything.", "*shrugs* Fine."])
    carried_on = run_rehearse("resume", session_id, "--say", "What's the hardest part?", "--say", "Go on.")
    assert carried_on.returncode == 0, carried_on.stderr
    assert "Dana Whitfield: Maybe. I [cut off]" in carried_on.stdout
    assert "You: Go on.\nDana Whitfield: *shrugs* Fine." in carried_on.stdout
    assert "[main] Empathy" in carried_on.stdout


def test_an_empty_reply_is_written_again_and_twice_empty_is_an_error_not_a_silence(server, endpoint_env):
    server.chat.extend(["", "*rubs eyes* Fine."])
    result = run_rehearse("session", "--persona", "dana-yes-but", "--say", "How are you?")
    assert result.returncode == 0, result.stderr
    assert "(rewritten: the model sent an empty reply)\nDana Whitfield: *rubs eyes* Fine." in result.stdout

    server.chat.extend(["", ""])
    result = run_rehearse("session", "--persona", "dana-yes-but", "--say", "How are you?", "--json")
    assert result.returncode == 1 and result.stdout == ""
    assert "the client model sent an empty reply twice" in result.stderr
    assert "your line is saved and awaits its reply" in result.stderr


def test_the_app_without_a_terminal_says_so_instead_of_waiting(server, endpoint_env):
    from tests.support.scripted_server import Fault

    server.chat.append(Fault(drop_after=1, text="Well then"))
    unfinished = run_rehearse("session", "--persona", "dana-yes-but", "--say", "Hello.")
    session_id = unfinished.stderr.split("rehearse resume ")[1].split("`")[0].strip()

    def without_terminal(*command: str) -> subprocess.CompletedProcess:
        return subprocess.run([*rehearse_command(), *command], capture_output=True, text=True, cwd=PROJECT_DIR,
                              stdin=subprocess.DEVNULL, env=os.environ.copy(), timeout=30)

    resumed = without_terminal("resume", session_id)
    assert resumed.returncode == 2
    assert resumed.stderr == ("rehearse: error: rehearse resume: the app needs a terminal, and standard input or "
                              "output is not one — run it in a terminal, or carry on headless: "
                              f"rehearse resume {session_id} --say TEXT\n")
    plain = without_terminal()
    assert plain.returncode == 2 and plain.stderr.startswith("rehearse: error: rehearse: the app needs a terminal")


def test_delete_asks_first_refuses_without_a_terminal_and_removes_the_session(server, endpoint_env):
    from simulator.storage.sessions import SessionStore

    server.chat.append("Yeah, but who?")
    document = json.loads(run_rehearse("session", "--persona", "dana-yes-but", "--say", "Hi.", "--json").stdout)
    session_id = document["id"]
    store = SessionStore(endpoint_env / "transcripts")
    refused = subprocess.run([*rehearse_command(), "delete", session_id], capture_output=True, text=True,
                             stdin=subprocess.DEVNULL, cwd=PROJECT_DIR, env=os.environ.copy(), timeout=30)
    assert refused.returncode == 2 and "add --yes" in refused.stderr and store.exists(session_id)
    deleted = run_rehearse("delete", session_id[:20], "--yes")
    assert deleted.returncode == 0 and deleted.stdout.startswith("Deleted ")
    assert not store.exists(session_id)
    assert session_id not in run_rehearse("history").stdout
    assert run_rehearse("delete", session_id, "--yes").returncode == 2  # no such session: what was named is wrong


async def test_a_session_that_never_got_a_trainee_line_is_not_kept(server, context_for):
    context = context_for(server)
    silent = context.begin_session("dana-yes-but")
    spoken = context.begin_session("tom-silent")
    server.chat.append("Aye.")
    async for _ in spoken.say("Hello, Tom."):
        pass
    await context.aclose()
    assert not context.store.exists(silent.session.id)
    assert context.store.exists(spoken.session.id)


def test_bash_completion_is_generated_from_the_commands_and_completes_them(tmp_path):
    import shutil

    script = run_rehearse("completion", "bash")
    assert script.returncode == 0 and "complete -o bashdefault -F _shtab_rehearse rehearse" in script.stdout
    if shutil.which("bash") is None:
        return
    (tmp_path / "rehearse.bash").write_text(script.stdout)

    def complete(*words: str) -> list[str]:
        line = " ".join(("rehearse", *words))
        probe = (f'source {tmp_path / "rehearse.bash"}; COMP_WORDS=(rehearse {" ".join(words)}); '
                 f'COMP_CWORD={len(words)}; COMP_LINE="{line}"; COMP_POINT=${{#COMP_LINE}}; '
                 f'_shtab_rehearse rehearse {words[-1]} {words[-2] if len(words) > 1 else "rehearse"}; '
                 'printf "%s\\n" "${COMPREPLY[@]}"')
        return subprocess.run(["bash", "-c", probe], capture_output=True, text=True, timeout=30).stdout.split()

    assert complete("hist") == ["history"]
    assert complete("history", "--gr") == ["--grep"]
    assert "delete" in complete("de")
