"""Character cards: export then import gives back the same persona (JSON and PNG), V1/V2/V3 cards
import, other apps' extensions survive, and bad card files give one-line errors."""

from __future__ import annotations

import base64
import json
import struct
import zlib
from dataclasses import replace

import pytest

from simulator import paths
from simulator.cli import main
from simulator.personas.card_files import read_card_file
from simulator.personas.cards import EXTENSION, card_from_persona, persona_data_from_card
from simulator.personas.loader import load_persona_file, persona_document, persona_files
from simulator.personas.png_chunks import chunks, solid_png, text_chunks

BUILTINS = persona_files(paths.BUILTIN_PERSONAS_DIR)
V2_FIELDS = {"name", "description", "personality", "scenario", "first_mes", "mes_example", "creator_notes",
             "system_prompt", "post_history_instructions", "alternate_greetings", "tags", "creator",
             "character_version", "extensions"}
FOREIGN_DATA = {
    "name": "Captain Vex",
    "description": "{{char}} is a 52-year-old retired sea captain who distrusts {{user}}.",
    "personality": "Gruff, short sentences, nautical swearing.",
    "scenario": "{{user}} visits {{char}} at the harbour.",
    "first_mes": "What do you want, {{user}}?",
    "mes_example": "<START>\n{{user}}: Hello.\n{{char}}: Leave me be.\n{{char}}: *spits* Landlubber.",
    "creator_notes": "Made for a pirate campaign.",
    "system_prompt": "Write in British English.",
    "post_history_instructions": "Stay terse.",
    "alternate_greetings": ["*ignores you*"],
    "tags": ["Hostile", "sea"],
    "creator": "someone",
    "character_version": "1.2",
    "character_book": {"entries": [{"keys": ["ship"], "content": "The Gull", "extensions": {}}], "extensions": {}},
    "extensions": {"talkativeness": "0.4", "depth_prompt": {"prompt": "grumble", "depth": 4}},
}


def _plain(persona):
    return replace(persona, source="")


def _export(isolated_env, target: str, fmt: str, name: str):
    out = isolated_env / name
    assert main(["persona", "export", target, "--format", fmt, "-o", str(out)]) == 0
    return out


def _import(card_path, out):
    assert main(["persona", "import", str(card_path), "--out", str(out)]) == 0
    return out


@pytest.mark.parametrize("fmt,suffix", [("card-json", "json"), ("card-png", "png")])
@pytest.mark.parametrize("path", BUILTINS, ids=[p.stem for p in BUILTINS])
def test_export_then_import_gives_back_the_same_persona(isolated_env, fmt, suffix, path):
    card_path = _export(isolated_env, path.stem, fmt, f"card.{suffix}")
    back = _import(card_path, isolated_env / f"{path.stem}.yaml")
    assert _plain(load_persona_file(back)) == _plain(load_persona_file(path))


def test_an_exported_card_is_a_v2_card_with_our_extension():
    document = persona_document(BUILTINS[0])
    card = card_from_persona(document.persona, document.card)
    assert card["spec"] == "chara_card_v2" and card["spec_version"] == "2.0"
    assert V2_FIELDS <= set(card["data"])
    assert card["data"]["name"] == document.persona.profile.name
    assert card["data"]["first_mes"] == document.persona.profile.opening_lines[0]
    assert card["data"]["extensions"][EXTENSION]["persona"]["id"] == document.persona.id
    json.dumps(card)  # plain JSON all the way down


def test_the_png_is_a_valid_image_with_a_chara_chunk(isolated_env):
    out = _export(isolated_env, "lena-silent", "card-png", "lena.png")
    data = out.read_bytes()
    kinds = [kind for kind, _ in chunks(data)]
    assert kinds[0] == b"IHDR" and kinds[-1] == b"IEND" and b"IDAT" in kinds
    for kind, body in chunks(data):  # every CRC is right
        offset = data.index(kind + body) + len(kind + body)
        assert struct.unpack(">I", data[offset:offset + 4])[0] == zlib.crc32(kind + body)
    width, height = struct.unpack(">II", dict(chunks(data))[b"IHDR"][:8])
    assert len(zlib.decompress(dict(chunks(data))[b"IDAT"])) == height * (1 + 3 * width)
    card = json.loads(base64.b64decode(text_chunks(data)["chara"]))
    assert card["data"]["name"] == "Lena Kovač"


