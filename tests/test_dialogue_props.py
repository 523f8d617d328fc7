"""Every intent in every state, random event sequences, and snapshot/restore."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.decks import load_decks
from assistant.dialogue import (
    Action,
    Dialogue,
    End,
    Event,
    Heard,
    Say,
    SayKind,
    Silence,
    Started,
    State,
)
from assistant.intent import Intent

LIBRARY = load_decks(Path(__file__).parent / "fixtures" / "decks" / "good")
NAMES = ("Sam", "Alex")
GAMES = ("friendship", "soft_startup", "check_in", "intimacy", "evening", "closing", "chess", "")
INTENTS = ("start_game", "next", "repeat", "skip", "pause", "resume", "stop", "help",
           "whose_turn", "how_many_left", "go_deeper", "keep_it_light", "louder", None)
KINDS = {kind.value for kind in SayKind}


def cmd(intent: str | None, game: str = "friendship") -> Heard:
    slots = {"game": game} if intent == "start_game" else {}
    return Heard(intent or "we went there once", Intent(intent) if intent else None, slots, 1.0)


def make(seed: int = 7) -> Dialogue:
    dialogue = Dialogue(LIBRARY, NAMES, rng=random.Random(seed), intimacy_enabled=True)
    dialogue.handle(Started(at=0.0))
    return dialogue


SETUPS: dict[State, list[Event]] = {
    State.IDLE: [],
    State.CONSENT: [cmd("start_game", "intimacy")],
    State.PROMPT: [cmd("start_game")],
    State.TALKING: [cmd("start_game"), cmd(None)],
    State.PAUSED: [cmd("start_game"), cmd("pause")],
    State.SAFETY: [cmd("start_game"), Heard("I want to die", None, {}, 1.0)],
    State.CLOSING: [cmd("start_game"), cmd("stop")],
    State.ENDED: [cmd("stop")],
}


def in_state(state: State) -> Dialogue:
    dialogue = make()
    for event in SETUPS[state]:
        dialogue.handle(event)
    assert dialogue.state is state
    return dialogue


def check_actions(actions: list[Action]) -> None:
    for index, action in enumerate(actions):
        if isinstance(action, Say):
            assert action.text.strip() and action.kind in KINDS, action
            assert "{" not in action.text, action
        else:
            assert isinstance(action, End) and action.reason
            assert index == len(actions) - 1, "End comes last"


@pytest.mark.parametrize("state", list(State))
@pytest.mark.parametrize("intent", INTENTS)
def test_every_intent_in_every_state(state: State, intent: str | None) -> None:
    dialogue = in_state(state)
    actions = dialogue.handle(cmd(intent))
    check_actions(actions)
    json.dumps(dialogue.snapshot())
    if state is State.ENDED:
        assert actions == []
    if state is State.PAUSED and intent not in ("resume", "stop", "help"):
        assert actions == [] and dialogue.state is State.PAUSED
    if intent == "stop" and state is not State.ENDED:
        assert dialogue.state in (State.CLOSING, State.ENDED)
    if intent == "help" and state is not State.ENDED:
        assert next(a for a in actions if isinstance(a, Say)).kind == "help"
    if actions and isinstance(actions[-1], End):
        assert dialogue.state is State.ENDED


EXPECTED_AFTER: dict[tuple[State, str | None], State] = {
    (State.IDLE, "start_game"): State.PROMPT,
    (State.IDLE, "pause"): State.PAUSED,
    (State.PROMPT, None): State.TALKING,
    (State.PROMPT, "next"): State.TALKING,
    (State.PROMPT, "skip"): State.PROMPT,
    (State.TALKING, "pause"): State.PAUSED,
    (State.PAUSED, "resume"): State.PROMPT,
    (State.SAFETY, "resume"): State.PROMPT,
    (State.SAFETY, "stop"): State.ENDED,
    (State.SAFETY, "next"): State.SAFETY,
    (State.CLOSING, "stop"): State.ENDED,
    (State.CLOSING, "next"): State.CLOSING,
    (State.CONSENT, "next"): State.PROMPT,
}


@pytest.mark.parametrize(("start", "intent"), list(EXPECTED_AFTER))
def test_transitions(start: State, intent: str | None) -> None:
    dialogue = in_state(start)
    dialogue.handle(cmd(intent))
    assert dialogue.state is EXPECTED_AFTER[(start, intent)]


# ----- random sequences ------------------------------------------------------------------------

heards = st.builds(
    lambda intent, game, text: Heard(text if intent is None else intent or "x",
                                     Intent(intent) if intent else None,
                                     {"game": game} if intent == "start_game" else {}, 1.0),
    st.sampled_from(INTENTS), st.sampled_from(GAMES),
    st.sampled_from(["yes", "no", "we always fight about this", "I want to die", "ha ha",
                     "you're killing me", "maybe", "he hits me", "this is hard", ""]))
events = st.one_of(heards, st.builds(Silence, st.floats(0, 4000), st.just(1.0)),
                   st.just(Started(1.0)))


@settings(max_examples=150, deadline=None)
@given(st.lists(events, max_size=60), st.integers(0, 1000), st.booleans())
def test_random_event_sequences_never_fail(sequence: list[Event], seed: int,
                                           intimacy: bool) -> None:
    dialogue = Dialogue(LIBRARY, NAMES, rng=random.Random(seed), intimacy_enabled=intimacy)
    ended = False
    for event in sequence:
        actions = dialogue.handle(event)
        check_actions(actions)
        if ended:
            assert actions == []
        ended = ended or any(isinstance(a, End) for a in actions)
        prompt = dialogue.library.prompt(dialogue.m.prompt_id or "")
        if prompt is not None and prompt.deck == "intimacy" and dialogue.state in (
                State.PROMPT, State.TALKING):
            assert intimacy and dialogue.m.consented
    assert len(dialogue.m.session_used) == len(set(dialogue.m.session_used))


# ----- snapshot / restore --------------------------------------------------------------------

def scripted(dialogue: Dialogue) -> list[Action]:
    out: list[Action] = []
    for event in (cmd("next"), cmd("next"), cmd("skip"), cmd("start_game", "evening"),
                  cmd("next"), cmd("whose_turn"), cmd("stop"), cmd("next"), cmd("next")):
        out.extend(dialogue.handle(event))
    return out


@pytest.mark.parametrize("prepare", [
    lambda d: d.handle(cmd("start_game")),
    lambda d: [d.handle(cmd("start_game")), d.handle(cmd("next"))],
    lambda d: [d.handle(cmd("start_game", "intimacy")), d.handle(Heard("yes", None, {}, 1))],
])
def test_snapshot_restore_round_trip(prepare: Callable[[Dialogue], object]) -> None:
    original = make(seed=11)
    prepare(original)
    data = json.loads(json.dumps(original.snapshot()))
    restored = Dialogue.restore(data, LIBRARY, NAMES, intimacy_enabled=True)
    assert restored.state is original.state
    assert restored.snapshot() == original.snapshot()
    assert scripted(restored) == scripted(original)


def test_a_snapshot_as_json_text_restores_the_same_typed_dialogue() -> None:
    original = make(seed=11)
    original.handle(cmd("start_game"))
    original.handle(cmd(None))
    original.handle(cmd("pause"))
    text = json.dumps(original.snapshot())
    restored = Dialogue.restore(json.loads(text), LIBRARY, NAMES, intimacy_enabled=True)
    assert restored.m == original.m
    assert restored.state is State.PAUSED and restored.m.resume_state is State.TALKING
    assert restored.m.last_kind is SayKind.PROMPT
    assert json.dumps(restored.snapshot()) == text


OLD_SNAPSHOT = {
    "state": "paused", "welcomed": True, "game": "friendship",
    "prompt_id": "friendship:db1cf7c00a", "prompts_given": 1, "game_prompts": 1,
    "handed_over": True, "talk_count": 1,
    "last_text": "Sam, light friendship two? And Alex, what would you say?",
    "last_kind": "handover", "resume_state": "talking", "evening_decks": [], "evening_step": 0,
    "session_used": ["friendship:db1cf7c00a"], "games_played": ["friendship"],
    "prompt_counts": {"friendship": 1}, "consent_given": [], "consent_asking": 0,
    "consented": False, "safety_stopped": False, "help_offered": False,
    "therapist_noted": False, "skips_in_row": 0, "depth_floor": 0, "depth_cap": 2,
    "rng_state": [], "version": 1,
}
"""A snapshot as the code before typed states wrote it (plain strings), after a hand-over
and a pause."""


def test_an_old_snapshot_with_plain_strings_restores() -> None:
    restored = Dialogue.restore(dict(OLD_SNAPSHOT), LIBRARY, NAMES)
    assert restored.state is State.PAUSED and restored.m.resume_state is State.TALKING
    assert restored.m.last_kind is SayKind.HANDOVER
    assert {**restored.snapshot(), "rng_state": []} == OLD_SNAPSHOT  # the same JSON form
    resumed = restored.handle(cmd("resume"))
    assert resumed[-1] == Say("Sam, light friendship two? And Alex, what would you say?",
                              SayKind.HANDOVER)
    assert restored.state is State.TALKING


def test_an_old_snapshot_with_nothing_said_yet_restores() -> None:
    restored = Dialogue.restore({**OLD_SNAPSHOT, "last_text": "", "last_kind": ""}, LIBRARY, NAMES)
    assert restored.m.last_kind is None
    assert restored.snapshot()["last_kind"] == ""


def test_restore_then_started_greets_back_with_the_question() -> None:
    original = make()
    prompt = [a for a in original.handle(cmd("start_game")) if isinstance(a, Say)][-1]
    restored = Dialogue.restore(original.snapshot(), LIBRARY, NAMES)
    actions = restored.handle(Started(at=50.0))
    assert actions[-1] == prompt


def test_restore_rejects_an_unknown_snapshot_version() -> None:
    data = make().snapshot()
    data["version"] = 999
    with pytest.raises(ValueError):
        Dialogue.restore(data, LIBRARY, NAMES)


# ----- the real decks and the spoken lines ----------------------------------------------------

@settings(max_examples=40, deadline=None)
@given(st.lists(events, max_size=40), st.integers(0, 1000))
def test_random_sequences_with_the_real_decks(sequence: list[Event], seed: int) -> None:
    dialogue = Dialogue(load_decks(), NAMES, rng=random.Random(seed), intimacy_enabled=True)
    dialogue.handle(Started(0.0))
    for event in sequence:
        check_actions(dialogue.handle(event))


def test_a_real_evening_from_start_to_goodbye() -> None:
    dialogue = Dialogue(load_decks(), NAMES, rng=random.Random(2))
    dialogue.handle(Started(0.0))
    dialogue.handle(cmd("start_game", "evening"))
    for _ in range(40):
        if dialogue.state is State.ENDED:
            break
        dialogue.handle(cmd(None))
        check_actions(dialogue.handle(cmd("next")))
    assert dialogue.state is State.ENDED
    assert sum(dialogue.prompt_counts().values()) >= 10


def test_every_line_the_code_uses_exists_and_fills_in() -> None:
    import re

    from assistant.dialogue.lines import load_lines

    lines = load_lines()
    source = "".join(path.read_text() for path in
                     (Path(__file__).parent.parent / "assistant" / "dialogue").glob("*.py"))
    used = set(re.findall(r'(?:say_line|_say|lines\.get)\(\s*"(\w+)"', source))
    assert used and used <= set(lines), used - set(lines)
    for key, variants in lines.items():
        for text in variants:
            filled = text.format(first="Sam", second="Alex", name="Sam", games="a or b",
                                 title="T", count=3)
            assert "{" not in filled and len(filled.split()) <= 60, key
