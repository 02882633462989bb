"""A client's form answer, as the rater would send it, for tests that need one."""

ADVICE_FORM = {
    "empathy": {"warmth": 3, "trust": 2, "respect": 4, "listening": 3, "understood": 1},
    "helpfulness": 1,
    "session": {"relationship": 6, "goals": 5, "approach": 4, "overall": 5},
    "comment": "You tried, but you kept giving me advice.",
    "low_score_quotes": [{"item": "understood", "quote": "Have you tried asking your sister?"}],
}
