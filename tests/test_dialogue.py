"""The game dialogue, driven by events alone: turns, commands, games, the evening, history."""

from __future__ import annotations

import random
from pathlib import Path

from assistant.decks import DEPTHS, Deck, DeckLibrary, Prompt, load_decks
from assistant.dialogue import (
    Action,
    Dialogue,
    End,
    Heard,
    Say,
    SayKind,
    Silence,
    Started,
    State,
)
from assistant.dialogue.machine import HANDOVER_SILENCE
from assistant.dialogue.picker import EVENING_PLAN
from assistant.history import History
from assistant.intent import Intent

LIBRARY = load_decks(Path(__file__).parent / "fixtures" / "decks" / "good")
NAMES = ("Sam", "Alex")


def make(library: DeckLibrary = LIBRARY, seed: int = 7, **options: object) -> Dialogue:
    dialogue = Dialogue(library, NAMES, rng=random.Random(seed), **options)  # type: ignore[arg-type]
    dialogue.handle(Started(at=0.0))
    return dialogue


def cmd(intent: str, game: str | None = None, text: str = "") -> Heard:
    slots = {"game": game} if game else {}
    return Heard(text or intent.replace("_", " "), Intent(intent), slots, 1.0)


def talk(text: str = "hmm, I think the beach, remember?") -> Heard:
    return Heard(text, None, {}, 1.0)


def says(actions: list[Action]) -> list[Say]:
    return [a for a in actions if isinstance(a, Say)]


def prompts(actions: list[Action]) -> list[Say]:
    return [a for a in says(actions) if a.kind in ("prompt", "closing")]


def prompt_of(dialogue: Dialogue) -> Prompt:
    assert dialogue.m.prompt_id is not None
    prompt = dialogue.library.prompt(dialogue.m.prompt_id)
    assert prompt is not None
    return prompt


def play(dialogue: Dialogue, game: str) -> list[Action]:
    return dialogue.handle(cmd("start_game", game))


def next_prompt(dialogue: Dialogue) -> list[Action]:
    """Both partners answer: the first "next" hands over, the second moves on."""
    dialogue.handle(talk())
    handed = dialogue.handle(cmd("next"))
    assert not prompts(handed)
    return dialogue.handle(cmd("next"))


def one_deck(*prompt_list: Prompt, name: str = "friendship") -> DeckLibrary:
    return DeckLibrary((Deck(name, "Friendship", "game", False, "Intro.", prompt_list),))


# ----- starting ---------------------------------------------------------------------------

def test_welcome_names_both_partners_and_offers_games() -> None:
    dialogue = Dialogue(LIBRARY, NAMES, rng=random.Random(1))
    [welcome] = dialogue.handle(Started(at=0.0))
    assert isinstance(welcome, Say) and welcome.kind == "welcome"
    assert "Sam" in welcome.text and "Alex" in welcome.text
    assert "Friendship" in welcome.text and "Closeness" not in welcome.text
    assert dialogue.state is State.IDLE


def test_start_game_gives_intro_then_a_prompt_to_the_first_partner() -> None:
    dialogue = make()
    actions = says(play(dialogue, "friendship"))
    assert [a.kind for a in actions] == ["intro", "prompt"]
    assert actions[0].text == "Friendship intro."
    assert actions[1].text.startswith("Sam")
    assert dialogue.state is State.PROMPT
    assert dialogue.games_played() == ("friendship",)


def test_conversation_moves_to_talking_and_hearth_stays_quiet() -> None:
    dialogue = make()
    play(dialogue, "friendship")
    assert dialogue.handle(talk()) == []
    assert dialogue.handle(talk("and then you said the funniest thing")) == []
    assert dialogue.state is State.TALKING


# ----- turns -------------------------------------------------------------------------------

def test_first_speaker_alternates_by_name_every_prompt() -> None:
    dialogue = make()
    firsts = [prompts(play(dialogue, "friendship"))[0].text.split(",")[0]]
    for _ in range(5):
        firsts.append(prompts(next_prompt(dialogue))[0].text.split(",")[0])
    assert firsts == ["Sam", "Alex", "Sam", "Alex", "Sam", "Alex"]


