"""The careful parts of the dialogue: stopping for safety (help lines, then only going on
when asked), and asking each partner's consent, by name, before the opt-in game."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from assistant import safety
from assistant.dialogue import picker, turns
from assistant.dialogue.events import Action, End, Heard, Say, State
from assistant.dialogue.lines import is_clear_yes

if TYPE_CHECKING:
    from assistant.dialogue.machine import Dialogue

FALLBACK_GAME = "friendship"
"""The light game offered when consent is not given and nothing else was being played."""


def safety_stop(d: Dialogue, kind: str) -> list[Action]:
    """Stop the game and give the help lines for the configured country."""
    d.m.safety_stopped = True
    if d.state is not State.PAUSED:
        d.m.resume_state = d.m.state
    d.m.state = State.SAFETY.value
    opening = "safety_fear" if kind == safety.FEAR else "safety_crisis"
    text = " ".join([d.lines.get(opening), safety.help_lines(d.country, kind),
                     d.lines.get("safety_after")])
    d.m.last_text, d.m.last_kind = text, "safety"
    return [Say(text, "safety")]


def after_safety(d: Dialogue, intent: str | None, slots: Mapping[str, str]) -> list[Action]:
    """Stopped for safety: quiet until asked to go on (gently) or to stop."""
    if intent == "stop":
        d.m.state = State.ENDED.value
        return [d.say_line("goodbye_short", "goodbye", first=d.names[0], second=d.names[1]),
                End("safety")]
    if intent in ("help", "repeat"):
        return [d.say_line("help_safety", "help"), Say(d.m.last_text, "safety")]
    if intent == "start_game":
        d.m.state = State.IDLE.value
        return d.start_game(slots.get("game", ""))
    if intent != "resume":
        return []
    gentle = [d.say_line("safety_resume", "info")]
    game = d.m.game
    if (d.m.resume_state in (State.PROMPT.value, State.TALKING.value) and game
            and game not in picker.GENTLE_AFTER_SAFETY):
        if game == "evening":
            d.m.evening_decks = [name for name in d.m.evening_decks
                                 if name not in picker.GENTLE_AFTER_SAFETY]
        return gentle + turns.next_prompt(d)
    d.m.state, d.m.game = State.IDLE.value, None
    return [*gentle, d.say_line("offer", "info", remember=True)]


def ask_consent(d: Dialogue) -> list[Action]:
    d.m.resume_state = d.m.state
    d.m.state, d.m.consent_asking, d.m.consent_given = State.CONSENT.value, 0, []
    return [d.say_line("consent_first", "consent", remember=True, name=d.names[0])]


def consent(d: Dialogue, event: Heard) -> list[Action]:
    """An answer to "would you like to play it tonight?": only a clear yes counts."""
    if event.intent == "stop":
        return turns.stop(d)
    if event.intent in ("help", "repeat"):
        return [d.say_line("help_consent", "help"), Say(d.m.last_text, "consent")]
    if not is_clear_yes(event.text, event.intent):
        return consent_declined(d)
    d.m.consent_given.append(d.names[d.m.consent_asking])
    if d.m.consent_asking == 0:
        d.m.consent_asking = 1
        return [d.say_line("consent_next", "consent", remember=True, name=d.names[1])]
    d.m.consented = True
    return [d.say_line("consent_yes", "consent"), *d.begin("intimacy")]


def consent_declined(d: Dialogue) -> list[Action]:
    """A kind line, then back to the game being played, or a light one."""
    said = d.say_line("consent_no", "consent")
    d.m.consent_given = []
    was_playing = d.m.resume_state in (State.PROMPT.value, State.TALKING.value)
    if was_playing and d.m.game:
        d.m.state = d.m.resume_state
        return [said, *turns.next_prompt(d)]
    d.m.state = State.IDLE.value
    games = [deck.name for deck in d.games_on_offer() if not deck.opt_in]
    fallback = FALLBACK_GAME if FALLBACK_GAME in games else (games[0] if games else None)
    if fallback is None:
        return [said, d.say_line("offer", "info", remember=True)]
    return [said, *d.begin(fallback)]
