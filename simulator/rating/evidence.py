"""Word lists for traps, Five Secrets skills and EPITOME mechanisms: cues, never verdicts.

The learned heads take each list's hit as one feature among many (`line_features.cues`); on their
own the lists decide nothing (bench/README.md measures how little they manage alone). The 'ask'
judge still uses `epitome_grade` to grade the quote a rater model found for a mechanism.
"""

from __future__ import annotations

import re

# Stock phrases that make a mechanism only weakly present (EPITOME level 1).
GENERIC = {
    "emotional_reaction": None,  # weak unless long and specific: see epitome_grade
    "interpretation": re.compile(r"^\W*(\w+\W+){0,2}(i (totally |completely |can |could )?(understand|get (it|you)|"
                                 r"know (how|what) you|know (that|the) (pain|feeling)|know,? right)|i feel you|"
                                 r"same here|me too|i hear you|i (can )?(\w+ ){0,2}relate)\b[^.!?]{0,25}[.!?]*\W*$",
                                 re.IGNORECASE),
    # A stock opener, perhaps with a word of address ("What's up buddy?").
    "exploration": re.compile(r"^\W*(what happened|are you (ok|okay|alright)|how are you( doing| feeling)?|"
                              r"what'?s wrong|why|what'?s (up|going on|happening|on your mind)|"
                              r"(do you )?want to talk( about it)?|what'?s your situation)\W*(\w+\W*)?$", re.IGNORECASE),
}
STRONG_REACTION_WORDS = 12
"""A rater's copied emotional reaction this long is specific to the person."""
STRONG_REACTION = re.compile(
    r"\b((so|really|very|truly|incredibly|deeply|terribly) sorry|so sad|heartbreaking|breaks my heart|hugs?|"
    r"sending (you )?(love|hugs)|my heart goes out)\b", re.IGNORECASE)
"""Words of a strong emotional reaction: felt sorrow, not a polite "sorry"."""

# Plain-text cues of each trap, kept narrow.
TRAP_WORDS = {
    "early_advice": re.compile(
        r"\b(you should|you need to|you have to|you could try|have you (tried|thought about|considered)|"
        r"why don'?t you|what if you|maybe you could|i'?d suggest|i suggest|it might help to|it would help to|"
        r"make sure (you|to)|you (might|could) want to|how about (you|trying|getting|asking)|"
        r"i (would|'?d) recommend|i recommend)\b"
        r"|(^|[.!?]\s+)(just )?(try|consider|make sure|remember to|focus on|set (some|a|clear)|"
        r"ask (your|her|him|them|for)|get (some|a|more|help)|take (some|a|more) (time|break|walk))\b",
        re.IGNORECASE),
    "reassurance": re.compile(
        r"\b(don'?t worry|it'?ll (all )?be (ok|okay|fine|alright)|it will (all )?be (ok|okay|fine|alright)|"
        r"everything will be|you'?re doing (a )?(great|fine|good|amazing)|i'?m sure (it|you|things)|"
        r"look on the bright side|at least you|things will get (better|easier)|it could be worse|"
        r"you'?ll be (fine|ok|okay|alright))\b",
        re.IGNORECASE),
    "arguing": re.compile(
        r"\b(that'?s not (true|right|fair|how)|that isn'?t (true|right|fair)|you'?re wrong|i disagree|"
        r"you can'?t (really )?(say|blame|expect)|be honest with yourself|let'?s be (real|honest)|"
        r"but you (said|just said|agreed)|that'?s not what (i|you) said)\b",
        re.IGNORECASE),
    "judging": re.compile(
        r"\b(you'?re (being|just) (so )?(difficult|negative|unreasonable|dramatic|defensive|resistant|selfish|"
        r"lazy|stubborn|rude|childish|irrational)|you (reject|dismiss|shoot down|turn down|find fault with) "
        r"(every|each|all|any)|stop (complaining|whining|making excuses)|what'?s wrong with you|"
        r"you shouldn'?t (feel|be|think)|you'?re overreacting|that'?s (selfish|irrational|ridiculous)|"
        r"making excuses)\b",
        re.IGNORECASE),
    "changing_subject": re.compile(
        r"\b(anyway|moving on|let'?s (talk about something else|move on|change the subject|switch)|"
        r"on (a|an)(other| different) (note|topic)|by the way|changing the subject|"
        r"something else entirely)\b",
        re.IGNORECASE),
}

