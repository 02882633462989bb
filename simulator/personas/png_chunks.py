"""Just enough PNG for character cards: read the text chunks of a file, and write a small solid-colour
image carrying text chunks. Standard library only (zlib, struct)."""

from __future__ import annotations

import struct
import zlib

SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_TEXT_BYTES = 16 * 1024 * 1024
"""Largest text a compressed chunk may expand to; guards against zip bombs."""


class PngError(ValueError):
    """The bytes are not a PNG this module can read."""


def is_png(data: bytes) -> bool:
    return data.startswith(SIGNATURE)


def chunks(data: bytes):
    """(type, data) of each chunk, in order, up to IEND."""
    if not is_png(data):
        raise PngError("not a PNG file")
    offset = len(SIGNATURE)
    while offset + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[offset:offset + 8])
        start, end = offset + 8, offset + 8 + length
        if end + 4 > len(data):
            raise PngError(f"chunk {kind!r} runs past the end of the file")
        yield kind, data[start:end]
        if kind == b"IEND":
            return
        offset = end + 4
    raise PngError("file ends before the IEND chunk")


def text_chunks(data: bytes) -> dict[str, str]:
    """Keyword → text of every tEXt, zTXt and iTXt chunk; the first chunk with a keyword wins."""
    found: dict[str, str] = {}
    for kind, body in chunks(data):
        if kind not in (b"tEXt", b"zTXt", b"iTXt"):
            continue
        keyword, separator, rest = body.partition(b"\x00")
        if not separator:
            continue
        name = keyword.decode("latin-1")
        if name not in found:
            found[name] = _text_of(kind, rest)
    return found


def _text_of(kind: bytes, rest: bytes) -> str:
    if kind == b"tEXt":
        return rest.decode("latin-1")
    if kind == b"zTXt":
        return _inflate(rest[1:]).decode("latin-1")
    if len(rest) < 2:
        raise PngError("iTXt chunk is cut short")
    compressed = rest[0] == 1
    _language, _, rest = rest[2:].partition(b"\x00")
    _translated, _, text = rest.partition(b"\x00")
    return (_inflate(text) if compressed else text).decode("utf-8")


def _inflate(data: bytes) -> bytes:
    inflater = zlib.decompressobj()
    try:
        text = inflater.decompress(data, MAX_TEXT_BYTES)
    except zlib.error as error:
        raise PngError(f"compressed text chunk is damaged ({error})") from None
    if inflater.unconsumed_tail:
        raise PngError(f"compressed text chunk expands past {MAX_TEXT_BYTES // (1024 * 1024)} MiB")
    return text


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def solid_png(width: int, height: int, rgb: tuple[int, int, int], texts: dict[str, str]) -> bytes:
    """A width × height image of one colour, with a tEXt chunk for each keyword (text in Latin-1)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB, no interlace
    row = b"\x00" + bytes(rgb) * width  # filter type 0, then the pixels
    parts = [SIGNATURE, _chunk(b"IHDR", header), _chunk(b"IDAT", zlib.compress(row * height, 9))]
    parts += [_chunk(b"tEXt", keyword.encode("latin-1") + b"\x00" + text.encode("latin-1"))
              for keyword, text in texts.items()]
    parts.append(_chunk(b"IEND", b""))
    return b"".join(parts)
