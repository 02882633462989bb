"""Read a character card from a .json or .png file, and write one, with one-line errors for bad files."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from pathlib import Path
from typing import Any

from simulator.errors import PersonaError
from simulator.personas.png_chunks import PngError, is_png, solid_png, text_chunks

MAX_CARD_BYTES = 32 * 1024 * 1024
CARD_KEYWORDS = ("ccv3", "chara")
"""PNG text chunks that hold a card, in order of preference (the V3 spec prefers ccv3)."""
IMAGE_SIZE = (256, 384)


def read_card_file(path: Path) -> Any:
    """The parsed card JSON from a .json file or a PNG's `ccv3`/`chara` chunk."""
    try:
        size = path.stat().st_size
        if size > MAX_CARD_BYTES:
            raise PersonaError(f"{path}: file is {size // (1024 * 1024)} MiB",
                               f"character cards are under {MAX_CARD_BYTES // (1024 * 1024)} MiB")
        raw = path.read_bytes()
    except OSError as error:
        raise PersonaError(f"{path}: cannot read ({error.strerror or error})", "check the path and its permissions") from None
    if is_png(raw):
        return _parse_json(_card_text_in_png(raw, path), path, "the PNG's card chunk")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PersonaError(f"{path}: neither a PNG nor UTF-8 JSON", "import a character card's .json or .png file") from None
    return _parse_json(text, path, "JSON")


def _card_text_in_png(raw: bytes, path: Path) -> str:
    try:
        texts = text_chunks(raw)
    except (PngError, UnicodeDecodeError) as error:
        raise PersonaError(f"{path}: damaged PNG ({error})", "export the card again from the app that made it") from None
    keyword = next((k for k in CARD_KEYWORDS if k in texts), None)
    if keyword is None:
        raise PersonaError(f"{path}: PNG has no 'chara' or 'ccv3' text chunk",
                           "this image holds no character card; export the card as PNG or JSON again")
    text = texts[keyword].strip()
    if text.startswith("{"):
        return text
    try:
        return base64.b64decode(text, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        raise PersonaError(f"{path}: the PNG's '{keyword}' chunk is not base64 JSON",
                           "export the card again from the app that made it") from None


def _parse_json(text: str, path: Path, what: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise PersonaError(f"{path}:{error.lineno}: {what} is not valid JSON ({error.msg})",
                           "export the card again, or fix the JSON on that line") from None
    except (ValueError, RecursionError):
        raise PersonaError(f"{path}: {what} holds numbers or nesting too large to read",
                           "export the card again from the app that made it") from None


def card_json(card: dict[str, Any]) -> str:
    return json.dumps(card, indent=2, ensure_ascii=False) + "\n"


def card_png(card: dict[str, Any], seed: str) -> bytes:
    """A small solid-colour PNG carrying the card as base64 JSON in a `chara` tEXt chunk."""
    payload = base64.b64encode(json.dumps(card, ensure_ascii=False).encode("utf-8")).decode("ascii")
    digest = hashlib.sha256(seed.encode("utf-8")).digest()
    colour = tuple(96 + byte % 96 for byte in digest[:3])  # muted, and the same for the same persona
    return solid_png(*IMAGE_SIZE, colour, {"chara": payload})
