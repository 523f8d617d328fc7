"""Turns inside a game: next, skip, repeat, the hand-over to the second partner, depth, the
closing ritual and goodbye. Helpers of `Dialogue`, split out to keep each module small."""

from __future__ import annotations

from typing import TYPE_CHECKING

from assistant import safety
from assistant.decks import DEPTHS, Prompt
from assistant.dialogue import picker
from assistant.dialogue.events import Action, End, Heard, Say, State

if TYPE_CHECKING:
    from assistant.dialogue.machine import Dialogue

HARD_SKIPS = 3
"""Skips in a row in a conflict-practice game before a gentle word about therapy."""


def in_game(d: Dialogue, event: Heard) -> list[Action]:
    """A heard event while a prompt (or the closing prompt) is on the table."""
    m, intent, closing = d.m, event.intent, d.state is State.CLOSING
    if intent == "next":
        if not m.handed_over:
            return handover(d)
        m.skips_in_row = 0
        return goodbye(d) if closing else next_prompt(d)
    if intent == "skip":
        if closing:
            return closing_ritual(d)
        m.skips_in_row += 1
        deck = current_deck(d)
        note: list[Action] = []
        if m.skips_in_row >= HARD_SKIPS and deck in picker.GENTLE_AFTER_SAFETY:
            note = therapist_note(d)
        return note + next_prompt(d)
    if intent == "repeat":
        return [Say(m.last_text, m.last_kind)]
    if intent == "resume":
        return [d.say_line("still_here", "info"), where_we_were(d)]
    if intent == "whose_turn":
        first, second = d.first_and_second()
        if m.handed_over:
            return [d.say_line("whose_turn_second", "info", name=second)]
        return [d.say_line("whose_turn_first", "info", name=first)]
    if intent == "how_many_left":
        return how_many_left(d)
    if intent == "go_deeper":
        if d.at_deepest():
            return [d.say_line("deepest_already", "info")]
        m.depth_floor = min(len(DEPTHS) - 1, DEPTHS.index(d.depth()) + 1)
        m.depth_cap = len(DEPTHS) - 1
        return [d.say_line("go_deeper", "info")]
    if intent == "keep_it_light":
        m.depth_floor, m.depth_cap = 0, 0
        return [d.say_line("keep_it_light", "info")]
    if intent is not None and intent not in ("yes", "no"):
        return []  # a command this machine has no use for here (e.g. "slower")
    # Conversation: the couple is answering.
    m.talk_count += 1
    if d.state is State.PROMPT:
        m.state = State.TALKING.value
    if safety.is_hard_moment(event.text):
        return therapist_note(d)
    return []


def current_deck(d: Dialogue) -> str | None:
    prompt = d.library.prompt(d.m.prompt_id) if d.m.prompt_id else None
    return prompt.deck if prompt else None


def current_prompt(d: Dialogue) -> Prompt | None:
    return d.library.prompt(d.m.prompt_id) if d.m.prompt_id else None


def where_we_were(d: Dialogue) -> Say:
    """What Hearth says again after a pause or a restart: the last thing it said, with
    the question before a follow-up, since the couple may have lost the thread."""
    m = d.m
    prompt = current_prompt(d)
    if m.last_kind == "follow_up" and prompt is not None:
        first, second = d.first_and_second()
        return Say(f"{prompt.render(first, second)} {m.last_text}", "follow_up")
    return Say(m.last_text, m.last_kind)


def handover(d: Dialogue) -> list[Action]:
    """Invite the second partner: the prompt's own follow-up, or a short hand-over line.

    What "repeat" says from now on: the follow-up (a question of its own), or else the
    prompt followed by the hand-over line, since "Alex, how about you?" alone would not
    tell Alex what the question was."""
    m = d.m
    m.handed_over = True
    if d.state is State.PROMPT:
        m.state = State.TALKING.value
    prompt = current_prompt(d)
    first, second = d.first_and_second()
    follow = prompt.render_follow_up(first, second) if prompt else None
    if follow:
        m.last_text, m.last_kind = follow, "follow_up"
        return [Say(follow, "follow_up")]
    said = d.say_line("handover", "handover")
    question = prompt.render(first, second) if prompt else ""
    m.last_text = f"{question} {said.text}".strip()
    m.last_kind = "handover"
    return [said]