def test_first_next_hands_over_to_the_second_partner() -> None:
    dialogue = make(one_deck(Prompt("a", "friendship", "light", "{first}, one?"),
                             Prompt("b", "friendship", "light", "{first}, two?")))
    play(dialogue, "friendship")
    [handover] = says(dialogue.handle(cmd("next")))
    assert handover.kind == "handover" and "Alex" in handover.text
    assert dialogue.m.handed_over and dialogue.state is State.TALKING
    [following] = prompts(dialogue.handle(cmd("next")))
    assert following.text.startswith("Alex")


def test_follow_up_is_the_handover_when_the_prompt_has_one() -> None:
    prompt = Prompt("a", "friendship", "light", "{first}, one?", "{second}, and you?")
    dialogue = make(one_deck(prompt, Prompt("b", "friendship", "light", "{first}, two?")))
    play(dialogue, "friendship")
    assert says(dialogue.handle(cmd("next"))) == [Say("Alex, and you?", SayKind.FOLLOW_UP)]


def test_silence_after_the_first_answer_hands_over_once() -> None:
    dialogue = make()
    play(dialogue, "friendship")
    assert dialogue.handle(Silence(HANDOVER_SILENCE + 5, 9.0)) == []  # still thinking
    dialogue.handle(talk())
    [handover] = says(dialogue.handle(Silence(HANDOVER_SILENCE, 20.0)))
    assert "Alex" in handover.text
    assert dialogue.handle(Silence(HANDOVER_SILENCE * 2, 40.0)) == []
    assert prompts(dialogue.handle(cmd("next")))  # next now moves on


def test_skip_gives_a_different_prompt_at_once() -> None:
    dialogue = make()
    play(dialogue, "friendship")
    before = dialogue.m.prompt_id
    [prompt] = prompts(dialogue.handle(cmd("skip")))
    assert dialogue.m.prompt_id != before and prompt.kind == "prompt"


def test_repeat_says_the_prompt_again() -> None:
    dialogue = make()
    [prompt] = prompts(play(dialogue, "friendship"))
    dialogue.handle(talk())
    assert dialogue.handle(cmd("repeat")) == [prompt]
    assert dialogue.handle(cmd("repeat")) == [prompt]


def test_repeat_after_the_follow_up_says_the_follow_up() -> None:
    prompt = Prompt("a", "friendship", "light", "{first}, one?", "{second}, and you?")
    dialogue = make(one_deck(prompt, Prompt("b", "friendship", "light", "{first}, two?")))
    play(dialogue, "friendship")
    dialogue.handle(talk())
    [follow] = says(dialogue.handle(cmd("next")))
    assert dialogue.handle(cmd("repeat")) == [follow] == [Say("Alex, and you?", SayKind.FOLLOW_UP)]


def test_repeat_after_the_handover_line_says_the_question_then_whose_turn() -> None:
    dialogue = make(one_deck(Prompt("a", "friendship", "light", "{first}, one?"),
                             Prompt("b", "friendship", "light", "{first}, two?")))
    play(dialogue, "friendship")
    [handover] = says(dialogue.handle(cmd("next")))
    [again] = says(dialogue.handle(cmd("repeat")))
    assert again == Say(f"Sam, one? {handover.text}", SayKind.HANDOVER)


def test_repeat_after_a_silent_handover_says_the_follow_up() -> None:
    prompt = Prompt("a", "friendship", "light", "{first}, one?", "{second}, and you?")
    dialogue = make(one_deck(prompt))
    play(dialogue, "friendship")
    dialogue.handle(talk())
    assert says(dialogue.handle(Silence(HANDOVER_SILENCE, 20.0)))
    assert says(dialogue.handle(cmd("repeat"))) == [Say("Alex, and you?", SayKind.FOLLOW_UP)]


def test_resume_after_a_pause_says_the_question_and_its_follow_up() -> None:
    prompt = Prompt("a", "friendship", "light", "{first}, one?", "{second}, and you?")
    dialogue = make(one_deck(prompt))
    play(dialogue, "friendship")
    dialogue.handle(cmd("next"))
    dialogue.handle(cmd("pause"))
    assert says(dialogue.handle(cmd("resume")))[-1] == Say("Sam, one? Alex, and you?",
                                                          SayKind.FOLLOW_UP)


