"""Safety words: crisis and fear trigger, idioms and everyday talk do not; help lines per
country are spoken clearly; conversations that get hard are recognized."""

from __future__ import annotations

import re

import pytest

from assistant.safety import CRISIS, FEAR, countries, detect, help_lines, is_hard_moment

CRISIS_WORDS = [
    "I want to die",
    "i just want to die",
    "I don't want to be here anymore",
    "i dont want to be here any more",
    "I've been thinking about hurting myself",
    "sometimes I think about killing myself",
    "I wish I was dead",
    "everyone would be better off without me",
    "I've been having suicidal thoughts",
    "I want to end it all",
    "there's no reason to live",
    "I don't want to live like this",
    "I'm going to end my life",
]
FEAR_WORDS = [
    "I'm scared of you",
    "I am afraid of him",
    "he hits me",
    "she threatened me",
    "he threatened to kill me",
    "I'm not safe at home",
    "I don't feel safe with you",
    "she pushed me",
    "I'm terrified of my husband",
    "I'm scared of what he will do",
]
IDIOMS_AND_TALK = [
    "I could die laughing",
    "you're killing me",
    "I'd kill for a pizza",
    "this traffic is murder",
    "I'm dying to know",
    "that cake was to die for",
    "I nearly died of embarrassment",
    "I hurt myself playing football last week",
    "I cut myself chopping onions",
    "hit me with the next question",
    "I'm scared of spiders",
    "I was bored to death at that meeting",
    "we're dying to go back to Lisbon",
    "the boss will kill me if I'm late",
    "I'm afraid of heights",
    "I felt safe with you from day one",
    "next question please",
    "",
]


@pytest.mark.parametrize("text", CRISIS_WORDS)
def test_crisis_words_trigger(text: str) -> None:
    concern = detect(text)
    assert concern is not None and concern.kind == CRISIS


@pytest.mark.parametrize("text", FEAR_WORDS)
def test_fear_words_trigger(text: str) -> None:
    concern = detect(text)
    assert concern is not None and concern.kind == FEAR


@pytest.mark.parametrize("text", IDIOMS_AND_TALK)
def test_idioms_and_everyday_talk_do_not_trigger(text: str) -> None:
    assert detect(text) is None


def test_words_inside_longer_conversation_trigger() -> None:
    text = "it's been a long week and honestly I don't want to be here anymore, you know"
    assert detect(text) is not None


def test_recognizer_style_text_without_apostrophes_triggers() -> None:
    assert detect("i dont want to be here anymore") is not None
    assert detect("im scared of you") is not None


@pytest.mark.parametrize(("country", "numbers"), [
    ("US", ["nine, eight, eight", "seven nine nine, seven two three three", "nine one one"]),
    ("UK", ["one one six, one two three", "oh eight oh eight, two thousand, two four seven",
            "nine nine nine"]),
    ("CA", ["nine, eight, eight", "two one one", "nine one one"]),
    ("AU", ["thirteen, eleven, fourteen", "seven three seven, seven three two",
            "triple zero"]),
    ("IE", ["one one six, one two three", "one eight hundred, three four one",
            "one one two"]),
    ("NZ", ["one seven three seven", "oh eight hundred, seven three three", "one one one"]),
])
def test_help_lines_per_country(country: str, numbers: list[str]) -> None:
    spoken = help_lines(country, CRISIS)
    for number in numbers:
        assert number in spoken


def test_help_lines_are_written_for_the_ear() -> None:
    for country in countries():
        for kind in (CRISIS, FEAR):
            assert not re.search(r"\d", help_lines(country, kind)), country


def test_fear_puts_the_abuse_line_first() -> None:
    spoken = help_lines("US", FEAR)
    assert spoken.index("Domestic Violence") < spoken.index("Suicide")
    spoken = help_lines("US", CRISIS)
    assert spoken.index("Suicide") < spoken.index("Domestic Violence")


def test_unknown_country_falls_back_to_us() -> None:
    assert help_lines("ZZ") == help_lines("US")
    assert help_lines("uk") == help_lines("UK")


@pytest.mark.parametrize("text", ["this is hard", "this is really hard for me",
                                  "we always fight about this", "it's the same old argument",
                                  "we keep going round in circles"])
def test_hard_moments(text: str) -> None:
    assert is_hard_moment(text)


@pytest.mark.parametrize("text", ["this is fun", "that was a hard hike", "we always laugh"])
def test_not_hard_moments(text: str) -> None:
    assert not is_hard_moment(text)
