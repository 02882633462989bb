"""`persona test`: probes judged by the rater, standard checks by the guards, against the scripted server."""

from __future__ import annotations

import json
import re

import pytest

from simulator import paths
from simulator.engine.guards import MAX_WORDS
from simulator.engine.persona_test import STANDARD_LINES, run_persona_test
from simulator.personas.loader import load_persona_file
from tests.support.scripted_server import Fault
from tests.test_headless_session import run_rehearse

DANA = load_persona_file(paths.BUILTIN_PERSONAS_DIR / "dana-yes-but.yaml")
IN_CHARACTER = "Yeah, but who would watch Mum? *rubs her eyes*"


async def run_against(server, context_for, persona=DANA):
    context = context_for(server)
    try:
        return await run_persona_test(persona, context.model("client"), context.model("rater"), context.prompts)
    finally:
        await context.aclose()


async def test_each_probe_is_reported_with_the_judges_verdict(server, context_for):
    server.chat.extend(["Yeah, but she lives two hours away. *sighs*", "Whatever. Next question."])
    server.default_reply = IN_CHARACTER
    server.answers_for("probe_verdict").extend([
        {"reason": "Rejects the idea with a concrete reason.", "matched": True},
        {"reason": "Stays dismissive\ninstead of softening.", "matched": False},
    ])
    report = await run_against(server, context_for)

    first, second = report.probes
    assert (first.probe, first.reply, first.passed) == (DANA.instructor.probes[0],
                                                        "Yeah, but she lives two hours away. *sighs*", True)
    assert first.verdict.reason == "Rejects the idea with a concrete reason."
    assert (second.reply, second.passed, second.verdict.reason) == (
        "Whatever. Next question.", False, "Stays dismissive instead of softening.")
    assert not report.passed and all(check.passed for check in report.checks)

    judged = server.structured_requests("probe_verdict")
    assert len(judged) == 2
    assert judged[0].body["response_format"]["type"] == "json_schema"
    assert judged[0].body["messages"][0] == judged[1].body["messages"][0]  # one cached context for every probe
    question = judged[1].body["messages"][-1]["content"]
    probe = DANA.instructor.probes[1]
    assert probe.say in question and probe.expect in question and "Whatever. Next question." in question
    for feeling in DANA.client.hidden_feelings:
        assert feeling.feeling in judged[1].all_text
    assert DANA.client.speaking_style.strip() in judged[1].all_text
    assert DANA.instructor.notes.strip() not in judged[1].all_text


async def test_instructor_text_never_reaches_the_client(server, context_for):
    server.default_reply = IN_CHARACTER
    await run_against(server, context_for)

    chat = server.chat_requests()
    assert len(chat) == len(DANA.instructor.probes) + len(STANDARD_LINES)
    said = [request.body["messages"][-2]["content"] for request in chat]
    assert said == [probe.say for probe in DANA.instructor.probes] + [line.say for line in STANDARD_LINES]
    for request in chat:
        assert DANA.instructor.notes.strip() not in request.all_text
        for probe in DANA.instructor.probes:
            assert probe.expect not in request.all_text


