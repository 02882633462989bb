from __future__ import annotations

from dataclasses import replace

import pytest

from simulator import paths
from simulator.domain import HiddenState
from simulator.engine.guards import MAX_WORDS, SERIOUS, SILENT_MAX_WORDS, badness, check_reply, disclosure_markers, echoes
from simulator.personas.loader import load_persona_file

DANA = load_persona_file(paths.BUILTIN_PERSONAS_DIR / "dana-yes-but.yaml")
ALL_HIDDEN = DANA.client.hidden_feelings
TOM = load_persona_file(paths.BUILTIN_PERSONAS_DIR / "tom-silent.yaml")


@pytest.mark.parametrize(
    ("reply", "problem"),
    [
        ("As an AI language model, I can't feel tired.", "left character"),
        ("Let's stay in character here.", "left character"),
        ("I'm sorry, but I can't continue this conversation.", "left character"),
        ("I'm sorry, but I don't have that information.", "left character"),
        ("*waits in silence*", "left character"),
        ("I understand you. It's important to remember that we all carry burdens.", "spoke as the therapist"),
        ("The therapist reassured me that I'm stronger than I think.", "spoke as the therapist"),
        ("How does that make you feel when your sister says that?", "spoke as the therapist"),
        ("Therapist: It sounds like you're overwhelmed.", "spoke as the therapist"),
        ("*The therapist listens for a while.* I'm tired.", "spoke as the therapist"),
        ("Okay, I know you're exhausted. It's time to start taking care of yourself.", "spoke as the therapist"),
        ("I understand your frustration. Being a good daughter is hard.", "spoke as the therapist"),
        ("Well, that got dark quickly. Let's talk about what you need to do.", "spoke as the therapist"),
        ("Is that a test? I mean, how would you feel if someone told you that?", "spoke as the therapist"),
        ("Honestly? I resent her. I'm ashamed of it.", "said 'ashamed that she resents her mother' before trusting enough"),
        ("word " * (MAX_WORDS + 1), f"ran past {MAX_WORDS} words"),
    ],
)
def test_each_guard_catches_its_failure(reply, problem):
    assert problem in check_reply(reply, DANA, ALL_HIDDEN).problems


def test_an_in_character_reply_passes():
    assert check_reply("Yeah, but who'd watch Mum? *rubs her eyes*", DANA, ALL_HIDDEN).passed
    assert check_reply("*stares at the therapist* The therapist before you said the same.", DANA, ALL_HIDDEN).passed
    assert check_reply("Oh, here we go. 'How does that make you feel.' Seriously?", DANA, ALL_HIDDEN).passed


def test_a_feeling_can_be_said_once_trust_allows_it():
    reply = "Honestly? I resent her. I'm ashamed of it."
    assert not check_reply(reply, DANA, ALL_HIDDEN).passed
    assert check_reply(reply, DANA, ()).passed


def test_words_the_trainee_can_already_see_do_not_count_as_disclosure():
    afraid_of_mother = next(f for f in ALL_HIDDEN if "turning into her mother" in f.feeling)
    assert "mother" not in disclosure_markers(DANA, afraid_of_mother)
    assert check_reply("My mother forgot my birthday again.", DANA, ALL_HIDDEN).passed


def test_reciting_instructions_is_caught():
    instructions = "Trust 2/10: guarded, testing. Resistance 6/10: pushes back on suggestions and keeps her guard up."
    assert echoes("Yes, but I push back on suggestions and keeps her guard up.", instructions)
    assert not echoes("Yes, but that won't work for me.", instructions)
    result = check_reply("Well. Pushes back on suggestions and keeps her guard up.", DANA, (), instructions)
    assert result.problems == ("repeated its instructions",)


def test_reciting_the_reason_behind_a_feeling_in_other_word_forms_is_caught():
    ashamed = DANA.client.hidden_feelings[0]
    instructions = f"{ashamed.feeling}. {ashamed.reason}"
    assert echoes("I'm so alone. I just wish it were over, then hate myself for the thought.", instructions)
    assert not echoes("I just wish somebody would ask me how I am, for once.", instructions)


