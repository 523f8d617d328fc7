"""The vocabulary of what people can ask of Hearth: one `Intent` per kind of command.

The template loader (`intents.py`) accepts only these names, the matcher and the
listeners report them, and the dialogue, the pre-rendered answers and the turn-taking
gate act on them. `Intent` is a `StrEnum`, so each member equals its canonical name
("next"), prints as it, and goes into JSON as it.
"""

from __future__ import annotations

import enum


class Intent(enum.StrEnum):
    """Canonical intent names (PRODUCT.md, "Intents", plus the extras)."""

    START_GAME = "start_game"
    """Start a game; slot `game` names it (a deck name, or "evening" for a mixed one)."""
    NEXT = "next"
    REPEAT = "repeat"
    SKIP = "skip"
    PAUSE = "pause"
    RESUME = "resume"
    STOP = "stop"
    HELP = "help"
    WHOSE_TURN = "whose_turn"
    HOW_MANY_LEFT = "how_many_left"
    GO_DEEPER = "go_deeper"
    KEEP_IT_LIGHT = "keep_it_light"
    SLOWER = "slower"
    FASTER = "faster"
    LOUDER = "louder"
    SOFTER = "softer"