FEELING_WORD = (r"(exhausted|tired|worn out|drained|burnt out|angry|furious|annoyed|frustrated|fed up|resentful|"
                r"sad|down|hopeless|lonely|alone|isolated|invisible|unseen|ignored|scared|afraid|frightened|"
                r"terrified|anxious|worried|overwhelmed|stuck|trapped|hurt|ashamed|guilty|awful|stupid|useless|"
                r"helpless|torn|desperate|unheard|unappreciated|embarrassed|humiliated|betrayed|rejected|"
                r"disappointed|confused|lost|numb|empty|hopeful|relieved|proud|hard|difficult|painful|exhausting|failing)")
SKILL_WORDS = {
    "disarming": re.compile(
        r"\b(you'?re right|that'?s (true|fair|a fair point)|fair point|you have a point|you'?re not wrong|"
        r"(that )?makes (total |complete )?sense|no wonder|i agree|of course you)\b", re.IGNORECASE),
    "thought_empathy": re.compile(
        r"\b(you'?re saying|what i'?m hearing|(sounds|seems) like you (think|believe|want|need|wonder|feel like)|"
        r"you (think|believe|wonder|worry|suspect) (that|if|whether)|in other words|if i understand|"
        r"part of you)\b", re.IGNORECASE),
    "feeling_empathy": re.compile(
        r"\b((you|you'?re|you are|you feel|you felt|you seem|you sound|must (feel|be)|(sounds|seems) like you'?re)"
        r"( \w+){0,3} " + FEELING_WORD + r"|feel(ing)?( like)?( \w+){0,2} " + FEELING_WORD + r"|must feel like|"
        r"(that|it|this) (sounds|seems|must be|must feel)( so| really| very| incredibly)? " + FEELING_WORD + r")\b",
        re.IGNORECASE),
    "i_feel": re.compile(r"\bi('?m| am)? (feel|felt|feeling) (so |really |very )?(sad|moved|touched|worried|concerned|"
                         r"sorry|uncomfortable|frustrated|stuck|bad|for you)\b|\bi feel\b", re.IGNORECASE),
    "stroking": re.compile(
        r"\b(i (really |genuinely )?(admire|respect|appreciate)|(takes|took) (a lot of |real )?(courage|strength|guts)|"
        r"you care (so much|deeply|a lot)|how much you care|that'?s (brave|courageous)|"
        r"thank you for (telling|sharing|trusting|being honest))\b", re.IGNORECASE),
}
QUESTION = re.compile(r"[^.!?]*\?")


def traps_in_words(reply: str, names: tuple[str, ...] | None = None) -> set[str]:
    """The traps whose plain-text evidence is in the reply (all of them, or only `names`)."""
    return {name for name, pattern in TRAP_WORDS.items()
            if (names is None or name in names) and pattern.search(reply)}


def skills_in_words(reply: str) -> set[str]:
    """The Five Secrets skills whose plain-text evidence is in the reply."""
    found = {name for name, pattern in SKILL_WORDS.items() if pattern.search(reply)}
    # A question is inquiry, unless it is advice put as a question ("have you tried ...?").
    if any(not TRAP_WORDS["early_advice"].search(q.group(0)) for q in QUESTION.finditer(reply)):
        found.add("inquiry")
    return found


