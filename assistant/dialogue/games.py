"""Starting a game: which game was asked for, whether it may be played now (switched off,
not tonight, already playing), the consent question before the opt-in game, and the intro.

Its own step, below `care`, because both the machine (a spoken "let's play ...") and the
careful parts (going on after a safety stop, a light game after a no) start games."""

from __future__ import annotations

from assistant.dialogue import picker, turns
from assistant.dialogue.events import Action, Say, SayKind, State
from assistant.dialogue.table import Table

GAME_STATES = (State.PROMPT, State.TALKING, State.CLOSING)
"""States in which a game is on: a prompt or the closing prompt has been read."""


def start_game(t: Table, game: str) -> list[Action]:
    """The couple asked for `game` (a deck name, "evening", or "" when not understood)."""
    deck = t.library.get(game)
    if game == t.m.game and t.m.state in (State.PROMPT, State.TALKING):
        title = "our evening" if game == "evening" else deck.title if deck else game
        return [t.say_line("already_playing", SayKind.INFO, title=title)]
    if game == "evening":
        return begin(t, "evening")
    if deck is None or deck.kind != "game":
        return [t.say_line("which_game" if not game else "unknown_game", SayKind.INFO)]
    if deck.opt_in and not t.intimacy_enabled:
        return [t.say_line("intimacy_off", SayKind.INFO)]
    if t.m.safety_stopped and deck.name in picker.GENTLE_AFTER_SAFETY:
        return [t.say_line("game_not_tonight", SayKind.INFO)]
    if deck.opt_in and not t.m.consented:
        return ask_consent(t)
    return begin(t, deck.name)


def begin(t: Table, game: str) -> list[Action]:
    """Play `game` from its first prompt: a word when switching, its intro, a prompt."""
    m = t.m
    switching = m.game is not None and m.state in GAME_STATES
    m.game, m.game_prompts, m.evening_step = game, 0, 0
    if game not in m.games_played:
        m.games_played.append(game)
    said: list[Action] = []
    if game == "evening":
        m.evening_decks = picker.evening_decks(
            t.library, safety_stopped=m.safety_stopped, rng=t.rng)
        if switching:
            said.append(t.say_line("switching", SayKind.INFO, title="a mixed evening"))
        said.append(t.say_line("evening_intro", SayKind.INTRO))
    else:
        deck = t.library.get(game)
        assert deck is not None
        if switching:
            said.append(t.say_line("switching", SayKind.INFO, title=deck.title))
        said.append(Say(deck.intro, SayKind.INTRO))
    return said + turns.next_prompt(t)


def ask_consent(t: Table) -> list[Action]:
    """Ask the first partner, by name, whether to play the opt-in game; the answers are
    `care.consent`'s."""
    t.m.resume_state = t.m.state
    t.m.state, t.m.consent_asking, t.m.consent_given = State.CONSENT, 0, []
    return [t.say_line("consent_first", SayKind.CONSENT, remember=True, name=t.names[0])]