def test_unknown_extensions_and_card_fields_survive_import_and_export(isolated_env):
    persona = persona_document(BUILTINS[0])
    card = card_from_persona(persona.persona)
    card["data"]["extensions"].update(FOREIGN_DATA["extensions"])
    card["data"]["creator"] = "Dr. Example"
    card["data"]["character_book"] = FOREIGN_DATA["character_book"]
    card_path = isolated_env / "shared.json"
    card_path.write_text(json.dumps(card), encoding="utf-8")
    back = _import(card_path, isolated_env / "dana-yes-but.yaml")
    again = _export(isolated_env, str(back), "card-json", "again.json")
    data = json.loads(again.read_text(encoding="utf-8"))["data"]
    assert data["extensions"]["talkativeness"] == "0.4"
    assert data["extensions"]["depth_prompt"] == {"prompt": "grumble", "depth": 4}
    assert data["creator"] == "Dr. Example" and data["character_book"] == FOREIGN_DATA["character_book"]
    assert data["extensions"][EXTENSION] == card["data"]["extensions"][EXTENSION]


def _foreign_cards():
    v1 = {key: FOREIGN_DATA[key] for key in ("name", "description", "personality", "scenario", "first_mes", "mes_example")}
    return {
        "V1": v1,
        "V2": {"spec": "chara_card_v2", "spec_version": "2.0", "data": FOREIGN_DATA},
        "V3": {"spec": "chara_card_v3", "spec_version": "3.0",
               "data": {**FOREIGN_DATA, "nickname": "Vex", "group_only_greetings": [], "assets": []}},
    }


@pytest.mark.parametrize("version", ["V1", "V2", "V3"])
def test_a_foreign_card_imports_with_its_content_placed_and_todos_for_the_rest(version):
    imported = persona_data_from_card(_foreign_cards()[version])
    data = imported.data
    assert imported.version == version and not imported.from_rehearse
    assert data["id"] == "captain-vex" and data["name"] == "Captain Vex" and data["age"] == 52
    assert data["situation"].startswith("Captain Vex is a 52-year-old retired sea captain who distrusts the therapist.")
    assert data["opening_lines"][0] == "What do you want?"
    assert data["client"]["speaking_style"] == "Gruff, short sentences, nautical swearing."
    assert data["client"]["speech_examples"] == ["Leave me be.", "*spits* Landlubber."]
    assert "client.hidden_feelings[0]" in imported.guessed
    if version == "V1":
        assert "card" not in data
    else:
        assert data["archetype"] == "hostile"  # from the 'Hostile' tag
        assert data["opening_lines"] == ["What do you want?", "*ignores you*"]
        assert data["card"]["extensions"] == FOREIGN_DATA["extensions"]
        assert data["card"]["system_prompt"] == "Write in British English."


@pytest.mark.parametrize("chunk_kind", [b"tEXt", b"iTXt", b"zTXt"])
def test_a_foreign_png_card_imports_and_the_written_file_names_each_todo(isolated_env, capsys, chunk_kind):
    payload = base64.b64encode(json.dumps(_foreign_cards()["V2"]).encode()).decode()
    png = _png_with_chunk(chunk_kind, "chara", payload)
    card_path = isolated_env / "vex.png"
    card_path.write_bytes(png)
    out = _import(card_path, isolated_env / "vex.yaml")
    printed = capsys.readouterr().out
    assert "Character Card V2" in printed and "client.hidden_feelings[0].feeling: is still a TODO placeholder" in printed
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Imported from vex.png")
    filled = text.replace("'TODO: a feeling the client hides'", "lonely").replace("'TODO: why the client feels it'", "Because.")
    filled = filled.replace("'TODO: what lets the client soften'", "Respect").replace("'TODO: what makes the client close down'", "Pity")
    out.write_text(filled, encoding="utf-8")
    assert main(["persona", "check", str(out)]) == 0


def test_ccv3_is_preferred_over_chara(tmp_path):
    v3 = base64.b64encode(json.dumps(_foreign_cards()["V3"]).encode()).decode()
    v2 = base64.b64encode(json.dumps({"spec": "chara_card_v2", "data": {"name": "Old"}}).encode()).decode()
    png = solid_png(2, 2, (1, 2, 3), {"chara": v2, "ccv3": v3})
    path = tmp_path / "both.png"
    path.write_bytes(png)
    assert read_card_file(path)["spec"] == "chara_card_v3"