def _normal(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9']+", text.lower()))


def grounded(quote: str, reply: str) -> bool:
    """True when the quoted words really are in the reply (small models sometimes invent them)."""
    wanted = _normal(quote)
    return bool(wanted) and wanted != "none" and wanted in _normal(reply)


# Plain-text evidence for each EPITOME mechanism. A small rater misses much of what these catch, and
# finds much that is not there; the words decide when the rater's copy cannot be found in the reply.
EVIDENCE = {
    "emotional_reaction": re.compile(
        r"\b(sorry|hugs?|so sad|painful|heartbreaking|breaks my heart|that sucks|that'?s (awful|terrible|horrible|rough|"
        r"tough|hard)|i feel (for|so|bad|sad|terrible|awful)|my heart|i'?m (so )?(glad|happy) (you|to hear)|i hope|"
        r"hopefully|hope (you|things)|sending (you )?(love|hugs)|i care|proud|congrat\w*|wonderful|omg\w*|hang in there|"
        r"you('?re| are|'?re not| aren'?t) not alone|you aren'?t alone|i feel (the same|you)|i know how|"
        r"i can relate|i agree|you did the right thing|worst feeling|totally normal|feel free to (message|pm|talk)|"
        r"pm me|message me|i'?m here|here for you|i know (your|the|that) (pain|feeling)|know the feeling|"
        r"i can'?t (even )?imagine|god bless|(you are|you'?re) (important|worth it|not a burden|loved)|"
        r"your life matters|that'?s (ok|okay)|(we|i)'?ll listen|(wanna|want to) talk|write (me|to me)|good to hear|"
        r"it'?s good that|that hurts|it hurts|stay strong|be strong|take care|good luck|best of luck|love you|"
        r"virtual hug|you can do (this|it)|one (step|day) at a time|here to listen|here if you need|we are here|"
        r"we'?re here|i'?m (right )?here|im (right )?here|i'?m all ears|im all ears|chat with me|talk with (me|us)|"
        r"you will make it|you'?ll make it|rooting for you|keep (treading|going|fighting|pushing)|glad you|"
        r"be there for|worst feelings?|i understand you|i know what you mean|definitely agree|you'?re right|"
        r"you are right|strength and|stay safe|you('?re| are) (strong|brave|not weak)|don'?t give up|"
        r"never give up|it gets better|things will get better)\b|<3|:\(|:\)",
        re.IGNORECASE),
    # Reflections of the person's feelings, and (as EPITOME counts them) telling of a similar experience.
    "interpretation": re.compile(
        r"\b(sounds? like|seems? like you|must (be|feel|have been)|i (can )?(totally |completely )?understand|"
        r"i know (how|what|the feeling|that feeling)|i'?ve been (there|through)|i went through|same|"
        r"i('?m| am| was) in (a )?similar|i (can |could )?(totally |really |so )?relate|i get (it|that)|me too|i hear you|"
        r"i (also|too)\b|i('?ve| have) (had|felt|struggled|dealt|gone|experienced)|i used to|when i was|"
        r"happened to me|for me|i feel (the same|like that)|(like|with) you,? i|"
        r"i (always|never|sometimes|often|still|feel|felt)\b|\bmy\b|\bmyself\b|\bi\b[^.!?]{0,60}\b(either|as well)\b|"
        r"\bi (did|was|had|got|take|took|tried|lost|cried|sleep|slept|can'?t|couldn'?t|don'?t)\b|\b(im|ive)\b|"
        r"\bi'?m (also|just|still|so|always|never)\b|\b(that|it|this) (sounds|seems|must be|must feel)\b)",
        re.IGNORECASE),
    # A question about the person, or an open question long enough to be about something in particular.
    "exploration": re.compile(r"[^.!?]*\b(you|your|you'?re)\b[^.!?]*\?|"
                              r"\b(what happened|what'?s wrong|what'?s going on|how come)\b[^.!?]*\?|"
                              r"\b(what|how|when|which|who)\b[^.!?]{20,}\?", re.IGNORECASE),
}


def epitome_grade(mechanism: str, quote: str, reply: str, words_decide: bool = True) -> int:
    """0 none, 1 weak, 2 strong, from the words the rater found for a mechanism and the reply's own words.

    With `words_decide` False the rater's grounded quote alone says whether the mechanism is there;
    the words only say how strongly."""
    found = quote if grounded(quote, reply) else ""
    if not words_decide:
        if not found:
            return 0
    elif mechanism == "emotional_reaction" and found and not EVIDENCE[mechanism].search(found):
        found = ""  # the small rater calls most sentences feelings; keep its copy only if the words agree
    if not found:
        evidence = EVIDENCE[mechanism].search(reply)
        if evidence is None:
            return 0
        if mechanism == "emotional_reaction":
            return 2 if STRONG_REACTION.search(reply) else 1
        # A matched stock phrase of interpretation says nothing of how specific the rest is: judge the
        # whole reply. A question is judged on its own words.
        found = evidence.group(0) if mechanism == "exploration" else reply
    if mechanism == "emotional_reaction":
        return 2 if STRONG_REACTION.search(found) or len(found.split()) >= STRONG_REACTION_WORDS else 1
    generic = GENERIC[mechanism]
    return 1 if generic and generic.match(found.strip()) else 2
