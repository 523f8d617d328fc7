"""The dialogue state machine: `Dialogue.handle(event) -> list[Action]`.

idle (welcome, offer games) → [consent, for the opt-in game] → prompt → talking → (next /
skip / repeat / pause / resume / help / switch game) → closing → End. Safety is checked on
every heard word, in every state. No I/O: the history is an injected `PromptSource`.

The machine only routes: each event goes to the step that owns it (`turns`, `games`,
`care`), all of which work on the shared `Table`.
"""

from __future__ import annotations

import random
from typing import Any

from assistant import safety
from assistant.decks import DeckLibrary
from assistant.dialogue import care, games, turns
from assistant.dialogue.events import (
    Action,
    Event,
    Heard,
    PromptSource,
    SayKind,
    Silence,
    Started,
    State,
)
from assistant.dialogue.games import GAME_STATES
from assistant.dialogue.memory import Memory, rng_state_from_json, rng_state_to_json
from assistant.dialogue.table import Table
from assistant.intent import Intent

HANDOVER_SILENCE = 15.0
"""Seconds of quiet, after the first partner has spoken, before inviting the other."""
HELP_SILENCE = 300.0
"""Seconds of quiet before Hearth gently offers help, once, until something happens."""
CONSENT_SILENCE = 45.0
"""Seconds without an answer to a consent question before taking it as a no."""
IDLE_INTENTS = (Intent.NEXT, Intent.SKIP, Intent.REPEAT, Intent.RESUME, Intent.WHOSE_TURN,
                Intent.HOW_MANY_LEFT, Intent.GO_DEEPER, Intent.KEEP_IT_LIGHT)
"""Game commands heard before any game: answered with a word, not ignored."""