def _png_with_chunk(kind: bytes, keyword: str, text: str) -> bytes:
    base = solid_png(1, 1, (0, 0, 0), {})
    if kind == b"tEXt":
        body = keyword.encode() + b"\x00" + text.encode("latin-1")
    elif kind == b"zTXt":
        body = keyword.encode() + b"\x00\x00" + zlib.compress(text.encode("latin-1"))
    else:
        body = keyword.encode() + b"\x00\x01\x00en\x00\x00" + zlib.compress(text.encode("utf-8"))
    chunk = struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    end = base.index(b"IEND") - 4
    return base[:end] + chunk + base[end:]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is not valid JSON"),
        (b"{not json", ":1: JSON is not valid JSON"),
        (b"[1, 2]", "not a character card"),
        (b'{"spec": "chara_card_v9", "data": {}}', "unsupported card spec 'chara_card_v9'"),
        (b'{"spec": "chara_card_v2", "data": "nope"}', "has no 'data' object"),
        (b'{"hello": "world"}', "no 'spec' and no 'name'"),
        (b"\xff\xfe\x00garbage", "neither a PNG nor UTF-8 JSON"),
        (b"[" * 100000, "too large to read"),
        (solid_png(1, 1, (0, 0, 0), {}), "no 'chara' or 'ccv3' text chunk"),
        (solid_png(1, 1, (0, 0, 0), {"chara": "%%%not base64"}), "not base64 JSON"),
        (solid_png(1, 1, (0, 0, 0), {"chara": "e30="})[:40], "damaged PNG"),
        (_png_with_chunk(b"zTXt", "chara", "x" * 20_000_000), "expands past"),
    ],
)
def test_bad_card_files_give_one_line_errors(isolated_env, capsys, content, message):
    path = isolated_env / "bad.card"
    path.write_bytes(content)
    assert main(["persona", "import", str(path), "--out", str(isolated_env / "x.yaml")]) == 2
    error = capsys.readouterr().err
    assert message in error and str(path) in error
    assert error.count("\n") == 1 and "Traceback" not in error
    assert not (isolated_env / "x.yaml").exists()


def test_import_and_export_refuse_to_overwrite_without_force(isolated_env, capsys):
    out = _export(isolated_env, "dana-yes-but", "card-json", "dana.json")
    assert main(["persona", "export", "dana-yes-but", "-o", str(out)]) == 2
    assert "already exists — choose another --out, or add --force" in capsys.readouterr().err
    assert main(["persona", "export", "dana-yes-but", "-o", str(out), "--force"]) == 0


def test_import_defaults_to_the_user_folder_and_the_list_marks_the_override(isolated_env, capsys):
    card_path = _export(isolated_env, "marcus-hostile", "card-json", "marcus.json")
    assert main(["persona", "import", str(card_path)]) == 0
    written = isolated_env / "data" / "rehearse" / "personas" / "marcus-hostile.yaml"
    assert written.is_file()
    assert "marcus-hostile.yaml has the same id" in capsys.readouterr().out
    assert main(["persona", "list", "--json"]) == 0
    rows = {row["id"]: row for row in json.loads(capsys.readouterr().out)}
    assert rows["marcus-hostile"]["source"] == "user" and rows["marcus-hostile"]["file"] == str(written)
    assert rows["marcus-hostile"]["replaces"] == [{"source": "built-in",
                                                   "file": str(paths.BUILTIN_PERSONAS_DIR / "marcus-hostile.yaml")}]


def test_export_of_an_unknown_id_names_the_known_ones(isolated_env, capsys):
    assert main(["persona", "export", "nobody"]) == 2
    assert "no persona with id 'nobody' — choose one of: dana-yes-but" in capsys.readouterr().err


# No control characters but tab and newline: persona files refuse them (card import refuses them first).
TRICKY = ["plain", "", " leading and trailing ", "two\nlines\n", "ends with newline\n", "key: value", "# hash",
          "- dash", "*stars*", "'quoted'", '"double"', "yes", "null", "123", "1e3", "tab\there",
          "emoji 🙂 and ünïcode", "x" * 300, "long line " * 40 + "\nand more", "\\backslash", "@at", "`tick`",
          "trailing space \nline", "ok\u2028separator", "\ufefffeff"]