def test_resume_during_the_game_says_the_question_and_its_follow_up() -> None:
    prompt = Prompt("a", "friendship", "light", "{first}, one?", "{second}, and you?")
    dialogue = make(one_deck(prompt))
    play(dialogue, "friendship")
    dialogue.handle(cmd("next"))
    assert says(dialogue.handle(cmd("resume")))[-1] == Say("Sam, one? Alex, and you?",
                                                          SayKind.FOLLOW_UP)


def test_repeat_after_moving_on_says_the_new_prompt() -> None:
    prompt = Prompt("a", "friendship", "light", "{first}, one?", "{second}, and you?")
    dialogue = make(one_deck(prompt, Prompt("b", "friendship", "light", "{first}, two?")))
    play(dialogue, "friendship")
    dialogue.handle(cmd("next"))
    [following] = prompts(dialogue.handle(cmd("next")))
    assert dialogue.handle(cmd("repeat")) == [following]


def test_whose_turn_names_the_partner() -> None:
    dialogue = make()
    play(dialogue, "friendship")
    assert "Sam" in says(dialogue.handle(cmd("whose_turn")))[0].text
    dialogue.handle(cmd("next"))
    assert "Alex" in says(dialogue.handle(cmd("whose_turn")))[0].text


def test_how_many_left_counts_unused_prompts() -> None:
    dialogue = make()
    play(dialogue, "friendship")
    assert "5 more" in says(dialogue.handle(cmd("how_many_left")))[0].text


def test_commands_the_game_does_not_use_are_ignored() -> None:
    dialogue = make()
    assert dialogue.handle(cmd("louder")) == []
    play(dialogue, "friendship")
    assert dialogue.handle(cmd("slower")) == []
    assert dialogue.state is State.PROMPT


# ----- pause ---------------------------------------------------------------------------------

def test_pause_then_only_resume_stop_and_help_act() -> None:
    dialogue = make()
    [prompt] = prompts(play(dialogue, "friendship"))
    assert says(dialogue.handle(cmd("pause")))[0].kind == "info"
    assert dialogue.state is State.PAUSED
    for ignored in ("next", "skip", "repeat", "pause", "whose_turn", "go_deeper"):
        assert dialogue.handle(cmd(ignored)) == []
    assert dialogue.handle(cmd("start_game", "check_in")) == []
    assert dialogue.handle(talk()) == []
    assert says(dialogue.handle(cmd("help")))[0].kind == "help"
    resumed = says(dialogue.handle(cmd("resume")))
    assert resumed[-1] == prompt and dialogue.state is State.PROMPT


def test_stop_while_paused_goes_to_the_closing() -> None:
    dialogue = make()
    play(dialogue, "friendship")
    dialogue.handle(cmd("pause"))
    assert prompts(dialogue.handle(cmd("stop")))[0].kind == "closing"


# ----- switching, depth, the evening ---------------------------------------------------------

def test_switching_game_mid_session() -> None:
    dialogue = make()
    play(dialogue, "friendship")
    actions = says(play(dialogue, "check_in"))
    assert [a.kind for a in actions] == ["info", "intro", "prompt"]
    assert "Title check_in" in actions[0].text
    assert prompt_of(dialogue).deck == "check_in"
    assert dialogue.games_played() == ("friendship", "check_in")


def test_asking_for_the_game_being_played_gives_no_new_prompt() -> None:
    dialogue = make()
    play(dialogue, "friendship")
    before = dialogue.m.prompt_id
    assert not prompts(play(dialogue, "friendship"))
    assert dialogue.m.prompt_id == before


def test_unknown_or_missing_game_asks_which() -> None:
    dialogue = make()
    assert "don't have" in says(play(dialogue, "chess"))[0].text
    assert "Which game" in says(dialogue.handle(cmd("start_game")))[0].text
    assert dialogue.state is State.IDLE


