"""The dialogue state machine: `Dialogue.handle(event) -> list[Action]`.

idle (welcome, offer games) → [consent, for the opt-in game] → prompt → talking → (next /
skip / repeat / pause / resume / help / switch game) → closing → End. Safety is checked on
every heard word, in every state. No I/O: the history is an injected `PromptSource`.
"""

from __future__ import annotations

import random
from typing import Any

from assistant import safety
from assistant.decks import DEPTHS, Deck, DeckLibrary, Prompt
from assistant.dialogue import care, picker, turns
from assistant.dialogue.events import (
    Action,
    Event,
    Heard,
    PromptSource,
    Say,
    Silence,
    Started,
    State,
)
from assistant.dialogue.lines import Lines
from assistant.dialogue.memory import Memory, rng_state_from_json, rng_state_to_json

HANDOVER_SILENCE = 15.0
"""Seconds of quiet, after the first partner has spoken, before inviting the other."""
HELP_SILENCE = 300.0
"""Seconds of quiet before Hearth gently offers help, once, until something happens."""
CONSENT_SILENCE = 45.0
"""Seconds without an answer to a consent question before taking it as a no."""
GAME_STATES = (State.PROMPT, State.TALKING, State.CLOSING)
IDLE_INTENTS = ("next", "skip", "repeat", "resume", "whose_turn", "how_many_left", "go_deeper",
                "keep_it_light")