def test_written_persona_files_read_back_exactly_whatever_the_card_held():
    from simulator.personas.yaml_reader import parse_yaml_text
    from simulator.personas.yaml_writer import persona_yaml

    data = {"id": "x", "texts": TRICKY, "card": {"extensions": {t or "empty": t for t in TRICKY}},
            "numbers": [0, -1, 10**30, 1.5, True, None]}
    document = parse_yaml_text(persona_yaml(data, ["a header", "with: colon"]))
    assert document.problems == []
    assert document.data == data


def test_a_cards_example_dialogue_becomes_example_exchanges_with_guessed_moments():
    dialogue = ("<START>\n{{user}}: Have you tried talking to your crew about it?\n{{char}}: Yes, but they're all dead.\n"
                "<START>\n{{user}}: It sounds like the sea was the only home you had.\n{{char}}: *looks away* Maybe.\n"
                "<START>\n{{user}}: *says nothing*\n{{char}}: You going to stare all day?\n"
                "<START>\n{{char}}: Leave me be.\n")
    imported = persona_data_from_card({**FOREIGN_DATA, "mes_example": dialogue})
    assert imported.data["client"]["example_exchanges"] == [
        {"moment": "advice", "therapist": "Have you tried talking to your crew about it?",
         "client": "Yes, but they're all dead."},
        {"moment": "reflection_low_trust", "therapist": "It sounds like the sea was the only home you had.",
         "client": "*looks away* Maybe."},
        {"moment": "silence", "client": "You going to stare all day?"},
    ]
    assert any(g.startswith("client.example_exchanges") for g in imported.guessed)


def test_export_writes_the_example_exchanges_as_the_cards_dialogue():
    dana = load_persona_file(paths.BUILTIN_PERSONAS_DIR / "dana-yes-but.yaml")
    dialogue = card_from_persona(dana)["data"]["mes_example"]
    for exchange in dana.client.example_exchanges:
        assert f"{{{{user}}}}: {exchange.therapist or '*waits in silence*'}\n{{{{char}}}}: {exchange.client}\n" in dialogue
    assert persona_data_from_card(card_from_persona(dana)).data["client"]["example_exchanges"] == [
        {"moment": e.moment, **({"therapist": e.therapist} if e.therapist else {}), "client": e.client}
        for e in dana.client.example_exchanges]


def test_a_card_whose_rehearse_section_has_wrong_types_is_refused_and_nothing_written(isolated_env, capsys):
    persona = load_persona_file(paths.BUILTIN_PERSONAS_DIR / "dana-yes-but.yaml")
    card = card_from_persona(persona)
    card["data"]["extensions"][EXTENSION]["persona"].update({"id": 5, "client": "str"})
    card_path, out = isolated_env / "typed.json", isolated_env / "typed.yaml"
    card_path.write_text(json.dumps(card), encoding="utf-8")
    assert main(["persona", "import", str(card_path), "--out", str(out)]) == 2
    (error,) = capsys.readouterr().err.splitlines()
    assert error.startswith(f"rehearse: error: {card_path}: the persona it makes would fail `rehearse persona check`: ")
    assert error.endswith("nothing was written") and not out.exists()


def test_a_card_too_big_for_a_persona_file_is_refused_before_writing(isolated_env, capsys):
    card = {"spec": "chara_card_v2", "spec_version": "2.0",
            "data": {**FOREIGN_DATA, "description": "{{char}} is a sea captain. " + "Waves. " * 60_000}}
    card_path, out = isolated_env / "big.json", isolated_env / "big.yaml"
    card_path.write_text(json.dumps(card), encoding="utf-8")
    assert main(["persona", "import", str(card_path), "--out", str(out)]) == 2
    error = capsys.readouterr().err
    assert "the persona it makes would be 4" in error and "at most 256 KiB" in error and not out.exists()


def test_out_given_a_folder_writes_into_it_named_after_the_id(isolated_env, capsys):
    folder = isolated_env / "cards"
    folder.mkdir()
    assert main(["persona", "export", "dana-yes-but", "--format", "card-json", "-o", str(folder)]) == 0
    card_path = folder / "dana-yes-but.card.json"
    assert card_path.is_file()
    assert main(["persona", "import", str(card_path), "-o", str(folder)]) == 0
    assert (folder / "dana-yes-but.yaml").is_file()
    assert main(["persona", "import", str(card_path), "-o", str(folder)]) == 2  # exists: needs --force
    assert "add --force" in capsys.readouterr().err
