"""Choosing the next prompt: no repeats until a deck is used up, depth that climbs, and an
evening that mixes decks from light to deep. Pure: history and randomness are passed in."""

from __future__ import annotations

import random
from collections.abc import Collection

from assistant.decks import DEPTHS, Deck, DeckLibrary, Prompt
from assistant.dialogue.events import PromptSource

CLIMB_EVERY = 3
"""In a single game, the depth goes up one level after this many prompts."""
EVENING_PLAN = ("light", "light", "light", "medium", "medium", "medium", "deep", "deep", "deep")
"""Depth of each prompt in an evening session, in order; then the closing ritual."""
GENTLE_AFTER_SAFETY = ("soft_startup", "check_in")
"""Conflict-practice games not offered again in an evening after a safety stop."""


def target_depth(game_prompts: int, floor: int, cap: int) -> str:
    level = min(len(DEPTHS) - 1, game_prompts // CLIMB_EVERY)
    return DEPTHS[max(floor, min(cap, level))]


def evening_depth(step: int, floor: int, cap: int) -> str:
    level = DEPTHS.index(EVENING_PLAN[min(step, len(EVENING_PLAN) - 1)])
    return DEPTHS[max(floor, min(cap, level))]


def unused(deck: Deck, session_used: Collection[str],
           history: PromptSource | None) -> list[Prompt]:
    """Prompts neither used this session nor (while the deck lasts) in the history."""
    before = history.used_prompt_ids(deck.name) if history else frozenset()
    return [p for p in deck.prompts if p.id not in session_used and p.id not in before]


def choose(deck: Deck, depth: str, session_used: Collection[str],
           history: PromptSource | None, rng: random.Random) -> Prompt | None:
    """A fresh prompt near `depth`. When the history has used the deck up, a new round starts
    (the history is told); prompts read this session are never repeated."""
    candidates = unused(deck, session_used, history)
    if not candidates and history is not None:
        fresh = [p for p in deck.prompts if p.id not in session_used]
        if fresh:
            history.reset_deck(deck.name)
            candidates = fresh
    if not candidates:
        return None
    wanted = DEPTHS.index(depth)
    best = min(abs(DEPTHS.index(p.depth) - wanted) for p in candidates)
    nearest = sorted((p for p in candidates if abs(DEPTHS.index(p.depth) - wanted) == best),
                     key=lambda p: p.id)
    # Prefer the shallower side when equally near, so the evening never jumps ahead.
    shallow = [p for p in nearest if DEPTHS.index(p.depth) <= wanted] or nearest
    return rng.choice(shallow)


def available_games(library: DeckLibrary, *, intimacy_enabled: bool,
                    safety_stopped: bool) -> list[Deck]:
    """The game decks that may be offered now."""
    games = []
    for deck in library.games():
        if deck.opt_in and not intimacy_enabled:
            continue
        if safety_stopped and deck.name in GENTLE_AFTER_SAFETY:
            continue
        games.append(deck)
    return games


def evening_decks(library: DeckLibrary, *, safety_stopped: bool,
                  rng: random.Random) -> list[str]:
    """The decks an evening mixes (never the opt-in one), in a shuffled order."""
    names = [deck.name for deck in available_games(library, intimacy_enabled=False,
                                                    safety_stopped=safety_stopped)]
    rng.shuffle(names)
    return names


def evening_deck(decks: list[str], step: int) -> str | None:
    return decks[step % len(decks)] if decks else None


def spoken_list(items: list[str], joiner: str = "or") -> str:
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return f"{', '.join(items[:-1])}, {joiner} {items[-1]}"