class Dialogue:
    """One evening's conversation. Feed it events; speak the `Say`s it returns, in order."""

    def __init__(self, library: DeckLibrary, names: tuple[str, str], *,
                 history: PromptSource | None = None, intimacy_enabled: bool = False,
                 country: str = "US", rng: random.Random | None = None) -> None:
        self.library = library
        self.names = names
        self.history = history
        self.intimacy_enabled = intimacy_enabled
        self.country = country
        self.rng = rng or random.Random()
        self.lines = Lines(self.rng)
        self.m = Memory()

    @property
    def state(self) -> State:
        return State(self.m.state)

    # ----- snapshot ---------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """Everything needed to resume after a crash, as JSON-able data."""
        self.m.rng_state = rng_state_to_json(self.rng.getstate())
        return self.m.to_dict()

    @classmethod
    def restore(cls, snapshot: dict[str, Any], library: DeckLibrary, names: tuple[str, str],
                *, history: PromptSource | None = None, intimacy_enabled: bool = False,
                country: str = "US", rng: random.Random | None = None) -> Dialogue:
        """A dialogue that continues from `snapshot`; send `Started` to greet the couple
        back and repeat the last question."""
        dialogue = cls(library, names, history=history, intimacy_enabled=intimacy_enabled,
                       country=country, rng=rng)
        dialogue.m = Memory.from_dict(snapshot)
        if rng is None and dialogue.m.rng_state:
            dialogue.rng.setstate(rng_state_from_json(dialogue.m.rng_state))
        return dialogue

    def games_played(self) -> tuple[str, ...]:
        return tuple(self.m.games_played)

    def prompt_counts(self) -> dict[str, int]:
        return dict(self.m.prompt_counts)

    # ----- events -----------------------------------------------------------------------

    def handle(self, event: Event) -> list[Action]:
        if self.state is State.ENDED:
            return []
        if isinstance(event, Started):
            return self._started()
        if isinstance(event, Silence):
            return self._silence(event.seconds)
        if isinstance(event, Heard):
            return self._heard(event)
        return []

    def _started(self) -> list[Action]:
        if not self.m.welcomed:
            self.m.welcomed = True
            return [self._say("welcome", "welcome", remember=True, first=self.names[0],
                              second=self.names[1])]
        if self.state in (State.PROMPT, State.TALKING, State.CLOSING, State.CONSENT):
            return [self._say("resume", "info"), turns.where_we_were(self)]
        if self.state in (State.PAUSED, State.SAFETY):
            key = "help_paused" if self.state is State.PAUSED else "help_safety"
            return [self._say(key, "help")]
        return [self._say("resume_idle", "info"), self._say("offer", "info")]

    def _silence(self, seconds: float) -> list[Action]:
        state = self.state
        if state is State.CONSENT and seconds >= CONSENT_SILENCE:
            return care.consent_declined(self)
        if (state in GAME_STATES and self.m.talk_count and not self.m.handed_over
                and seconds >= HANDOVER_SILENCE):
            return self._handover()
        if seconds >= HELP_SILENCE and not self.m.help_offered and (
                state in GAME_STATES or state is State.IDLE):
            self.m.help_offered = True
            key = "silence_help_idle" if state is State.IDLE else "silence_help"
            return [self._say(key, "help")]
        return []

    def _heard(self, event: Heard) -> list[Action]:
        self.m.help_offered = False
        concern = safety.detect(event.text)
        if concern is not None and self.state is not State.SAFETY:
            return care.safety_stop(self, concern.kind)
        state, intent = self.state, event.intent
        if state is State.PAUSED:
            return self._paused(intent)
        if state is State.SAFETY:
            return care.after_safety(self, intent, event.slots)
        if state is State.CONSENT:
            return care.consent(self, event)
        if intent == "stop":
            return self._stop()
        if intent == "help":
            key = "help_closing" if state is State.CLOSING else "help_game"
            return [self._say("help_idle" if state is State.IDLE else key, "help")]
        if intent == "start_game":
            return self.start_game(event.slots.get("game", ""))
        if intent == "pause":
            self.m.resume_state, self.m.state = self.m.state, State.PAUSED.value
            return [self._say("pause", "info")]
        if state is State.IDLE:
            return self._idle(intent)
        return self._in_game(event)

    # ----- idle and pause ----------------------------------------------------------

    def _idle(self, intent: str | None) -> list[Action]:
        if intent not in IDLE_INTENTS:
            return []
        if intent == "repeat":
            return [Say(self.m.last_text, self.m.last_kind) if self.m.last_text
                    else self._say("repeat_nothing", "info")]
        if intent == "go_deeper":
            self.m.depth_floor, self.m.depth_cap = 1, 2
        if intent == "keep_it_light":
            self.m.depth_floor, self.m.depth_cap = 0, 0
        return [self._say("no_game_yet", "info")]

    def _paused(self, intent: str | None) -> list[Action]:
        if intent == "resume":
            self.m.state = self.m.resume_state
            if self.state is State.IDLE or not self.m.last_text:
                return [self._say("resume_idle", "info"), self._say("offer", "info")]
            return [self._say("resume", "info"), turns.where_we_were(self)]
        if intent == "stop":
            return self._stop()
        if intent == "help":
            return [self._say("help_paused", "help")]
        return []

    # ----- games ------------------------------------------------------------------------

    def _games(self) -> list[Deck]:
        return picker.available_games(self.library, intimacy_enabled=self.intimacy_enabled,
                                      safety_stopped=self.m.safety_stopped)

    def start_game(self, game: str) -> list[Action]:
        deck = self.library.get(game)
        if game == self.m.game and self.state in (State.PROMPT, State.TALKING):
            title = "our evening" if game == "evening" else deck.title if deck else game
            return [self._say("already_playing", "info", title=title)]
        if game == "evening":
            return self.begin("evening")
        if deck is None or deck.kind != "game":
            return [self._say("which_game" if not game else "unknown_game", "info")]
        if deck.opt_in and not self.intimacy_enabled:
            return [self._say("intimacy_off", "info")]
        if self.m.safety_stopped and deck.name in picker.GENTLE_AFTER_SAFETY:
            return [self._say("game_not_tonight", "info")]
        if deck.opt_in and not self.m.consented:
            return care.ask_consent(self)
        return self.begin(deck.name)

    def begin(self, game: str) -> list[Action]:
        switching = self.m.game is not None and self.state in GAME_STATES
        self.m.game, self.m.game_prompts, self.m.evening_step = game, 0, 0
        if game not in self.m.games_played:
            self.m.games_played.append(game)
        said: list[Action] = []
        if game == "evening":
            self.m.evening_decks = picker.evening_decks(
                self.library, safety_stopped=self.m.safety_stopped, rng=self.rng)
            if switching:
                said.append(self._say("switching", "info", title="a mixed evening"))
            said.append(self._say("evening_intro", "intro"))
        else:
            deck = self.library.get(game)
            assert deck is not None
            if switching:
                said.append(self._say("switching", "info", title=deck.title))
            said.append(Say(deck.intro, "intro"))
        return said + self._next_prompt()

    def _in_game(self, event: Heard) -> list[Action]:
        return turns.in_game(self, event)

    def _next_prompt(self) -> list[Action]:
        return turns.next_prompt(self)

    def _handover(self) -> list[Action]:
        return turns.handover(self)

    def _stop(self) -> list[Action]:
        return turns.stop(self)

    # ----- speaking ---------------------------------------------------------------------

    def first_and_second(self) -> tuple[str, str]:
        """Who answers first on the current prompt (alternates every prompt)."""
        index = (self.m.prompts_given - 1) % 2 if self.m.prompts_given else 0
        return self.names[index], self.names[1 - index]

    def _say(self, key: str, kind: str, *, remember: bool = False, **values: object) -> Say:
        return self.say_line(key, kind, remember=remember, **values)

    def say_line(self, key: str, kind: str, *, remember: bool = False, **values: object) -> Say:
        """Say a line from lines.toml; {first}/{second} are this prompt's order, {games} the
        games on offer now."""
        first, second = self.first_and_second()
        fill: dict[str, object] = {"first": first, "second": second, "games": games_list(self)}
        fill.update(values)
        text = self.lines.get(key, **fill)
        if remember:
            self.m.last_text, self.m.last_kind = text, kind
        return Say(text, kind)

    def say_prompt(self, prompt: Prompt, kind: str) -> Say:
        first, second = self.first_and_second()
        text = prompt.render(first, second)
        self.m.last_text, self.m.last_kind = text, kind
        return Say(text, kind)

    def games_on_offer(self) -> list[Deck]:
        return self._games()

    def depth(self) -> str:
        if self.m.game == "evening":
            return picker.evening_depth(self.m.evening_step, self.m.depth_floor,
                                        self.m.depth_cap)
        return picker.target_depth(self.m.game_prompts, self.m.depth_floor, self.m.depth_cap)

    def at_deepest(self) -> bool:
        return self.m.depth_floor >= len(DEPTHS) - 1


def games_list(dialogue: Dialogue) -> str:
    return picker.spoken_list([deck.title for deck in dialogue.games_on_offer()], "and")
