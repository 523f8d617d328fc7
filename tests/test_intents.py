"""Intent templates: the shipped catalog, the template language, and errors with file:line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.errors import TemplateError
from assistant.intent import Intent
from assistant.intents import (
    MAX_PATTERNS_PER_TEMPLATE,
    IntentCatalog,
    expand_template,
    load_intents,
)

PRODUCT_INTENTS = {"start_game", "next", "repeat", "skip", "pause", "resume", "stop", "help"}
GAMES = {"remember_when", "appreciation", "dreams", "check_in", "friendship", "soft_startup",
         "intimacy", "evening"}


@pytest.fixture(scope="module")
def catalog() -> IntentCatalog:
    return load_intents()


def write(folder: Path, text: str, name: str = "bad.toml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder


GOOD_LIST = '[lists.game]\ndreams = ["dreams", "our (dreams|goals)"]\n'


# --- the shipped catalog ---------------------------------------------------------------------

def test_catalog_has_every_product_intent(catalog: IntentCatalog) -> None:
    assert set(catalog.intents()) >= PRODUCT_INTENTS


def test_catalog_intents_are_all_known(catalog: IntentCatalog) -> None:
    assert set(catalog.intents()) <= set(Intent)


def test_game_slot_has_every_game(catalog: IntentCatalog) -> None:
    assert {value.name for value in catalog.slot_list("game").values} == GAMES


def test_every_game_has_several_spoken_forms(catalog: IntentCatalog) -> None:
    assert all(len(value.forms) >= 5 for value in catalog.slot_list("game").values)


def test_start_game_templates_use_the_game_slot(catalog: IntentCatalog) -> None:
    start = [t for t in catalog.templates if t.intent == "start_game"]
    assert sum("game" in t.slots for t in start) >= 10


def test_each_command_has_many_phrasings(catalog: IntentCatalog) -> None:
    for intent in PRODUCT_INTENTS:
        patterns = {p for t in catalog.templates if t.intent == intent for p in t.patterns}
        assert len(patterns) >= 20, intent


def test_sentences_are_plain_lower_case_words(catalog: IntentCatalog) -> None:
    sentences = catalog.sentences()
    assert len(sentences) > 1000
    assert all(re.fullmatch(r"[a-z']+( [a-z']+)*", s) for s in sentences)


def test_sentences_fill_slots_with_spoken_forms(catalog: IntentCatalog) -> None:
    sentences = set(catalog.sentences())
    assert "let's play remember when" in sentences
    assert "start the weekly check in game" in sentences
    assert not any("{" in s for s in sentences)


def test_sentences_have_no_duplicates(catalog: IntentCatalog) -> None:
    sentences = catalog.sentences()
    assert len(sentences) == len(set(sentences))


def test_vocabulary_is_the_words_of_the_sentences(catalog: IntentCatalog) -> None:
    vocabulary = catalog.vocabulary()
    assert {"next", "repeat", "skip", "pause", "stop", "help", "remember", "check"} <= vocabulary
    assert vocabulary == {w for s in catalog.sentences() for w in s.split()}


def test_load_is_cached_per_folder(tmp_path: Path) -> None:
    assert load_intents() is load_intents()
    folder = write(tmp_path, GOOD_LIST + '[intents.next]\nsentences = ["next"]\n', "a.toml")
    assert load_intents(folder) is not load_intents()
    assert load_intents(folder).intents() == ["next"]


def test_templates_may_span_files_and_merge(tmp_path: Path) -> None:
    write(tmp_path, GOOD_LIST, "a.toml")
    write(tmp_path, '[intents.start_game]\nsentences = ["play {game}"]\n', "b.toml")
    catalog = load_intents(tmp_path)
    assert sorted(catalog.sentences()) == ["play dreams", "play our dreams", "play our goals"]


def test_numbers_and_hyphens_are_spoken(tmp_path: Path) -> None:
    write(tmp_path, '[intents.pause]\nsentences = ["give us 2 minutes", "check-in 15"]\n')
    assert load_intents(tmp_path).sentences() == ["give us two minutes", "check in fifteen"]


# --- the template language -------------------------------------------------------------------

@pytest.mark.parametrize(("template", "expected"), [
    ("next", {"next"}),
    ("(next|another) one", {"next one", "another one"}),
    ("next [one]", {"next", "next one"}),
    ("skip [this|that] one", {"skip one", "skip this one", "skip that one"}),
    ("a (b [c|d]|e)", {"a b", "a b c", "a b d", "a e"}),
    ("next|another", {"next", "another"}),
    ("Hold On", {"hold on"}),
    ("let's play {game}", {"let's play {game}"}),
])
def test_expansion(template: str, expected: set[str]) -> None:
    got = {" ".join(words) for words in expand_template(template, frozenset({"game"}))}
    assert got == expected


def test_expansion_is_capped() -> None:
    too_many = " ".join(["[a|b|c]"] * 6)  # 4**6 = 4096 sentences
    assert MAX_PATTERNS_PER_TEMPLATE < 4**6
    with pytest.raises(TemplateError, match="more than"):
        expand_template(too_many)


# A generated template and the exact set of sentences it must expand to.
WORD = st.sampled_from(["next", "one", "please", "skip", "this", "we're", "check-in"])


def spoken(word: str) -> str:
    return word.replace("-", " ")


def seq_strategy(children: st.SearchStrategy[tuple[str, set[str]]]
                 ) -> st.SearchStrategy[tuple[str, set[str]]]:
    def join(parts: list[tuple[str, set[str]]]) -> tuple[str, set[str]]:
        text = " ".join(p[0] for p in parts)
        sentences = {""}
        for _, options in parts:
            sentences = {f"{a} {b}".strip() for a in sentences for b in options}
        return text, sentences

    def group(alternatives: list[tuple[str, set[str]]], optional: bool) -> tuple[str, set[str]]:
        text = "|".join(a[0] for a in alternatives)
        options = set().union(*(a[1] for a in alternatives))
        return (f"[{text}]", options | {""}) if optional else (f"({text})", options)

    item = st.one_of(
        children,
        st.builds(group, st.lists(children, min_size=1, max_size=3), st.booleans()),
    )
    return st.lists(item, min_size=1, max_size=3).map(join)


TEMPLATES = st.recursive(WORD.map(lambda w: (w, {spoken(w)})), seq_strategy, max_leaves=8)


@settings(max_examples=200, deadline=None)
@given(TEMPLATES)
def test_generated_templates_round_trip(template: tuple[str, set[str]]) -> None:
    text, expected = template
    try:
        got = {" ".join(words) for words in expand_template(text)}
    except TemplateError as error:  # too big, or everything optional
        assert "more than" in str(error) or "optional" in str(error)
        return
    assert got == expected - {""}


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab '-|()[]{}x,é\n", max_size=40))
def test_parser_raises_only_template_errors(text: str) -> None:
    try:
        patterns = expand_template(text, frozenset({"x"}))
    except TemplateError as error:
        assert str(error).startswith("<template>:1:")
    else:
        assert patterns and all(patterns)


# --- errors name file and line ---------------------------------------------------------------

@pytest.mark.parametrize(("body", "line", "problem"), [
    ('[intents.next]\nsentences = [\n  "next",\n  "(next one",\n]\n', 4, "unbalanced"),
    ('[intents.next]\nsentences = ["next one]"]\n', 2, "unbalanced"),
    ('[intents.next]\nsentences = [\n  "next",\n  "(next||another)",\n]\n', 4, "empty"),
    ('[intents.skip]\nsentences = ["skip"]\n[intents.start_game]\nsentences = ["play {gmae}"]\n',
     4, "unknown slot"),
    ('[intents.next]\nsentences = ["next"]\n\n[intents.nxet]\nsentences = ["next"]\n', 4,
     "unknown intent"),
    ('[intents.next]\nsentence = ["next"]\n', 1, "unknown key"),
    ('[intents.next]\nsentences = ["next"\n', 2, "bad TOML"),
    ('# intents\n[intents.next]\nsentences = ["next" "one"]\n', 3, "bad TOML"),
    ('[intents.next]\nsentences = "next"\n', 1, "list of strings"),
    ('[lists.game]\ndreams = ["dreams", "(our goals"]\n', 2, "unbalanced"),
    ('[lists.game]\ndreams = "dreams"\n', 2, "list of strings"),
    ('[things.next]\nsentences = ["next"]\n', 1, "unknown table"),
    ('[intents.next]\nsentences = ["next, please"]\n', 2, "unexpected character"),
    ('[intents.next]\nsentences = ["[next]"]\n', 2, "optional"),
])
def test_errors_name_file_and_line(tmp_path: Path, body: str, line: int, problem: str) -> None:
    write(tmp_path, body)
    with pytest.raises(TemplateError) as caught:
        load_intents(tmp_path)
    assert f"{tmp_path / 'bad.toml'}:{line}:" in caught.value.message
    assert problem in caught.value.message
    assert caught.value.fix


def test_slot_list_defined_twice_is_an_error(tmp_path: Path) -> None:
    write(tmp_path, GOOD_LIST, "a.toml")
    write(tmp_path, GOOD_LIST, "b.toml")
    with pytest.raises(TemplateError, match="defined twice"):
        load_intents(tmp_path)


def test_empty_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(TemplateError, match="No intent files"):
        load_intents(tmp_path)


def test_error_points_at_the_line_of_the_table_it_belongs_to(tmp_path: Path) -> None:
    # The same text is fine as a template (line 2) but not as a slot value (line 4).
    write(tmp_path, '[intents.start_game]\nsentences = ["play {game}"]\n'
                    '[lists.game]\ndreams = ["play {game}"]\n')
    with pytest.raises(TemplateError, match=r"bad\.toml:4: unknown slot \{game\}"):
        load_intents(tmp_path)


def test_filled_sentences_are_capped_at_load(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("assistant.intents.MAX_SENTENCES", 2)
    write(tmp_path, GOOD_LIST + '[intents.start_game]\nsentences = ["play {game}"]\n')
    with pytest.raises(TemplateError, match=r"bad\.toml:4: .*more than 2 sentences"):
        load_intents(tmp_path)


def test_every_word_is_in_the_builtin_recognizer_dictionary(catalog: IntentCatalog) -> None:
    # Grammar decoding can only use known words; this also catches typos in templates.
    pocketsphinx = pytest.importorskip("pocketsphinx")
    dictionary = Path(pocketsphinx.get_model_path()) / "en-us" / "cmudict-en-us.dict"
    with dictionary.open(encoding="utf-8", errors="replace") as lines:
        known = {line.split(maxsplit=1)[0].split("(")[0] for line in lines if line.strip()}
    assert sorted(catalog.vocabulary() - known) == []


def test_template_language_lives_in_its_own_module() -> None:
    from assistant import intents, template_syntax

    assert intents.expand_template is template_syntax.expand_template
    assert template_syntax.expand_template("skip [this|that] one") == [
        ("skip", "this", "one"), ("skip", "that", "one"), ("skip", "one")]
    with pytest.raises(TemplateError, match=r"x\.toml:7: unbalanced"):
        template_syntax.expand_template("skip (this", line=7, path="x.toml")
