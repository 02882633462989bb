"""How far to trust the rater's verdicts: the method that judged, and its measured agreement with people."""

from __future__ import annotations

from simulator.errors import RehearseError


def trust_note(judge: str) -> str:
    """One sentence for the debrief, the coach card and `doctor`."""
    if judge == "heads":
        from simulator.rating.learned_judge import measured_agreement

        try:
            return f"Judged by heads trained on people's labels. Measured agreement: {measured_agreement()}."
        except (RehearseError, KeyError, TypeError):
            return "Judged by heads trained on people's labels; their measured agreement could not be read."
    if judge == "logprobs":
        return ("Judged by yes/no questions scored from the rater model's log-probabilities, at fixed cut-offs. "
                "Their agreement with people has not been measured for this model: "
                "`rehearse eval rater --lines FILE` measures it.")
    if judge == "ask":
        return ("Judged by asking the rater model each question. Its agreement with people has not been "
                "measured here: `rehearse eval rater --lines FILE` measures it.")
    return "This session did not record how its lines were judged."