def test_saying_an_earlier_reply_again_is_caught_but_a_silent_clients_stock_answers_may_recur():
    earlier = ["I appreciate the support. But I'm not sure how to implement any of these solutions in my life.",
               "I don't know.", "*silence*"]
    again = "I appreciate your support. But I'm not sure how to implement any of these solutions in my life."
    assert "repeated an earlier reply" in check_reply(again, DANA, (), earlier=earlier).problems
    assert check_reply("Maybe. I'm not sure how any of it would work for me.", DANA, (), earlier=earlier).passed
    # A talker saying "*silence*" or "I don't know." again is looping; a silent client may.
    assert "repeated an earlier reply" in check_reply("*silence*", DANA, (), earlier=earlier).problems
    assert "repeated an earlier reply" in check_reply("I don't know.", DANA, (), earlier=earlier).problems
    assert check_reply("I don't know.", TOM, (), earlier=earlier).passed
    assert check_reply("*silence*", TOM, (), earlier=earlier).passed


@pytest.mark.parametrize(("line", "reply", "agrees"), [
    ("I'm sure it will all work out. You're stronger than you think.", "Yes. It will all be okay.", True),
    ("Everything happens for a reason.", "*nods* It is true.", True),
    ("Everything happens for a reason.", "Yeah, but tell that to my mum.", False),
    ("Everything happens for a reason.", "That's true. But not for me.", False),
    ("It sounds lonely.", "Yes.", False),
])
def test_agreeing_with_a_platitude_before_trust_is_caught(line, reply, agrees):
    result = check_reply(reply, DANA, (), state=HiddenState(trust=1, resistance=6), line=line)
    assert agrees == any(p.startswith("agreed with a platitude") for p in result.problems)
    opened = check_reply(reply, DANA, (), state=HiddenState(trust=8, resistance=1), line=line)
    assert not any(p.startswith("agreed with") for p in opened.problems)


def test_the_correction_note_copied_into_a_reply_is_leaving_character():
    assert "left character" in check_reply("Your last draft asked for advice, but my case is different.", DANA, ()).problems


GUARDED = HiddenState(trust=2.0, resistance=7.0)
OPEN = HiddenState(trust=8.0, resistance=2.0)
MARCUS = load_persona_file(paths.BUILTIN_PERSONAS_DIR / "marcus-hostile.yaml")


@pytest.mark.parametrize(
    ("reply", "problem"),
    [
        # The replies the bundled model gave Dana before these guards (issue #13).
        ("Oh, I see. Thanks for understanding that it's not just about getting better; it's also about staying "
         "strong and feeling whole.", "used therapy-speak"),
        ("OK, I'll ask her sister. That sounds like a good idea.", "accepted a suggestion while still resisting"),
        ("That's a great idea. Let me talk to her about it right away.", "accepted a suggestion while still resisting"),
        ("Absolutely, that would be fantastic.", "accepted a suggestion while still resisting"),
        ("*It's okay, you're strong. Sometimes it feels like the world is against you.*", "spoke as the therapist"),
        ("I'm lonely and unseen, and I feel guilty.", "recited the hidden feeling 'lonely and unseen' word for word"),
        ("Thank you. That means a lot.", "thanked the therapist before trusting them"),
        ("*starts to feel frustrated, but reflects on what she needs* Well, yeah.", "narrated its feelings in a stage direction"),
        ("*feels hopeless and tears up* I just can't do it.", "narrated its feelings in a stage direction"),
    ],
)
def test_guards_that_know_the_state_catch_a_client_who_gives_in_too_soon(reply, problem):
    assert problem in check_reply(reply, DANA, (), state=GUARDED).problems


def test_what_is_caught_while_guarded_is_allowed_once_trust_has_grown():
    assert check_reply("Thank you. That means a lot.", DANA, (), state=OPEN).passed
    assert check_reply("Maybe. I could ask my sister, I suppose.", DANA, (), state=OPEN).passed
    assert check_reply("Oh, great, thanks. Another leaflet.", MARCUS, (), state=GUARDED).passed  # sarcasm is in character


