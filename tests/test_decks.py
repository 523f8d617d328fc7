"""Deck files: the real decks load cleanly, and the validator names file, line and problem."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.cli import main
from assistant.decks import (
    DEPTHS,
    MAX_WORDS,
    DeckProblem,
    check_decks,
    count_words,
    load_decks,
    prompt_id,
)
from assistant.errors import DeckError
from assistant.resources import decks_dir

FIXTURES = Path(__file__).parent / "fixtures" / "decks"
HEADER = 'name = "{name}"\ntitle = "T"\nkind = "game"\nintro = "Hello."\n'
PROMPT = '\n[[prompts]]\ndepth = "{depth}"\ntext = "{text}"\n'


def write_deck(folder: Path, name: str, *prompts: str, header: str | None = None) -> Path:
    body = (header if header is not None else HEADER.format(name=name))
    body += "".join(PROMPT.format(depth="light", text=text) for text in prompts)
    path = folder / f"{name}.toml"
    path.write_text(body, encoding="utf-8")
    return path


def lines_of(problems: list[DeckProblem]) -> list[tuple[str, int]]:
    return [(problem.file.name, problem.line) for problem in problems]


# ----- the real decks ---------------------------------------------------------------------

def test_every_real_deck_loads_without_problems() -> None:
    assert [str(p) for p in check_decks(decks_dir())] == []
    library = load_decks()
    assert library.decks, "no decks found in decks/"
    for deck in library.decks:
        assert deck.prompts, deck.name


def test_no_real_prompt_is_over_the_word_limit() -> None:
    for deck in load_decks().decks:
        for prompt in deck.prompts:
            assert count_words(prompt.text) <= MAX_WORDS, prompt.text
            if prompt.follow_up:
                assert count_words(prompt.follow_up) <= MAX_WORDS, prompt.follow_up


def test_no_real_prompt_is_duplicated() -> None:
    texts = [p.text.lower().strip() for d in load_decks().decks for p in d.prompts]
    assert len(texts) == len(set(texts))
    ids = [p.id for d in load_decks().decks for p in d.prompts]
    assert len(ids) == len(set(ids))


def test_real_prompts_render_with_both_names() -> None:
    for deck in load_decks().decks:
        for prompt in deck.prompts:
            text = prompt.render("Sam", "Alex")
            assert "Sam" in text and "{" not in text


# ----- the fixture library and the model ---------------------------------------------------

def test_fixture_library_shapes() -> None:
    library = load_decks(FIXTURES / "good")
    assert library.names() == ("check_in", "closing", "friendship", "intimacy", "soft_startup")
    assert library.closing() is not None and library.closing().name == "closing"  # type: ignore[union-attr]
    assert [d.name for d in library.games()] == ["check_in", "friendship", "intimacy",
                                                 "soft_startup"]
    friendship = library.get("friendship")
    assert friendship is not None
    assert friendship.depth_counts() == {"light": 2, "medium": 2, "deep": 2}
    assert library.get("intimacy").opt_in  # type: ignore[union-attr]
    first = friendship.prompts[0]
    assert first.follow_up and first.render_follow_up("Sam", "Alex") == (
        "Alex, follow-up to light one?")
    assert library.prompt(first.id) == first


def test_prompt_id_is_stable_and_ignores_punctuation_and_case() -> None:
    assert prompt_id("d", "{first}, hello there?") == prompt_id("d", "{first} Hello there")
    assert prompt_id("d", "{first}, hello") != prompt_id("e", "{first}, hello")


def test_placeholders_count_as_one_word() -> None:
    assert count_words("{first}, ask {second} why") == 4
    text = "{first}, " + " ".join(["word"] * (MAX_WORDS - 1))
    assert count_words(text) == MAX_WORDS


# ----- the validator on broken files --------------------------------------------------------

def test_broken_fixture_names_every_problem_with_its_line() -> None:
    problems = check_decks(FIXTURES / "broken" / "many_problems.toml")
    found = {(p.line, p.message.split(" (")[0]) for p in problems}
    expected_lines = [1, 4, 8, 13, 17, 21, 23, 30, 31]
    assert sorted(line for line, _ in found) == expected_lines
    text = "\n".join(str(p) for p in problems)
    for words in ("differs from the file name", "unknown key 'colour'", "'shallow'",
                  "does not contain {first}", "{third}", "26 words", "duplicates",
                  "follow-up has 26 words", "unknown key 'mood'"):
        assert words in text


def test_bad_toml_names_its_line() -> None:
    problems = check_decks(FIXTURES / "broken" / "bad_toml.toml")
    assert lines_of(problems) == [("bad_toml.toml", 8)]
    assert "not valid TOML" in problems[0].message


def test_missing_keys_are_named(tmp_path: Path) -> None:
    path = write_deck(tmp_path, "d", "{first}, hi?", header='name = "d"\n')
    messages = [p.message for p in check_decks(path)]
    for key in ("title", "kind", "intro"):
        assert f"missing key {key!r}" in messages


def test_prompt_missing_text_names_the_prompt_header(tmp_path: Path) -> None:
    path = tmp_path / "d.toml"
    path.write_text(HEADER.format(name="d") + '\n[[prompts]]\ndepth = "light"\n')
    problems = check_decks(path)
    assert lines_of(problems) == [("d.toml", 6)]
    assert "missing key 'text'" in problems[0].message


def test_empty_deck(tmp_path: Path) -> None:
    path = write_deck(tmp_path, "d")
    assert [p.message for p in check_decks(path)] == ["the deck has no prompts"]


def test_duplicate_within_a_deck_points_at_the_second(tmp_path: Path) -> None:
    path = write_deck(tmp_path, "d", "{first}, same?", "{first}, other?", "{first}, SAME")
    problems = check_decks(path)
    assert lines_of(problems) == [("d.toml", 14)]
    assert "d.toml:6" in problems[0].message


def test_duplicate_across_decks(tmp_path: Path) -> None:
    write_deck(tmp_path, "a", "{first}, shared question?")
    write_deck(tmp_path, "b", "{first}, fresh one?", "{first}, shared question?")
    problems = check_decks(tmp_path)
    assert lines_of(problems) == [("b.toml", 10)]
    assert "a.toml:6" in problems[0].message


def test_bad_kind_and_wrong_types(tmp_path: Path) -> None:
    header = 'name = "d"\ntitle = 3\nkind = "party"\nintro = "Hi."\n'
    problems = check_decks(write_deck(tmp_path, "d", "{first}, hi?", header=header))
    assert lines_of(problems) == [("d.toml", 2), ("d.toml", 3)]


def test_every_problem_in_a_folder_is_reported_not_just_the_first(tmp_path: Path) -> None:
    write_deck(tmp_path, "a", "no placeholder here")
    write_deck(tmp_path, "b", "{first}, {nobody}?")
    assert len(check_decks(tmp_path)) == 2


def test_empty_folder_is_a_problem(tmp_path: Path) -> None:
    assert [p.message for p in check_decks(tmp_path)] == ["no deck files found"]


def test_load_decks_raises_deck_error_with_file_and_line(tmp_path: Path) -> None:
    write_deck(tmp_path, "d", "{first}, fine?", "missing the name")
    with pytest.raises(DeckError) as caught:
        load_decks(tmp_path)
    assert "d.toml:12:" in caught.value.message
    assert "hearth decks check" in caught.value.fix


# ----- the command line -----------------------------------------------------------------

def test_decks_list_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["decks", "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    library = load_decks()
    assert [row["name"] for row in rows] == list(library.names())
    for row in rows:
        assert set(row) == {"name", "prompts", "depth"}
        assert set(row["depth"]) == set(DEPTHS)
        assert sum(row["depth"].values()) == row["prompts"]


def test_decks_list_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["decks", "list"]) == 0
    out = capsys.readouterr().out
    for name in load_decks().names():
        assert name in out


def test_decks_check_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["decks", "check", str(FIXTURES / "good")]) == 0
    assert main(["decks", "check", str(FIXTURES / "broken")]) == 1
    out = capsys.readouterr().out
    assert "bad_toml.toml:8: " in out
    assert "many_problems.toml:31: " in out
