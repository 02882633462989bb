"""The appraisal's judgements from the shipped heads: EPITOME levels, traps, skills, feelings reached,
how understood the client felt.

Each head was trained on people's labels (EPITOME, and our therapist lines labelled as a supervisor
would) and cross-validated; its scores travel in the weights' record card, which `trust_note`
quotes. The line's embedding comes from the bundled model, the same one the heads were trained on.
The only rules here are the labelling rubric's own (bench/data/README.md): a line that falls into a
trap reaches a feeling at most partly and leaves the client understood at most 1; otherwise a feeling
reached accurately means understood 3 or 4, partly means 2, and nothing reached at most 2.
"""

from __future__ import annotations

from simulator.domain import EPITOME_MECHANISMS, FIVE_SECRETS, TRAPS, Appraisal, HiddenFeeling, Touch
from simulator.rating.heads import HeadSet, load_heads
from simulator.rating.line_features import cosine, cues, pair_features, tfidf, unit

TOUCHES = (Touch.NONE, Touch.PARTLY, Touch.ACCURATELY)


def judge_line(reply: str, reply_vector: list[float], feelings: tuple[HiddenFeeling, ...],
               feeling_vectors: list[list[float]], heads: tuple[HeadSet, HeadSet] | None = None) -> Appraisal:
    """Every judgement of one trainee line, from its words and embeddings (all but the inner reaction).

    Feelings in two steps, as the heads were trained: how far the line reaches any feeling of the
    client's (none / partly / accurately), then which of them — those the choice head gives even
    odds or better, and at least the likeliest. `heads` (EPITOME's, the lines') default to the shipped ones.
    """
    epitome_heads, line_heads = heads or (load_heads("epitome"), load_heads("lines"))
    embedding = unit(reply_vector)
    line_cues = cues(reply)
    epitome_features = {"ngrams": tfidf(reply, epitome_heads.vocabulary, list(epitome_heads.idf)),
                        "cues": line_cues, "embedding": embedding}
    line_features = {"ngrams": tfidf(reply, line_heads.vocabulary, list(line_heads.idf)),
                     "cues": line_cues, "embedding": embedding}
    epitome = {m: epitome_heads.heads[m].predict(epitome_features) for m in EPITOME_MECHANISMS}
    traps = tuple(name for name in TRAPS if line_heads.heads[f"trap:{name}"].yes(line_features))
    skills = tuple(name for name in FIVE_SECRETS if line_heads.heads[f"skill:{name}"].yes(line_features))
    touches = {feeling.feeling: Touch.NONE for feeling in feelings}
    level = TOUCHES[line_heads.heads["feeling_reach"].predict(line_features)]
    if level is not Touch.NONE and feelings:
        if traps:
            level = Touch.PARTLY
        cosines = [cosine(reply_vector, vector) for vector in feeling_vectors]
        choice = line_heads.heads["feeling_choice"]
        chances = [choice.probabilities({"pair": pair_features(reply, f, cosines, i)})[1] for i, f in enumerate(feelings)]
        likeliest = max(range(len(feelings)), key=chances.__getitem__)
        for index, feeling in enumerate(feelings):
            if index == likeliest or chances[index] >= choice.threshold:
                touches[feeling.feeling] = level
    understood = understood_by_rubric(traps, touches, line_heads.heads["understood"].predict(line_features))
    return Appraisal(feelings=touches, epitome=epitome, skills=skills, traps=traps, understood=understood,
                     inner_reaction="")


def understood_by_rubric(traps: tuple[str, ...], touches: dict[str, Touch], estimate: int) -> int:
    """How understood (0-4), by the labelling rubric, around a head's `estimate`."""
    reached = set(touches.values())
    if traps:
        return min(estimate, 1)
    if Touch.ACCURATELY in reached:
        return max(estimate, 3)
    if Touch.PARTLY in reached:
        return 2
    return min(estimate, 2)


def epitome_of(reply: str, reply_vector: list[float]) -> dict[str, int]:
    """The three EPITOME levels of a response alone (for `eval rater --epitome`)."""
    heads = load_heads("epitome")
    features = {"ngrams": tfidf(reply, heads.vocabulary, list(heads.idf)), "cues": cues(reply),
                "embedding": unit(reply_vector)}
    return {m: heads.heads[m].predict(features) for m in EPITOME_MECHANISMS}


def measured_agreement(sets: tuple[HeadSet, HeadSet] | None = None) -> str:
    """The shipped heads' cross-validated agreement with people, in a few words."""
    epitome, lines = sets or (load_heads("epitome"), load_heads("lines"))
    e = epitome.card["scores"]
    p = lines.card["scores"]["pipeline"]
    return (f"EPITOME macro-F1 {e['emotional_reaction']['macro_f1']:.2f} / {e['interpretation']['macro_f1']:.2f} / "
            f"{e['exploration']['macro_f1']:.2f} (emotional reactions / interpretations / explorations); "
            f"labelled therapist lines, personas held out: any trap agreement {p['any_trap']['agreement']:.2f} "
            f"(κ {p['any_trap']['kappa']:.2f}), feeling reached agreement {p['feeling_reached']['agreement']:.2f} "
            f"(κ {p['feeling_reached']['kappa']:.2f}), understood within one point {p['understood']['within_one']:.0%}")