class Dialogue:
    """One evening's conversation. Feed it events; speak the `Say`s it returns, in order."""

    def __init__(self, library: DeckLibrary, names: tuple[str, str], *,
                 history: PromptSource | None = None, intimacy_enabled: bool = False,
                 country: str = "US", rng: random.Random | None = None) -> None:
        self._table = Table(library, names, history=history, intimacy_enabled=intimacy_enabled,
                            country=country, rng=rng or random.Random())

    # ----- what the couple chose, and what happened so far (read-only) -----------------------

    @property
    def library(self) -> DeckLibrary:
        return self._table.library

    @property
    def m(self) -> Memory:
        """The dialogue's memory, for tests and the snapshot; change it only by events."""
        return self._table.m

    @property
    def state(self) -> State:
        return self._table.m.state

    def games_played(self) -> tuple[str, ...]:
        return tuple(self.m.games_played)

    def prompt_counts(self) -> dict[str, int]:
        return dict(self.m.prompt_counts)

    # ----- snapshot ---------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """Everything needed to resume after a crash, as JSON-able data."""
        self.m.rng_state = rng_state_to_json(self._table.rng.getstate())
        return self.m.to_dict()

    @classmethod
    def restore(cls, snapshot: dict[str, Any], library: DeckLibrary, names: tuple[str, str],
                *, history: PromptSource | None = None, intimacy_enabled: bool = False,
                country: str = "US", rng: random.Random | None = None) -> Dialogue:
        """A dialogue that continues from `snapshot`; send `Started` to greet the couple
        back and repeat the last question."""
        dialogue = cls(library, names, history=history, intimacy_enabled=intimacy_enabled,
                       country=country, rng=rng)
        table = dialogue._table
        table.m = Memory.from_dict(snapshot)
        if rng is None and table.m.rng_state:
            table.rng.setstate(rng_state_from_json(table.m.rng_state))
        return dialogue

    def rehearsal(self, history: PromptSource | None) -> Dialogue:
        """A copy that goes on from exactly here (random state included), reading and
        writing `history` instead: to try what the dialogue would say next."""
        table = self._table
        return Dialogue.restore(self.snapshot(), table.library, table.names, history=history,
                                intimacy_enabled=table.intimacy_enabled, country=table.country)

    # ----- events -----------------------------------------------------------------------

    def handle(self, event: Event) -> list[Action]:
        if self.state is State.ENDED:
            return []
        if isinstance(event, Started):
            return self._started()
        if isinstance(event, Silence):
            return self._silence(event.seconds)
        return self._heard(event)

    def _started(self) -> list[Action]:
        t = self._table
        if not t.m.welcomed:
            t.m.welcomed = True
            return [t.say_line("welcome", SayKind.WELCOME, remember=True, first=t.names[0],
                               second=t.names[1])]
        if t.m.state in (State.PROMPT, State.TALKING, State.CLOSING, State.CONSENT):
            return [t.say_line("resume", SayKind.INFO), turns.where_we_were(t)]
        if t.m.state in (State.PAUSED, State.SAFETY):
            key = "help_paused" if t.m.state is State.PAUSED else "help_safety"
            return [t.say_line(key, SayKind.HELP)]
        return [t.say_line("resume_idle", SayKind.INFO), t.say_line("offer", SayKind.INFO)]

    def _silence(self, seconds: float) -> list[Action]:
        t = self._table
        state = t.m.state
        if state is State.CONSENT and seconds >= CONSENT_SILENCE:
            return care.consent_declined(t)
        if (state in GAME_STATES and t.m.talk_count and not t.m.handed_over
                and seconds >= HANDOVER_SILENCE):
            return turns.handover(t)
        if seconds >= HELP_SILENCE and not t.m.help_offered and (
                state in GAME_STATES or state is State.IDLE):
            t.m.help_offered = True
            key = "silence_help_idle" if state is State.IDLE else "silence_help"
            return [t.say_line(key, SayKind.HELP)]
        return []

    def _heard(self, event: Heard) -> list[Action]:
        t = self._table
        t.m.help_offered = False
        concern = safety.detect(event.text)
        if concern is not None and t.m.state is not State.SAFETY:
            return care.safety_stop(t, concern.kind)
        state, intent = t.m.state, event.intent
        if state is State.PAUSED:
            return self._paused(intent)
        if state is State.SAFETY:
            return care.after_safety(t, intent, event.slots)
        if state is State.CONSENT:
            return care.consent(t, event)
        if intent == Intent.STOP:
            return turns.stop(t)
        if intent == Intent.HELP:
            key = "help_closing" if state is State.CLOSING else "help_game"
            return [t.say_line("help_idle" if state is State.IDLE else key, SayKind.HELP)]
        if intent == Intent.START_GAME:
            return games.start_game(t, event.slots.get("game", ""))
        if intent == Intent.PAUSE:
            t.m.resume_state, t.m.state = t.m.state, State.PAUSED
            return [t.say_line("pause", SayKind.INFO)]
        if state is State.IDLE:
            return self._idle(intent)
        return turns.in_game(t, event)

    def _idle(self, intent: Intent | None) -> list[Action]:
        t = self._table
        if intent not in IDLE_INTENTS:
            return []
        if intent == Intent.REPEAT:
            return [t.m.last_said() if t.m.last_text
                    else t.say_line("repeat_nothing", SayKind.INFO)]
        if intent == Intent.GO_DEEPER:
            t.m.depth_floor, t.m.depth_cap = 1, 2
        if intent == Intent.KEEP_IT_LIGHT:
            t.m.depth_floor, t.m.depth_cap = 0, 0
        return [t.say_line("no_game_yet", SayKind.INFO)]

    def _paused(self, intent: Intent | None) -> list[Action]:
        t = self._table
        if intent == Intent.RESUME:
            t.m.state = t.m.resume_state
            if t.m.state is State.IDLE or not t.m.last_text:
                return [t.say_line("resume_idle", SayKind.INFO), t.say_line("offer", SayKind.INFO)]
            return [t.say_line("resume", SayKind.INFO), turns.where_we_were(t)]
        if intent == Intent.STOP:
            return turns.stop(t)
        if intent == Intent.HELP:
            return [t.say_line("help_paused", SayKind.HELP)]
        return []