def therapist_note(d: Dialogue) -> list[Action]:
    """Once a session: a kind word that a couples therapist can help (Hearth is not one)."""
    if d.m.therapist_noted:
        return []
    d.m.therapist_noted = True
    return [d.say_line("therapist", "therapist")]


def give(d: Dialogue, prompt: Prompt, kind: str = "prompt") -> Say:
    m = d.m
    m.session_used.append(prompt.id)
    if d.history is not None:
        d.history.record_prompt(prompt.deck, prompt.id)
    m.prompts_given += 1
    m.prompt_counts[prompt.deck] = m.prompt_counts.get(prompt.deck, 0) + 1
    m.prompt_id, m.handed_over, m.talk_count = prompt.id, False, 0
    return d.say_prompt(prompt, kind)


def next_prompt(d: Dialogue) -> list[Action]:
    m = d.m
    if m.game == "evening":
        if m.evening_step >= len(picker.EVENING_PLAN) or not m.evening_decks:
            return [d.say_line("evening_done", "info"), *closing_ritual(d)]
        depth = d.depth()
        for offset in range(len(m.evening_decks)):
            name = picker.evening_deck(m.evening_decks, m.evening_step + offset)
            deck = d.library.get(name) if name else None
            prompt = picker.choose(deck, depth, m.session_used, d.history, d.rng) if deck else None
            if prompt is not None:
                m.evening_step += 1
                m.state = State.PROMPT.value
                return [give(d, prompt)]
        return [d.say_line("evening_done", "info"), *closing_ritual(d)]
    deck = d.library.get(m.game or "")
    prompt = picker.choose(deck, d.depth(), m.session_used, d.history, d.rng) if deck else None
    if deck is None or prompt is None:
        title = deck.title if deck else ""
        m.state, m.game, m.prompt_id = State.IDLE.value, None, None
        return [d.say_line("game_done", "info", remember=True, title=title)]
    m.game_prompts += 1
    m.state = State.PROMPT.value
    return [give(d, prompt)]


def how_many_left(d: Dialogue) -> list[Action]:
    m = d.m
    if d.state is State.CLOSING:
        return [d.say_line("help_closing", "info")]
    if m.game == "evening":
        left = len(picker.EVENING_PLAN) - m.evening_step
        if left <= 0:
            return [d.say_line("how_many_last", "info")]
        return [d.say_line("how_many_left_evening", "info", count=left)]
    deck = d.library.get(m.game or "")
    left = len(picker.unused(deck, m.session_used, d.history)) if deck else 0
    return [d.say_line("how_many_left", "info", count=left)]


def closing_ritual(d: Dialogue) -> list[Action]:
    """One closing question (both answer), then goodbye; straight to goodbye if none."""
    deck = d.library.closing()
    prompt = (picker.choose(deck, d.depth(), d.m.session_used, d.history, d.rng)
              if deck else None)
    if prompt is None:
        return goodbye(d)
    intro = [] if d.state is State.CLOSING else [d.say_line("closing_intro", "info")]
    d.m.state = State.CLOSING.value
    return [*intro, give(d, prompt, "closing")]


def stop(d: Dialogue) -> list[Action]:
    """"We're done": the closing ritual if we played and haven't closed yet, else goodbye."""
    state = d.state
    if state is State.PAUSED:
        state = State(d.m.resume_state)
    if d.m.prompts_given and state is not State.CLOSING:
        return closing_ritual(d)
    return goodbye(d)


def goodbye(d: Dialogue) -> list[Action]:
    d.m.state = State.ENDED.value
    key = "goodbye" if d.m.prompts_given else "goodbye_short"
    return [d.say_line(key, "goodbye", first=d.names[0], second=d.names[1]), End("goodbye")]
