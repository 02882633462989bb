"""What is embedded for the rater's heads, the same at training and at run time."""

from __future__ import annotations

from simulator.domain import HiddenFeeling
from simulator.llm.embedder import EMBEDDING_TOKENS

__all__ = ["EMBEDDING_TOKENS", "feeling_text"]


def feeling_text(feeling: HiddenFeeling) -> str:
    """A hidden feeling as the heads compare a reply with it: what it is and why."""
    return f"{feeling.feeling}: {feeling.reason.strip()}"
