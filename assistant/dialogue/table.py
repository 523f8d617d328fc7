"""What every step of the dialogue shares: who is at the table, what has happened so far,
and how Hearth words what it says.

The steps (`turns`, `games`, `care`) take a `Table` rather than the `Dialogue`, so they
depend on this small context and never on the machine that calls them: the package's
modules import one way only (table ← turns ← games ← care ← machine).
"""

from __future__ import annotations

import random

from assistant.decks import DEPTHS, Deck, DeckLibrary, Prompt
from assistant.dialogue import picker
from assistant.dialogue.events import PromptSource, Say, SayKind
from assistant.dialogue.lines import Lines
from assistant.dialogue.memory import Memory


class Table:
    """The couple, the decks, the history, the rng, and the dialogue's memory `m` (what
    changes as the evening goes on; a snapshot is `m` with the rng's state)."""

    def __init__(self, library: DeckLibrary, names: tuple[str, str], *,
                 history: PromptSource | None, intimacy_enabled: bool, country: str,
                 rng: random.Random) -> None:
        self.library = library
        self.names = names
        self.history = history
        self.intimacy_enabled = intimacy_enabled
        self.country = country
        """Which help lines a safety stop gives."""
        self.rng = rng
        self.lines = Lines(rng)
        self.m = Memory()

    def first_and_second(self) -> tuple[str, str]:
        """Who answers first on the current prompt (alternates every prompt)."""
        index = (self.m.prompts_given - 1) % 2 if self.m.prompts_given else 0
        return self.names[index], self.names[1 - index]

    def say_line(self, key: str, kind: SayKind, *, remember: bool = False, **values: object) -> Say:
        """Say a line from lines.toml; {first}/{second} are this prompt's order, {games} the
        games on offer now. `remember` makes it what "repeat" says."""
        first, second = self.first_and_second()
        fill: dict[str, object] = {"first": first, "second": second, "games": self.games_list()}
        fill.update(values)
        text = self.lines.get(key, **fill)
        if remember:
            self.m.last_text, self.m.last_kind = text, kind
        return Say(text, kind)

    def say_prompt(self, prompt: Prompt, kind: SayKind) -> Say:
        """Read a prompt with this turn's names in it; "repeat" says it again."""
        first, second = self.first_and_second()
        text = prompt.render(first, second)
        self.m.last_text, self.m.last_kind = text, kind
        return Say(text, kind)

    def games_on_offer(self) -> list[Deck]:
        """The games that may be offered now (no opt-in one unless enabled, no conflict
        practice after a safety stop)."""
        return picker.available_games(self.library, intimacy_enabled=self.intimacy_enabled,
                                      safety_stopped=self.m.safety_stopped)

    def games_list(self) -> str:
        """The games on offer as Hearth says them: "Friendship, Check-in, and Dreams"."""
        return picker.spoken_list([deck.title for deck in self.games_on_offer()], "and")

    def depth(self) -> str:
        """How deep the next prompt should go: the evening's plan, or a single game's climb,
        within what the couple asked for (go deeper, keep it light)."""
        if self.m.game == "evening":
            return picker.evening_depth(self.m.evening_step, self.m.depth_floor,
                                        self.m.depth_cap)
        return picker.target_depth(self.m.game_prompts, self.m.depth_floor, self.m.depth_cap)

    def at_deepest(self) -> bool:
        return self.m.depth_floor >= len(DEPTHS) - 1
