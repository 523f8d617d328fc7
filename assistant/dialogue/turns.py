"""Turns inside a game: next, skip, repeat, the hand-over to the second partner, depth, the
closing ritual and goodbye. Steps on the shared `Table`, so that the games, the careful parts
and the machine can all move the game on without depending on one another."""

from __future__ import annotations

from assistant import safety
from assistant.decks import DEPTHS, Prompt
from assistant.dialogue import picker
from assistant.dialogue.events import Action, End, Heard, Say, SayKind, State
from assistant.dialogue.table import Table
from assistant.intent import Intent

HARD_SKIPS = 3
"""Skips in a row in a conflict-practice game before a gentle word about therapy."""


def in_game(t: Table, event: Heard) -> list[Action]:
    """A heard event while a prompt (or the closing prompt) is on the table."""
    m, intent, closing = t.m, event.intent, t.m.state is State.CLOSING
    if intent == Intent.NEXT:
        if not m.handed_over:
            return handover(t)
        m.skips_in_row = 0
        return goodbye(t) if closing else next_prompt(t)
    if intent == Intent.SKIP:
        if closing:
            return closing_ritual(t)
        m.skips_in_row += 1
        deck = current_deck(t)
        note: list[Action] = []
        if m.skips_in_row >= HARD_SKIPS and deck in picker.GENTLE_AFTER_SAFETY:
            note = therapist_note(t)
        return note + next_prompt(t)
    if intent == Intent.REPEAT:
        return [m.last_said()]
    if intent == Intent.RESUME:
        return [t.say_line("still_here", SayKind.INFO), where_we_were(t)]
    if intent == Intent.WHOSE_TURN:
        first, second = t.first_and_second()
        if m.handed_over:
            return [t.say_line("whose_turn_second", SayKind.INFO, name=second)]
        return [t.say_line("whose_turn_first", SayKind.INFO, name=first)]
    if intent == Intent.HOW_MANY_LEFT:
        return how_many_left(t)
    if intent == Intent.GO_DEEPER:
        if t.at_deepest():
            return [t.say_line("deepest_already", SayKind.INFO)]
        m.depth_floor = min(len(DEPTHS) - 1, DEPTHS.index(t.depth()) + 1)
        m.depth_cap = len(DEPTHS) - 1
        return [t.say_line("go_deeper", SayKind.INFO)]
    if intent == Intent.KEEP_IT_LIGHT:
        m.depth_floor, m.depth_cap = 0, 0
        return [t.say_line("keep_it_light", SayKind.INFO)]
    if intent is not None:
        return []  # a command this machine has no use for here (e.g. "slower")
    # Conversation: the couple is answering.
    m.talk_count += 1
    if m.state is State.PROMPT:
        m.state = State.TALKING
    if safety.is_hard_moment(event.text):
        return therapist_note(t)
    return []


def current_deck(t: Table) -> str | None:
    prompt = t.library.prompt(t.m.prompt_id) if t.m.prompt_id else None
    return prompt.deck if prompt else None


def current_prompt(t: Table) -> Prompt | None:
    return t.library.prompt(t.m.prompt_id) if t.m.prompt_id else None


def where_we_were(t: Table) -> Say:
    """What Hearth says again after a pause or a restart: the last thing it said, with
    the question before a follow-up, since the couple may have lost the thread."""
    m = t.m
    prompt = current_prompt(t)
    if m.last_kind == SayKind.FOLLOW_UP and prompt is not None:
        first, second = t.first_and_second()
        return Say(f"{prompt.render(first, second)} {m.last_text}", SayKind.FOLLOW_UP)
    return m.last_said()


def handover(t: Table) -> list[Action]:
    """Invite the second partner: the prompt's own follow-up, or a short hand-over line.

    What "repeat" says from now on: the follow-up (a question of its own), or else the
    prompt followed by the hand-over line, since "Alex, how about you?" alone would not
    tell Alex what the question was."""
    m = t.m
    m.handed_over = True
    if m.state is State.PROMPT:
        m.state = State.TALKING
    prompt = current_prompt(t)
    first, second = t.first_and_second()
    follow = prompt.render_follow_up(first, second) if prompt else None
    if follow:
        m.last_text, m.last_kind = follow, SayKind.FOLLOW_UP
        return [Say(follow, SayKind.FOLLOW_UP)]
    said = t.say_line("handover", SayKind.HANDOVER)
    question = prompt.render(first, second) if prompt else ""
    m.last_text = f"{question} {said.text}".strip()
    m.last_kind = SayKind.HANDOVER
    return [said]


