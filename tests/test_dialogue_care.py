"""The careful parts of the dialogue: safety stops, consent by voice, the therapist note, and
silence that is allowed."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from assistant.decks import load_decks
from assistant.dialogue import Action, Dialogue, End, Heard, Say, Silence, Started, State
from assistant.dialogue.machine import CONSENT_SILENCE, HELP_SILENCE
from assistant.intent import Intent

LIBRARY = load_decks(Path(__file__).parent / "fixtures" / "decks" / "good")
NAMES = ("Sam", "Alex")


def make(seed: int = 7, **options: object) -> Dialogue:
    dialogue = Dialogue(LIBRARY, NAMES, rng=random.Random(seed), **options)  # type: ignore[arg-type]
    dialogue.handle(Started(at=0.0))
    return dialogue


def cmd(intent: str, game: str | None = None) -> Heard:
    return Heard(intent.replace("_", " "), Intent(intent), {"game": game} if game else {}, 1.0)


def talk(text: str) -> Heard:
    return Heard(text, None, {}, 1.0)


def says(actions: list[Action]) -> list[Say]:
    return [a for a in actions if isinstance(a, Say)]


def kinds(actions: list[Action]) -> list[str]:
    return [a.kind for a in says(actions)]


def current_deck(dialogue: Dialogue) -> str:
    prompt = dialogue.library.prompt(dialogue.m.prompt_id or "")
    assert prompt is not None
    return prompt.deck


# ----- safety --------------------------------------------------------------------------------

def test_crisis_words_in_conversation_stop_the_game_with_help_lines() -> None:
    dialogue = make()
    dialogue.handle(cmd("start_game", "friendship"))
    [said] = dialogue.handle(talk("honestly I don't want to be here anymore"))
    assert isinstance(said, Say) and said.kind == "safety"
    assert "nine, eight, eight" in said.text and "nine one one" in said.text
    assert "continue" in said.text
    assert dialogue.state is State.SAFETY


@pytest.mark.parametrize(("country", "words"), [
    ("US", "seven nine nine, seven two three three"),
    ("UK", "one one six, one two three"),
    ("CA", "two one one"),
    ("AU", "one eight hundred, seven three seven, seven three two"),
])
def test_help_lines_follow_the_configured_country(country: str, words: str) -> None:
    dialogue = make(country=country)
    [said] = says(dialogue.handle(talk("he hits me")))
    assert words in said.text


def test_after_a_safety_stop_hearth_waits_quietly() -> None:
    dialogue = make()
    dialogue.handle(cmd("start_game", "friendship"))
    dialogue.handle(talk("I'm scared of you"))
    for intent in ("next", "skip", "pause", "whose_turn"):
        assert dialogue.handle(cmd(intent)) == []
    assert dialogue.handle(talk("I want to die")) == []  # no repeating lecture
    assert dialogue.handle(Silence(HELP_SILENCE * 2, 900.0)) == []
    assert "nine, eight, eight" in says(dialogue.handle(cmd("repeat")))[-1].text
    assert dialogue.state is State.SAFETY


def test_resume_after_safety_goes_on_gently() -> None:
    dialogue = make()
    dialogue.handle(cmd("start_game", "friendship"))
    dialogue.handle(talk("she threatened me"))
    actions = dialogue.handle(cmd("resume"))
    assert kinds(actions) == ["info", "prompt"]
    assert current_deck(dialogue) == "friendship"


def test_stop_after_safety_ends_without_the_closing_game() -> None:
    dialogue = make()
    dialogue.handle(cmd("start_game", "friendship"))
    dialogue.handle(talk("I'm not safe at home"))
    actions = dialogue.handle(cmd("stop"))
    assert isinstance(actions[-1], End) and actions[-1].reason == "safety"
    assert "closing" not in kinds(actions)


def test_conflict_games_are_not_offered_again_after_a_safety_stop() -> None:
    dialogue = make()
    dialogue.handle(cmd("start_game", "soft_startup"))
    dialogue.handle(talk("I've been thinking about hurting myself"))
    actions = says(dialogue.handle(cmd("resume")))
    assert dialogue.state is State.IDLE
    assert "Title soft_startup" not in actions[-1].text
    assert "Title check_in" not in actions[-1].text and "Friendship" in actions[-1].text
    said = says(dialogue.handle(cmd("start_game", "check_in")))
    assert dialogue.state is State.IDLE and "another night" in said[0].text
    dialogue.handle(cmd("start_game", "evening"))
    for _ in range(6):
        assert current_deck(dialogue) not in ("soft_startup", "check_in")
        dialogue.handle(cmd("skip"))


@pytest.mark.parametrize("state_setup", ["idle", "paused", "consent"])
def test_safety_words_act_in_every_state(state_setup: str) -> None:
    dialogue = make(intimacy_enabled=True)
    if state_setup == "paused":
        dialogue.handle(cmd("start_game", "friendship"))
        dialogue.handle(cmd("pause"))
    if state_setup == "consent":
        dialogue.handle(cmd("start_game", "intimacy"))
    assert kinds(dialogue.handle(talk("i want to die"))) == ["safety"]
    assert dialogue.state is State.SAFETY


@pytest.mark.parametrize("text", ["I could die laughing", "you're killing me",
                                  "I'd kill for a pizza", "this traffic is murder",
                                  "I'm dying to know"])
def test_idioms_do_not_stop_the_game(text: str) -> None:
    dialogue = make()
    dialogue.handle(cmd("start_game", "friendship"))
    assert dialogue.handle(talk(text)) == []
    assert dialogue.state is State.TALKING


# ----- consent -------------------------------------------------------------------------------

def test_intimacy_is_not_offered_or_played_when_disabled() -> None:
    dialogue = make()
    said = says(dialogue.handle(cmd("start_game", "intimacy")))
    assert "switched off" in said[0].text and dialogue.state is State.IDLE


def test_both_partners_say_yes_by_name() -> None:
    dialogue = make(intimacy_enabled=True)
    [ask_sam] = says(dialogue.handle(cmd("start_game", "intimacy")))
    assert ask_sam.kind == "consent" and "Sam" in ask_sam.text
    [ask_alex] = says(dialogue.handle(talk("yes")))
    assert "Alex" in ask_alex.text
    actions = dialogue.handle(talk("yeah, sure"))
    assert kinds(actions) == ["consent", "intro", "prompt"]
    assert current_deck(dialogue) == "intimacy"
    dialogue.handle(cmd("start_game", "friendship"))
    assert kinds(dialogue.handle(cmd("start_game", "intimacy")))[-1] == "prompt"  # asked once


@pytest.mark.parametrize(("first", "second"), [("no", None), ("yes", "no thanks"),
                                               ("maybe later", None), ("yes", "hmm"),
                                               ("what do you think?", None)])
def test_anything_but_two_clear_yeses_plays_something_else(first: str,
                                                           second: str | None) -> None:
    dialogue = make(intimacy_enabled=True)
    dialogue.handle(cmd("start_game", "intimacy"))
    actions = dialogue.handle(talk(first))
    if second is not None:
        actions = dialogue.handle(talk(second))
    assert kinds(actions)[0] == "consent" and "fine" in says(actions)[0].text
    assert current_deck(dialogue) == "friendship"
    assert not dialogue.m.consented


def test_a_no_while_playing_returns_to_that_game() -> None:
    dialogue = make(intimacy_enabled=True)
    dialogue.handle(cmd("start_game", "check_in"))
    dialogue.handle(cmd("start_game", "intimacy"))
    dialogue.handle(talk("no"))
    assert current_deck(dialogue) == "check_in"


def test_silence_during_consent_is_not_a_yes() -> None:
    dialogue = make(intimacy_enabled=True)
    dialogue.handle(cmd("start_game", "intimacy"))
    assert dialogue.handle(Silence(CONSENT_SILENCE - 1, 40.0)) == []
    assert kinds(dialogue.handle(Silence(CONSENT_SILENCE, 50.0)))[0] == "consent"
    assert dialogue.state is State.PROMPT and current_deck(dialogue) == "friendship"


def test_help_during_consent_asks_again() -> None:
    dialogue = make(intimacy_enabled=True)
    dialogue.handle(cmd("start_game", "intimacy"))
    actions = says(dialogue.handle(cmd("help")))
    assert "Sam" in actions[-1].text and dialogue.state is State.CONSENT


# ----- the therapist note --------------------------------------------------------------------

def test_a_hard_moment_gets_one_gentle_therapist_note() -> None:
    dialogue = make()
    dialogue.handle(cmd("start_game", "soft_startup"))
    [note] = says(dialogue.handle(talk("we always fight about this")))
    assert note.kind == "therapist" and "therapist" in note.text and "not" in note.text
    assert dialogue.handle(talk("this is hard")) == []


def test_several_skips_in_a_conflict_game_bring_the_note() -> None:
    dialogue = make()
    dialogue.handle(cmd("start_game", "check_in"))
    assert kinds(dialogue.handle(cmd("skip"))) == ["prompt"]
    assert kinds(dialogue.handle(cmd("skip"))) == ["prompt"]
    assert kinds(dialogue.handle(cmd("skip"))) == ["therapist", "prompt"]


def test_skips_in_a_light_game_bring_no_note() -> None:
    dialogue = make()
    dialogue.handle(cmd("start_game", "friendship"))
    for _ in range(4):
        assert "therapist" not in kinds(dialogue.handle(cmd("skip")))


# ----- silence -------------------------------------------------------------------------------

def test_long_silence_offers_help_once_and_never_nags() -> None:
    dialogue = make()
    dialogue.handle(cmd("start_game", "friendship"))
    assert dialogue.handle(Silence(HELP_SILENCE - 1, 299.0)) == []
    assert kinds(dialogue.handle(Silence(HELP_SILENCE, 300.0))) == ["help"]
    for minutes in range(6, 60, 5):
        assert dialogue.handle(Silence(minutes * 60.0, minutes * 60.0)) == []
    dialogue.handle(talk("oh, sorry, where were we"))
    assert kinds(dialogue.handle(Silence(HELP_SILENCE, 4000.0))) == ["handover"]
    assert kinds(dialogue.handle(Silence(HELP_SILENCE, 4400.0))) == ["help"]


def test_silence_in_idle_offers_the_games_once() -> None:
    dialogue = make()
    assert kinds(dialogue.handle(Silence(HELP_SILENCE, 300.0))) == ["help"]
    assert dialogue.handle(Silence(HELP_SILENCE * 3, 900.0)) == []


def test_silence_while_paused_is_never_interrupted() -> None:
    dialogue = make()
    dialogue.handle(cmd("start_game", "friendship"))
    dialogue.handle(cmd("pause"))
    assert dialogue.handle(Silence(HELP_SILENCE * 10, 3000.0)) == []