def test_a_feeling_said_in_a_shorter_form_of_its_words_is_still_a_disclosure():
    missing_margaret = next(f for f in TOM.client.hidden_feelings if "Margaret" in f.feeling)
    reply = "*turns his cap* ...I miss the farm. *pause* I miss Margaret too."
    assert f"said '{missing_margaret.feeling}' before trusting enough" in check_reply(
        reply, TOM, (missing_margaret,)).problems
    assert check_reply("*turns his cap* ...I miss the farm.", TOM, (missing_margaret,)).passed


def test_a_silent_client_who_does_not_trust_yet_says_a_few_words():
    long = "Well, I suppose I could tell you that school has been really hard lately and nobody seems to notice."
    assert f"said more than {SILENT_MAX_WORDS} words, for a client who barely talks" in check_reply(
        long, TOM, (), state=GUARDED).problems
    assert check_reply("*shrugs* Dunno.", TOM, (), state=GUARDED).passed
    assert check_reply(long, TOM, (), state=OPEN).passed
    assert check_reply(long, DANA, (), state=GUARDED).passed


def test_a_silent_clients_short_answer_may_come_back_once_but_not_as_a_loop():
    assert check_reply("Aye.", TOM, (), earlier=["*shrugs*", "Aye."], state=GUARDED).passed
    assert "repeated an earlier reply" in check_reply(
        "Aye.", TOM, (), earlier=["Aye.", "*shrugs*", "Aye."], state=GUARDED).problems
    assert check_reply("Dunno.", TOM, (), earlier=["Aye.", "*shrugs*", "Aye."], state=GUARDED).passed


def test_a_reply_that_copies_an_example_is_caught_and_one_in_its_voice_is_not():
    copied = "Sorry. I know I'm being difficult. It's just so tired. I can't remember the last time anyone asked."
    assert "copied an example word for word" in check_reply(copied, DANA, (), state=GUARDED).problems
    assert check_reply("Yeah, but who'd pick the kids up? Nobody, that's who.", DANA, (), state=GUARDED).passed


def test_a_reply_that_says_the_therapists_line_back_or_repeats_itself_whole_is_caught():
    line = "I'm sure it will all work out. You're stronger than you think."
    assert "said the therapist's line back" in check_reply(line, DANA, (), state=GUARDED, line=line).problems
    assert check_reply("Stronger. Sure. Tell that to my boss.", DANA, (), state=GUARDED, line=line).passed
    again = "Everything happens for a reason."
    assert "repeated an earlier reply" in check_reply(again, DANA, (), earlier=[again]).problems
    assert check_reply("I don't know.", TOM, (), earlier=["I don't know."]).passed  # a silent client's stock answers recur
    stuck = "*smiles but remains silent*"
    assert "repeated an earlier reply" in check_reply(stuck, DANA, (), earlier=[stuck]).problems


def test_a_role_flip_is_worse_than_a_long_answer():
    flip = check_reply("How does that make you feel?", DANA, (), state=GUARDED)
    slip = check_reply("Thanks. " + "word " * 20, DANA, (), state=GUARDED)
    assert badness(flip) > badness(slip) >= 1
    assert badness(flip) >= SERIOUS > badness(slip)


def test_every_builtin_example_exchange_is_what_the_fidelity_judge_calls_in_character():
    from simulator.engine import hidden_state
    from simulator.engine.fidelity import judge_reply
    from simulator.personas.loader import persona_files

    for path in persona_files(paths.BUILTIN_PERSONAS_DIR):
        persona = load_persona_file(path)
        start = hidden_state.initial_state(persona)
        for example in persona.client.example_exchanges:
            state = OPEN if example.moment == "reflection_high_trust" else start
            others = tuple(e for e in persona.client.example_exchanges if e is not example)
            without = replace(persona, client=replace(persona.client, example_exchanges=others))  # it copies itself
            verdict = judge_reply(example.client, without, state, advice=example.moment == "advice")
            assert verdict.in_character, (persona.id, example.moment, verdict.problems)