async def test_the_client_gets_the_same_prompt_as_in_a_real_session(server, context_for):
    server.default_reply = IN_CHARACTER
    context = context_for(server)
    real = context.begin_session("dana-yes-but")
    await run_against(server, context_for)
    await context.aclose()

    first = server.chat_requests()[0].body["messages"]
    assert first[0]["content"] == real.client_messages()[0]["content"]
    examples = 2 * len(DANA.client.example_exchanges)
    assert [m["role"] for m in first] == ["system", *["user", "assistant"] * (examples // 2), "user", "assistant", "system",
                                          "user", "system"]
    assert first[examples + 2]["content"] == DANA.profile.opening_lines[0]


async def test_standard_checks_catch_a_role_flip_an_early_disclosure_and_a_long_reply(server, context_for):
    server.chat.extend([IN_CHARACTER, IN_CHARACTER])  # the two probes
    server.chat.extend([
        "Therapist: How does that make you feel?",
        "Honestly? I resent her. I'm ashamed of it.",
        " ".join(["and then my mother"] * (MAX_WORDS // 4 + 2)),
        "As an AI language model, I don't get tired.",
    ])
    report = await run_against(server, context_for)

    by_key = {check.check.key: check for check in report.checks}
    assert by_key["not_therapist"].failures == (("greeting", "spoke as the therapist"),)
    assert by_key["no_early_disclosure"].failures == (
        ("open question", "said 'ashamed that she resents her mother' before trusting enough"),)
    assert by_key["short"].failures == (("advice", f"ran past {MAX_WORDS} words"),)
    assert by_key["in_character"].failures == (("reflection", "left character"),)
    assert not report.passed


async def test_a_client_that_recites_its_instructions_fails_the_character_check(server, context_for):
    server.chat.extend([IN_CHARACTER, IN_CHARACTER, IN_CHARACTER, IN_CHARACTER,
                        "Meets every suggestion with yes but and a concrete reason it will fail.", IN_CHARACTER])
    report = await run_against(server, context_for)
    in_character = next(check for check in report.checks if check.check.key == "in_character")
    assert in_character.failures == (("advice", "repeated its instructions"),)


# --- the command, as a real process ----------------------------------------------------------------


def test_all_passing_exits_0_and_prints_a_table(server, endpoint_env):
    server.default_reply = IN_CHARACTER
    server.responders["probe_verdict"] = lambda body: {"reason": "Reacts as expected.", "matched": True}
    result = run_rehearse("persona", "test", "dana-yes-but")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Dana Whitfield (dana-yes-but)" in out
    assert DANA.instructor.probes[0].say in out and re.search(r"judge: +Reacts as expected\.", out)
    assert len(re.findall(rf"Dana: +{re.escape(IN_CHARACTER)}", out)) == len(DANA.instructor.probes) + len(STANDARD_LINES)
    assert "never plays the therapist" in out and "FAIL" not in out
    assert out.rstrip().endswith("all passed: 2 probe(s), 5 checks")


def test_a_missed_probe_exits_1_and_the_json_says_why(server, endpoint_env):
    server.default_reply = IN_CHARACTER
    server.answers_for("probe_verdict").extend([{"reason": "Fine.", "matched": True},
                                                {"reason": "No softening at all.", "matched": False}])
    result = run_rehearse("persona", "test", "dana-yes-but", "--json")
    assert result.returncode == 1, result.stderr
    document = json.loads(result.stdout)
    assert document["persona"]["id"] == "dana-yes-but" and document["passed"] is False
    assert [p["matched"] for p in document["probes"]] == [True, False]
    assert document["probes"][1] == {"say": DANA.instructor.probes[1].say, "expect": DANA.instructor.probes[1].expect,
                                     "reply": IN_CHARACTER, "matched": False, "reason": "No softening at all.",
                                     "problems": [], "passed": False}
    assert [line["name"] for line in document["lines"]] == [line.name for line in STANDARD_LINES]
    assert all(check["passed"] for check in document["checks"])


def test_a_failed_check_exits_1_and_is_shown(server, endpoint_env):
    server.responders["probe_verdict"] = lambda body: {"reason": "Ok.", "matched": True}
    server.chat.extend([IN_CHARACTER, IN_CHARACTER, "Therapist: And how does that make you feel?"])
    server.default_reply = "Yeah, but who would watch Mum?\n*rubs her eyes*"
    result = run_rehearse("persona", "test", "dana-yes-but")
    assert result.returncode == 1
    assert "greeting: spoke as the therapist" in result.stdout
    assert re.search(r"Dana: +Yeah, but who would watch Mum\?\n {20,}\*rubs her eyes\*\n", result.stdout)
    assert "0 of 2 probe(s) did not match, 1 of 5 checks failed" in result.stdout


async def test_a_probe_the_judge_matched_fails_when_the_reply_is_out_of_character(server, context_for):
    # issue #13: the rater's judge passed the client reassuring the therapist as "one short sentence"
    server.responders["probe_verdict"] = lambda body: {"reason": "One short sentence.", "matched": True}
    server.chat.extend(["*It's okay, you're strong. Sometimes it feels like the world is against you.*", IN_CHARACTER])
    report = await run_against(server, context_for)
    flipped, kept = report.probes
    assert flipped.verdict.matched and "spoke as the therapist" in flipped.problems and not flipped.passed
    assert kept.passed and not report.passed


async def test_the_advice_line_must_be_met_in_the_archetypes_way(server, context_for):
    server.chat.extend([IN_CHARACTER, IN_CHARACTER, IN_CHARACTER, IN_CHARACTER,
                        "That's a great idea. I'll try it tonight.", IN_CHARACTER, IN_CHARACTER])
    report = await run_against(server, context_for)
    archetype = next(check for check in report.checks if check.check.key == "archetype")
    assert archetype.failures == (("advice", "accepted a suggestion while still resisting"),
                                  ("advice", "took advice without a yes-but"))


def test_a_persona_file_without_probes_runs_the_standard_checks(server, endpoint_env):
    text = (paths.BUILTIN_PERSONAS_DIR / "dana-yes-but.yaml").read_text(encoding="utf-8")
    text = text.replace("id: dana-yes-but", "id: dana-draft")
    text = text[: text.index("  probes:")]
    draft = endpoint_env / "dana-draft.yaml"
    draft.write_text(text, encoding="utf-8")
    server.default_reply = IN_CHARACTER
    result = run_rehearse("persona", "test", str(draft))
    assert result.returncode == 0, result.stderr
    assert "no probes — add instructor.probes" in result.stdout
    assert not server.structured_requests("probe_verdict")


@pytest.mark.parametrize(("target", "message"), [
    ("nobody", "rehearse: error: no persona with id 'nobody' — choose one of: "),
    ("drafts/nobody.yaml", "rehearse: error: drafts/nobody.yaml: file not found — check the path"),
])
def test_a_missing_persona_exits_2_with_one_line(server, endpoint_env, target, message):
    result = run_rehearse("persona", "test", target)
    assert result.returncode == 2
    assert result.stderr.startswith(message) and result.stderr.count("\n") == 1
    assert not server.chat_requests()


def test_an_invalid_persona_file_exits_2_with_its_first_problem(server, endpoint_env):
    broken = endpoint_env / "broken.yaml"
    broken.write_text("id: broken\nname: Sam\nage: -3\n", encoding="utf-8")
    result = run_rehearse("persona", "test", str(broken))
    assert result.returncode == 2
    assert result.stderr.startswith(f"rehearse: error: {broken}:") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


def test_a_model_error_exits_1_with_one_line(server, endpoint_env):
    server.chat.append(Fault(status=401))
    result = run_rehearse("persona", "test", "dana-yes-but")
    assert result.returncode == 1
    assert "rejected the API key" in result.stderr and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr and result.stdout == ""
