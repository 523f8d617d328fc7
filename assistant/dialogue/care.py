"""The careful parts of the dialogue: stopping for safety (help lines, then only going on
when asked), and each partner's consent, by name, before the opt-in game (the question is
asked by `games.ask_consent`; the answers are heard here)."""

from __future__ import annotations

from collections.abc import Mapping

from assistant import safety
from assistant.dialogue import games, picker, turns
from assistant.dialogue.events import Action, End, Heard, Say, SayKind, State
from assistant.dialogue.lines import is_clear_yes
from assistant.dialogue.table import Table
from assistant.intent import Intent

FALLBACK_GAME = "friendship"
"""The light game offered when consent is not given and nothing else was being played."""


def safety_stop(t: Table, kind: str) -> list[Action]:
    """Stop the game and give the help lines for the configured country."""
    t.m.safety_stopped = True
    if t.m.state is not State.PAUSED:
        t.m.resume_state = t.m.state
    t.m.state = State.SAFETY
    opening = "safety_fear" if kind == safety.FEAR else "safety_crisis"
    text = " ".join([t.lines.get(opening), safety.help_lines(t.country, kind),
                     t.lines.get("safety_after")])
    t.m.last_text, t.m.last_kind = text, SayKind.SAFETY
    return [Say(text, SayKind.SAFETY)]


def after_safety(t: Table, intent: Intent | None, slots: Mapping[str, str]) -> list[Action]:
    """Stopped for safety: quiet until asked to go on (gently) or to stop."""
    if intent == Intent.STOP:
        t.m.state = State.ENDED
        return [t.say_line("goodbye_short", SayKind.GOODBYE, first=t.names[0], second=t.names[1]),
                End("safety")]
    if intent in (Intent.HELP, Intent.REPEAT):
        return [t.say_line("help_safety", SayKind.HELP), Say(t.m.last_text, SayKind.SAFETY)]
    if intent == Intent.START_GAME:
        t.m.state = State.IDLE
        return games.start_game(t, slots.get("game", ""))
    if intent != Intent.RESUME:
        return []
    gentle = [t.say_line("safety_resume", SayKind.INFO)]
    game = t.m.game
    if (t.m.resume_state in (State.PROMPT, State.TALKING) and game
            and game not in picker.GENTLE_AFTER_SAFETY):
        if game == "evening":
            t.m.evening_decks = [name for name in t.m.evening_decks
                                 if name not in picker.GENTLE_AFTER_SAFETY]
        return gentle + turns.next_prompt(t)
    t.m.state, t.m.game = State.IDLE, None
    return [*gentle, t.say_line("offer", SayKind.INFO, remember=True)]


def consent(t: Table, event: Heard) -> list[Action]:
    """An answer to "would you like to play it tonight?": only a clear yes counts."""
    if event.intent == Intent.STOP:
        return turns.stop(t)
    if event.intent in (Intent.HELP, Intent.REPEAT):
        return [t.say_line("help_consent", SayKind.HELP), Say(t.m.last_text, SayKind.CONSENT)]
    if not is_clear_yes(event.text):
        return consent_declined(t)
    t.m.consent_given.append(t.names[t.m.consent_asking])
    if t.m.consent_asking == 0:
        t.m.consent_asking = 1
        return [t.say_line("consent_next", SayKind.CONSENT, remember=True, name=t.names[1])]
    t.m.consented = True
    return [t.say_line("consent_yes", SayKind.CONSENT), *games.begin(t, "intimacy")]


def consent_declined(t: Table) -> list[Action]:
    """A kind line, then back to the game being played, or a light one."""
    said = t.say_line("consent_no", SayKind.CONSENT)
    t.m.consent_given = []
    was_playing = t.m.resume_state in (State.PROMPT, State.TALKING)
    if was_playing and t.m.game:
        t.m.state = t.m.resume_state
        return [said, *turns.next_prompt(t)]
    t.m.state = State.IDLE
    light = [deck.name for deck in t.games_on_offer() if not deck.opt_in]
    fallback = FALLBACK_GAME if FALLBACK_GAME in light else (light[0] if light else None)
    if fallback is None:
        return [said, t.say_line("offer", SayKind.INFO, remember=True)]
    return [said, *games.begin(t, fallback)]