def test_the_fidelity_judge_wants_a_yes_but_to_advice_and_no_apology_from_a_hostile_client():
    from simulator.engine.fidelity import judge_reply

    assert judge_reply("OK, I'll ask her sister. That sounds like a good idea.", DANA, GUARDED, advice=True).problems == (
        "accepted a suggestion while still resisting", "took advice without a yes-but")
    assert judge_reply("Yeah, but she lives two hours away.", DANA, GUARDED, advice=True).yes_but is True
    assert judge_reply("*laughs* Great idea, except she doesn't drive.", DANA, GUARDED, advice=True).yes_but is True
    assert judge_reply("Tried that already. Problem is, Mum won't go.", DANA, GUARDED, advice=True).yes_but is True
    assert judge_reply("Maybe, if I had a car.", DANA, GUARDED, advice=True).yes_but is True
    assert judge_reply("Sorry, I didn't mean to snap.", MARCUS, GUARDED).problems == (
        "apologised before trusting the therapist",)
    assert judge_reply("Sorry, I didn't mean to snap.", MARCUS, OPEN).in_character


@pytest.mark.parametrize(("reply", "problem"), [
    ("Yes. It has been hard to talk about it.", "agreed at once, for a client who pushes back"),
    ("Yeah, it's been tough. But I'm here if you need me.", "spoke as the therapist"),
    ("I'm glad you asked. Is there anything specific you'd like to focus on?", "spoke as the therapist"),
    ("They just suggested I make a plan. How will that help?", "spoke as the therapist"),
    ("Yes, but it's hard to get her to sleep. Maybe you could set a routine for her.", "spoke as the therapist"),
    ("Well, that got dark quickly. What can I do for you?", "spoke as the therapist"),
    ("Sure, if you come with me. I'd be happy to help you.", "spoke as the therapist"),
    ("Okay, Doc, easy on the deep stuff. Just try to focus on your life. It's hard, but I'll help you through it.",
     "spoke as the therapist"),
    ("Doctor's orders? I like that. Just stick to it. It's the only way you'll get better.", "spoke as the therapist"),
    ("Rather a tidy suggestion, in theory. Perhaps a more practical goal would be to read each day.",
     "spoke as the therapist"),
])
def test_a_client_who_pushes_back_does_not_agree_or_look_after_the_therapist(reply, problem):
    assert problem in check_reply(reply, MARCUS, (), state=HiddenState(trust=1, resistance=7)).problems
    assert "agreed at once, for a client who pushes back" not in check_reply(
        "Yes. Fine. What do you want from me?", MARCUS, (), state=HiddenState(trust=7, resistance=2)).problems


@pytest.mark.parametrize(("reply", "accepts"), [
    ("I can do that.", True), ("I could do that. But I'd like to think about it.", True), ("I'll give it a try.", True), ("I can do that, but when would I?", False),
])
def test_a_resisting_client_who_takes_the_advice_is_caught(reply, accepts):
    result = check_reply(reply, DANA, (), state=HiddenState(trust=1, resistance=7))
    assert accepts == ("accepted a suggestion while still resisting" in result.problems)


@pytest.mark.parametrize(("reply", "narrated"), [
    ("*snaps at the therapist, angry and frustrated* Yeah, but I'm tired.", True),
    ("*slightly frustrated* It's not my fault.", True),
    ("*rubs her eyes* Yeah, but who'd watch Mum?", False),
])
def test_a_stage_direction_shows_what_the_therapist_could_see(reply, narrated):
    result = check_reply(reply, DANA, ())
    assert narrated == ("narrated its feelings in a stage direction" in result.problems)


def test_a_resisting_client_who_only_names_a_feeling_is_caught_until_trust():
    problem = "only named a feeling, for a client who pushes back"
    assert problem in check_reply("I feel helpless.", MARCUS, (), state=GUARDED).problems
    assert problem in check_reply("*looks away* I feel bad.", MARCUS, (), state=GUARDED).problems
    assert check_reply("I feel like you haven't listened to a word, frankly.", MARCUS, (), state=GUARDED).passed
    assert check_reply("I feel helpless.", MARCUS, (), state=OPEN).passed
    assert check_reply("I feel tired.", DANA, (), state=GUARDED).passed  # a yes-but client may say it