def therapist_note(t: Table) -> list[Action]:
    """Once a session: a kind word that a couples therapist can help (Hearth is not one)."""
    if t.m.therapist_noted:
        return []
    t.m.therapist_noted = True
    return [t.say_line("therapist", SayKind.THERAPIST)]


def give(t: Table, prompt: Prompt, kind: SayKind = SayKind.PROMPT) -> Say:
    m = t.m
    m.session_used.append(prompt.id)
    if t.history is not None:
        t.history.record_prompt(prompt.deck, prompt.id)
    m.prompts_given += 1
    m.prompt_counts[prompt.deck] = m.prompt_counts.get(prompt.deck, 0) + 1
    m.prompt_id, m.handed_over, m.talk_count = prompt.id, False, 0
    return t.say_prompt(prompt, kind)


def next_prompt(t: Table) -> list[Action]:
    m = t.m
    if m.game == "evening":
        if m.evening_step >= len(picker.EVENING_PLAN) or not m.evening_decks:
            return [t.say_line("evening_done", SayKind.INFO), *closing_ritual(t)]
        depth = t.depth()
        for offset in range(len(m.evening_decks)):
            name = picker.evening_deck(m.evening_decks, m.evening_step + offset)
            deck = t.library.get(name) if name else None
            prompt = picker.choose(deck, depth, m.session_used, t.history, t.rng) if deck else None
            if prompt is not None:
                m.evening_step += 1
                m.state = State.PROMPT
                return [give(t, prompt)]
        return [t.say_line("evening_done", SayKind.INFO), *closing_ritual(t)]
    deck = t.library.get(m.game or "")
    prompt = picker.choose(deck, t.depth(), m.session_used, t.history, t.rng) if deck else None
    if deck is None or prompt is None:
        title = deck.title if deck else ""
        m.state, m.game, m.prompt_id = State.IDLE, None, None
        return [t.say_line("game_done", SayKind.INFO, remember=True, title=title)]
    m.game_prompts += 1
    m.state = State.PROMPT
    return [give(t, prompt)]


def how_many_left(t: Table) -> list[Action]:
    m = t.m
    if m.state is State.CLOSING:
        return [t.say_line("help_closing", SayKind.INFO)]
    if m.game == "evening":
        left = len(picker.EVENING_PLAN) - m.evening_step
        if left <= 0:
            return [t.say_line("how_many_last", SayKind.INFO)]
        return [t.say_line("how_many_left_evening", SayKind.INFO, count=left)]
    deck = t.library.get(m.game or "")
    left = len(picker.unused(deck, m.session_used, t.history)) if deck else 0
    return [t.say_line("how_many_left", SayKind.INFO, count=left)]


def closing_ritual(t: Table) -> list[Action]:
    """One closing question (both answer), then goodbye; straight to goodbye if none."""
    deck = t.library.closing()
    prompt = (picker.choose(deck, t.depth(), t.m.session_used, t.history, t.rng)
              if deck else None)
    if prompt is None:
        return goodbye(t)
    intro = [] if t.m.state is State.CLOSING else [t.say_line("closing_intro", SayKind.INFO)]
    t.m.state = State.CLOSING
    return [*intro, give(t, prompt, SayKind.CLOSING)]


def stop(t: Table) -> list[Action]:
    """"We're done": the closing ritual if we played and haven't closed yet, else goodbye."""
    state = t.m.state
    if state is State.PAUSED:
        state = t.m.resume_state
    if t.m.prompts_given and state is not State.CLOSING:
        return closing_ritual(t)
    return goodbye(t)


def goodbye(t: Table) -> list[Action]:
    t.m.state = State.ENDED
    key = "goodbye" if t.m.prompts_given else "goodbye_short"
    return [t.say_line(key, SayKind.GOODBYE, first=t.names[0], second=t.names[1]), End("goodbye")]