def test_a_game_climbs_from_light_to_deep() -> None:
    dialogue = make()
    play(dialogue, "friendship")
    depths = [prompt_of(dialogue).depth]
    for _ in range(5):
        next_prompt(dialogue)
        depths.append(prompt_of(dialogue).depth)
    assert [DEPTHS.index(d) for d in depths] == sorted(DEPTHS.index(d) for d in depths)
    assert depths[0] == "light" and depths[-1] == "deep"


def test_go_deeper_and_keep_it_light() -> None:
    dialogue = make()
    play(dialogue, "friendship")
    dialogue.handle(cmd("go_deeper"))
    next_prompt(dialogue)
    assert prompt_of(dialogue).depth == "medium"
    dialogue.handle(cmd("go_deeper"))
    next_prompt(dialogue)
    assert prompt_of(dialogue).depth == "deep"
    assert "deep end" in says(dialogue.handle(cmd("go_deeper")))[0].text
    dialogue.handle(cmd("keep_it_light"))
    next_prompt(dialogue)
    assert prompt_of(dialogue).depth == "light"


def test_evening_mixes_decks_and_climbs_then_closes() -> None:
    dialogue = make(seed=3)
    play(dialogue, "evening")
    seen = [prompt_of(dialogue)]
    for _ in range(len(EVENING_PLAN) - 1):
        next_prompt(dialogue)
        seen.append(prompt_of(dialogue))
    levels = [DEPTHS.index(p.depth) for p in seen]
    assert levels == sorted(levels) and levels[0] == 0 and levels[-1] == 2
    assert len({p.deck for p in seen}) >= 3
    assert "intimacy" not in {p.deck for p in seen}
    closing = next_prompt(dialogue)
    assert prompts(closing)[0].kind == "closing"
    assert dialogue.state is State.CLOSING


def test_a_used_up_deck_ends_the_game_kindly() -> None:
    dialogue = make(one_deck(Prompt("a", "friendship", "light", "{first}, one?")))
    play(dialogue, "friendship")
    actions = says(next_prompt(dialogue))
    assert "every question" in actions[0].text
    assert dialogue.state is State.IDLE


# ----- closing and goodbye ------------------------------------------------------------------

def test_stop_gives_the_closing_ritual_then_goodbye() -> None:
    dialogue = make()
    play(dialogue, "friendship")
    actions = says(dialogue.handle(cmd("stop")))
    assert [a.kind for a in actions] == ["info", "closing"]
    assert dialogue.state is State.CLOSING
    assert actions[1].text.startswith("Alex")  # the second prompt: Alex goes first
    assert "Sam" in says(dialogue.handle(cmd("next")))[0].text  # both answer
    final = dialogue.handle(cmd("next"))
    assert isinstance(final[-1], End) and final[-1].reason == "goodbye"
    assert "Good night" in says(final)[0].text or "Sleep well" in says(final)[0].text
    assert dialogue.state is State.ENDED
    assert dialogue.handle(cmd("next")) == [] and dialogue.handle(Started(at=9.0)) == []


def test_stop_during_the_closing_says_goodbye_at_once() -> None:
    dialogue = make()
    play(dialogue, "friendship")
    dialogue.handle(cmd("stop"))
    assert isinstance(dialogue.handle(cmd("stop"))[-1], End)


def test_stop_before_any_game_just_says_good_night() -> None:
    dialogue = make()
    actions = dialogue.handle(cmd("stop"))
    assert [type(a) for a in actions] == [Say, End]


# ----- history: no repeats until a deck is used up -----------------------------------------

def test_no_repeats_across_sessions_until_the_deck_is_used_up(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    seen: list[str] = []
    for session in range(2):
        with History(path) as history:
            dialogue = make(seed=session, history=history)
            play(dialogue, "friendship")
            seen.append(prompt_of(dialogue).id)
            for _ in range(2):
                next_prompt(dialogue)
                seen.append(prompt_of(dialogue).id)
    assert len(seen) == 6 and len(set(seen)) == 6  # the whole deck, nothing twice
    with History(path) as history:
        assert len(history.used_prompt_ids("friendship")) == 6
        dialogue = make(seed=5, history=history)
        play(dialogue, "friendship")  # used up: a new round begins
        assert history.used_prompt_ids("friendship") == {prompt_of(dialogue).id}
        assert history.sessions()[-1].games == ("friendship",)