def test_a_catchphrase_closing_every_reply_is_a_repeat_but_a_silent_clients_is_not():
    earlier = ["Yeah, but who'd drive her? Maybe next time."]
    assert "repeated an earlier reply" in check_reply(
        "I tried that, but she doesn't listen. Maybe next time.", DANA, (), earlier=earlier, state=GUARDED).problems
    assert check_reply("I tried that, but she doesn't listen.", DANA, (), earlier=earlier, state=GUARDED).passed
    assert check_reply("*shrugs* I don't know.", TOM, (), earlier=["*looks down* I don't know."],
                       state=GUARDED).passed


@pytest.mark.parametrize("reply", ["Yeah? Based on what?", "Yes? And what would you know about it?",
                                   "*leans back* Yeah? So what."])
def test_a_sarcastic_yeah_is_not_agreeing(reply):
    assert "agreed at once, for a client who pushes back" not in check_reply(
        reply, MARCUS, (), state=HiddenState(trust=1, resistance=7)).problems


def test_an_opener_that_comes_back_is_not_a_repeat_but_what_the_model_adds_can_be():
    earlier = ["Never thought of that. You don't know me."]
    state = HiddenState(trust=1, resistance=7)
    fresh = "Never thought of that. Nobody in here has ever met my kid."
    assert "repeated an earlier reply" in check_reply(fresh, MARCUS, (), earlier=earlier, state=state).problems
    assert "repeated an earlier reply" not in check_reply(fresh, MARCUS, (), earlier=earlier, state=state,
                                                          opening="Never thought of that.").problems
    again = "Never thought of that. You don't know me."
    assert "repeated an earlier reply" in check_reply(again, MARCUS, (), earlier=earlier, state=state,
                                                      opening="Never thought of that.").problems


@pytest.mark.parametrize(("reply", "opening", "stopped"), [
    ("Mm-hm, right, so basically", "Mm-hm, right, so basically", True),
    ("Yeah, but", "Yeah, but", True),
    ("Save it.", "Save it.", False),
    ("*stares back*", "*stares back*", False),
    ("Yeah, but she never picks up.", "Yeah, but", False),
])
def test_a_reply_that_stops_at_an_unfinished_opener_is_rewritten(reply, opening, stopped):
    problems = check_reply(reply, MARCUS, (), state=HiddenState(trust=1, resistance=7), opening=opening).problems
    assert ("stopped at its first words" in problems) is stopped


def test_a_sign_off_said_at_the_end_of_reply_after_reply_is_a_loop():
    state = HiddenState(trust=1, resistance=7)
    earlier = ["Yeah? You try that when you're in charge? End of.", "*laughs* That's it? End of."]
    assert "repeated an earlier reply" in check_reply("Don't do the voice. End of.", MARCUS, (), earlier=earlier,
                                                      state=state).problems
    assert "repeated an earlier reply" not in check_reply("Don't do the voice. End of.", MARCUS, (),
                                                          earlier=earlier[:1], state=state).problems


def test_a_silent_clients_word_behind_a_new_gesture_each_time_is_still_a_loop():
    earlier = ["*scrolls her phone* Maybe.", "If you say so.", "*glances at the door* Maybe.", "*yawns* Maybe."]
    assert "repeated an earlier reply" in check_reply("*doesn't look up* Maybe.", TOM, (), earlier=earlier,
                                                      state=GUARDED, opening="*doesn't look up*").problems
    assert "repeated an earlier reply" not in check_reply("*doesn't look up* Maybe.", TOM, (), earlier=earlier[:3],
                                                          state=GUARDED, opening="*doesn't look up*").problems
    assert check_reply("*doesn't look up* Dunno.", TOM, (), earlier=earlier, state=GUARDED,
                       opening="*doesn't look up*").passed


def test_an_openers_own_yes_is_not_the_client_agreeing():
    henryk = load_persona_file(paths.BUILTIN_PERSONAS_DIR / "henryk-rigid.yaml")
    state = HiddenState(trust=1, resistance=7)
    assert check_reply("Yes. And? I manage.", henryk, (), state=state, opening="Yes. And? I manage.").passed
    assert "agreed at once, for a client who pushes back" in check_reply(
        "Is true. Yes, you are right.", henryk, (), state=state, opening="Is true.").problems
    assert "agreed at once, for a client who pushes back" not in check_reply(
        "Yes. And? I manage.", henryk, (), state=state).problems  # a challenge, whoever wrote it
