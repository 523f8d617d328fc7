"""The matcher: commands in many phrasings are understood; conversation is not a command.

Three kinds of lists.  `PHRASINGS` and `CONVERSATION` were used while writing the templates
(many of them are not template sentences: polite forms, fillers, other word orders).
`UNSEEN_COMMANDS` and `UNSEEN_CONVERSATION` were written afterwards and never used to
change templates or thresholds; they are checked as a whole, as a generalization measure.
"""

from __future__ import annotations

import dataclasses
import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.intents import IntentCatalog, load_intents
from assistant.matching import (
    MIN_HEARD_COVERAGE,
    MIN_SCORE,
    MIN_SENTENCE_COVERAGE,
    IntentMatch,
    IntentMatcher,
    normalize,
)
from assistant.normalize import essential, without_stutter


@pytest.fixture(scope="module")
def catalog() -> IntentCatalog:
    return load_intents()


@pytest.fixture(scope="module")
def matcher(catalog: IntentCatalog) -> IntentMatcher:
    return IntentMatcher(catalog)


def understood(match: IntentMatch | None) -> tuple[str, str | None] | None:
    return None if match is None else (match.intent, match.slots.get("game"))


PHRASINGS = [
    ("no, skip it", "skip", None),
    ("no, not that one", "skip", None),
    ("no more questions tonight", "stop", None),
    ('next one please hearth', 'next', None),
    ("alright, what's the next one", 'next', None),
    ("ok we're ready for the next question", 'next', None),
    ('hit me with another', 'next', None),
    ("yeah let's have another question", 'next', None),
    ('could you give us the next question', 'next', None),
    ("we're ready for another", 'next', None),
    ("I think we're ready for the next one", 'next', None),
    ('can we do the next one', 'next', None),
    ('moving on please', 'next', None),
    ('say it again please', 'repeat', None),
    ('could you read that one again', 'repeat', None),
    ('hmm what was the question again', 'repeat', None),
    ("I didn't quite catch that", 'repeat', None),
    ('sorry can you repeat the question', 'repeat', None),
    ('can you say that one more time', 'repeat', None),
    ('repeat the last question', 'repeat', None),
    ("let's try a different question", 'skip', None),
    ('can we have a different question', 'skip', None),
    ("I'd rather skip this one", 'skip', None),
    ('nah, skip it', 'skip', None),
    ("let's skip that", 'skip', None),
    ("we don't want to do this one", 'skip', None),
    ("we'll pass on this one", 'skip', None),
    ('can we skip it please', 'skip', None),
    ('pause for a second', 'pause', None),
    ('hold on a sec', 'pause', None),
    ('wait a moment please', 'pause', None),
    ('can you pause please', 'pause', None),
    ("let's take a short break", 'pause', None),
    ('we need a quick break', 'pause', None),
    ('hang on a second hearth', 'pause', None),
    ('be back in a minute', 'pause', None),
    ('give us two minutes', 'pause', None),
    ("ok let's keep going", 'resume', None),
    ("we're ready again", 'resume', None),
    ("alright, let's carry on", 'resume', None),
    ('please continue', 'resume', None),
    ("let's get back to it", 'resume', None),
    ('we are back now', 'resume', None),
    ('ok where were we', 'resume', None),
    ('you can go on now', 'resume', None),
    ('un pause please', 'resume', None),
    ('stop please', 'stop', None),
    ("let's stop there", 'stop', None),
    ("we're done for tonight", 'stop', None),
    ("I think that's enough for tonight", 'stop', None),
    ("let's wrap it up", 'stop', None),
    ('end the game please', 'stop', None),
    ("let's finish for tonight", 'stop', None),
    ("okay that's all for today", 'stop', None),
    ('good night hearth', 'stop', None),
    ('I think we should call it a night', 'stop', None),
    ("we'd like to stop now", 'stop', None),
    ('what can we say', 'help', None),
    ('how does this work', 'help', None),
    ('help please', 'help', None),
    ('what are the commands', 'help', None),
    ("I'm not sure what to say", 'help', None),
    ('what can you do', 'help', None),
    ('which games can we play', 'help', None),
    ('what are our options', 'help', None),
    ("let's play remember when", 'start_game', 'remember_when'),
    ('can we play the appreciation game', 'start_game', 'appreciation'),
    ("let's do a check in", 'start_game', 'check_in'),
    ('start the weekly check-in', 'start_game', 'check_in'),
    ("let's do something fun", 'start_game', 'friendship'),
    ('can we try the gentle start-up', 'start_game', 'soft_startup'),
    ("let's talk about intimacy", 'start_game', 'intimacy'),
    ('start an evening session', 'start_game', 'evening'),
    ("let's go down memory lane", 'start_game', 'remember_when'),
    ("let's talk about the old times", 'start_game', 'remember_when'),
    ("we'd like the dreams game please", 'start_game', 'dreams'),
    ('how about some would you rather', 'start_game', 'friendship'),
    ('can we switch to gratitude instead', 'start_game', 'appreciation'),
    ("let's do the friendship one", 'start_game', 'friendship'),
    ('start the hopes and dreams game', 'start_game', 'dreams'),
    ("let's do a bit of everything", 'start_game', 'evening'),
    ("let's play the whole evening", 'start_game', 'evening'),
    ("let's start with our goals", 'start_game', 'dreams'),
    ('how about a soft start up', 'start_game', 'soft_startup'),
    ('time for romance', 'start_game', 'intimacy'),
    ('whose turn is it', 'whose_turn', None),
    ("who's next", 'whose_turn', None),
    ('who goes first', 'whose_turn', None),
    ('is it my turn now', 'whose_turn', None),
    ('how many questions are left', 'how_many_left', None),
    ('how many more are there', 'how_many_left', None),
    ('are we nearly done', 'how_many_left', None),
    ('go deeper', 'go_deeper', None),
    ("let's go a bit deeper", 'go_deeper', None),
    ('something more serious please', 'go_deeper', None),
    ('keep it light please', 'keep_it_light', None),
    ('something lighter', 'keep_it_light', None),
    ('nothing too heavy please', 'keep_it_light', None),
    ('slow down please', 'slower', None),
    ('could you talk a bit slower', 'slower', None),
    ('speak faster', 'faster', None),
    ("you're too slow", 'faster', None),
    ('louder please', 'louder', None),
    ("I can't hear you", 'louder', None),
    ('turn it up a bit', 'louder', None),
    ('quieter please', 'softer', None),
    ("you're too loud", 'softer', None),
    ('turn it down', 'softer', None),
]

CONVERSATION = [
    "I don't like this one bit",
    "that's deep",
    "where were we going",
    "what games do you like",
    "oh stop it",
    "wait really",
    "let's do this",
    "don't skip this one",
    "that's all",
    "that's enough",
    "I'm done",
    "what is a small",
    "time for bed",
    "how about dinner",
    "let's talk about something else",
    'next summer we should go back',
    'remember when you stopped the car',
    'I need a pause from work',
    'can you repeat what your mum said',
    'help me with the dishes tomorrow',
    'that game last night was fun',
    "let's skip the party",
    'next time we go there I want the pasta',
    'we should stop buying so much coffee',
    'I want to go back to Italy',
    'do you remember our first date',
    'I love it when you make me laugh',
    'honestly I think you work too hard',
    'that was the best holiday ever',
    'wait until you hear what happened at work',
    'can you pass the salt',
    "I'll pass on dessert tonight",
    'we could play tennis on saturday',
    "let's play some cards later",
    "start the car and I'll be right out",
    'I was so nervous when we met',
    "stop it you're making me blush",
    "that's a really good question",
    "hold on I'm still thinking",
    'wait what do you mean',
    'I never told you that',
    'what do you want for dinner',
    'my dream is to live by the sea',
    'our goals for next year should include saving',
    "I'm grateful that you listened to me",
    'the check in at the hotel was a disaster',
    'we had so much fun at the wedding',
    "that's enough coffee for me",
    "it's time for bed soon",
    'how was your day at work',
    "let's go to bed",
    "I think it's my turn to cook tomorrow",
    'who is picking up the kids',
    'how many people are coming on sunday',
    'that was a deep conversation',
    "you're too loud when you sneeze",
    'can you speak to your brother about it',
    'turn left at the next light',
    "I'm back at the office on monday",
    'where were we when it started raining',
    "let's continue this conversation tomorrow",
    'the help desk never called back',
    "I'd rather not talk about my sister",
    'give us a minute to decide on the menu',
    'skip the small talk and tell me',
    'I remember when we painted the kitchen',
    'the old times were simpler',
    "what's next on the shopping list",
    'one more thing about the holiday',
    'again and again you forget the keys',
    'pause the movie when I get back',
    "we're done with the renovation finally",
    "I'm done with my coffee",
    'you always say that',
    'and then she said no',
    'I really appreciate everything you do',
    'we should do this more often',
    "that's so romantic",
    'what would you rather eat tonight',
    "let's talk about money sometime",
    "that's it, that's exactly what I meant",
    'yes',
    'no',
    'really',
    'I know',
    'mm hmm',
    'thank you',
    'sorry',
    'what',
    'okay',
    "you're right",
    "that's true",
    'me too',
    'exactly',
    'oh wow',
    'love you',
]

UNSEEN_COMMANDS = [
    ('okay hearth next question', 'next', None),
    ('right, next one', 'next', None),
    ('um next please', 'next', None),
    ("let's hear the next one", 'next', None),
    ('go ahead with the next question', 'next', None),
    ("we're ready for the next prompt", 'next', None),
    ('another question please', 'next', None),
    ('give me another one', 'next', None),
    ("what's the next question", 'next', None),
    ('can we get another one', 'next', None),
    ('could we have another question please', 'next', None),
    ('onto the next one', 'next', None),
    ("let's move on to another question", 'next', None),
    ('so what was that again', 'repeat', None),
    ('could you repeat that please', 'repeat', None),
    ('repeat the question please', 'repeat', None),
    ('can you read it again', 'repeat', None),
    ('sorry I missed that', 'repeat', None),
    ("we didn't hear the question", 'repeat', None),
    ('what did you just say', 'repeat', None),
    ('pardon', 'repeat', None),
    ('say that again', 'repeat', None),
    ('hearth, repeat that', 'repeat', None),
    ('skip it', 'skip', None),
    ('skip that question', 'skip', None),
    ('can we skip this question', 'skip', None),
    ("let's skip this", 'skip', None),
    ('pass on this one', 'skip', None),
    ("we'd rather not answer this one", 'skip', None),
    ("I don't want to answer that", 'skip', None),
    ('give us a different question', 'skip', None),
    ('not that one please', 'skip', None),
    ('something else please', 'skip', None),
    ('hold on', 'pause', None),
    ('hang on a moment', 'pause', None),
    ('wait a second', 'pause', None),
    ('pause please', 'pause', None),
    ('can we pause for a bit', 'pause', None),
    ("let's take a break", 'pause', None),
    ('one moment please', 'pause', None),
    ('we need a minute', 'pause', None),
    ('pause the game', 'pause', None),
    ('just a sec', 'pause', None),
    ('continue please', 'resume', None),
    ("we're back now", 'resume', None),
    ("okay let's continue", 'resume', None),
    ("let's keep going", 'resume', None),
    ('carry on please', 'resume', None),
    ("let's pick up where we left off", 'resume', None),
    ('resume the game', 'resume', None),
    ("alright we're ready to continue", 'resume', None),
    ("i'm back", 'resume', None),
    ('stop', 'stop', None),
    ('stop the game please', 'stop', None),
    ("let's stop for tonight", 'stop', None),
    ("we're finished for tonight", 'stop', None),
    ("that's all for tonight", 'stop', None),
    ("okay let's end the session", 'stop', None),
    ('quit the game', 'stop', None),
    ("let's call it a day", 'stop', None),
    ('good night', 'stop', None),
    ("we're done", 'stop', None),
    ("that's enough for today", 'stop', None),
    ('help me', 'help', None),
    ('what commands can I use', 'help', None),
    ('how do we play this', 'help', None),
    ('what should we say', 'help', None),
    ("I'm confused", 'help', None),
    ('can you help us', 'help', None),
    ('what options are there', 'help', None),
    ('start remember when', 'start_game', 'remember_when'),
    ("let's play the memories game", 'start_game', 'remember_when'),
    ('can we do a remember when round', 'start_game', 'remember_when'),
    ("let's do some reminiscing", 'start_game', 'remember_when'),
    ('start the appreciation game', 'start_game', 'appreciation'),
    ("let's do gratitude", 'start_game', 'appreciation'),
    ('time for the thank you game', 'start_game', 'appreciation'),
    ("let's talk about our goals", 'start_game', 'dreams'),
    ('can we play dreams', 'start_game', 'dreams'),
    ('start the dreams game', 'start_game', 'dreams'),
    ("let's do our weekly check in", 'start_game', 'check_in'),
    ('check in time', 'start_game', 'check_in'),
    ('start a check-in please', 'start_game', 'check_in'),
    ("let's play would you rather", 'start_game', 'friendship'),
    ('start the friendship game', 'start_game', 'friendship'),
    ('can we do something silly', 'start_game', 'friendship'),
    ("let's try the soft start up", 'start_game', 'soft_startup'),
    ('start gentle start up', 'start_game', 'soft_startup'),
    ('we want to talk things through', 'start_game', 'soft_startup'),
    ('can we do the intimacy game', 'start_game', 'intimacy'),
    ("let's do something romantic", 'start_game', 'intimacy'),
    ("let's start the evening", 'start_game', 'evening'),
    ('start a mixed session', 'start_game', 'evening'),
    ("let's do the whole evening please", 'start_game', 'evening'),
    ('switch to dreams', 'start_game', 'dreams'),
    ('can we change to appreciation', 'start_game', 'appreciation'),
    ('whose turn', 'whose_turn', None),
    ("who's turn is it", 'whose_turn', None),
    ('who answers first', 'whose_turn', None),
    ('who is this question for', 'whose_turn', None),
    ('how many are left', 'how_many_left', None),
    ('how many to go', 'how_many_left', None),
    ('is this the last one', 'how_many_left', None),
    ("let's go deeper", 'go_deeper', None),
    ('a deeper question please', 'go_deeper', None),
    ('give us something harder', 'go_deeper', None),
    ("let's keep it light", 'keep_it_light', None),
    ('an easier one please', 'keep_it_light', None),
    ('something light please', 'keep_it_light', None),
    ('slower please', 'slower', None),
    ('please speak more slowly', 'slower', None),
    ('can you slow down', 'slower', None),
    ('a bit faster please', 'faster', None),
    ('speed up please', 'faster', None),
    ('go faster', 'faster', None),
    ('speak up', 'louder', None),
    ('a little louder', 'louder', None),
    ('we can barely hear you', 'louder', None),
    ('volume up please', 'louder', None),
    ('a bit quieter please', 'softer', None),
    ('turn the volume down', 'softer', None),
    ("that's too loud", 'softer', None),
    ('volume down', 'softer', None),
]

UNSEEN_CONVERSATION = [
    "next week is your mother's birthday",
    'we should take the next train',
    'the next morning we went hiking',
    "I'll stop by the bakery tomorrow",
    'please stop leaving socks on the floor',
    'can you help me carry the boxes',
    'I could use some help with the garden',
    "I'm going to pause my gym membership",
    'can you repeat the recipe for me later',
    'let me repeat myself, I love you',
    "don't skip breakfast tomorrow",
    'we skipped the wedding reception',
    'I hope we can keep going to the beach every summer',
    'remember when we got lost in Paris',
    'do you remember the dog we had',
    'what was the name of that restaurant',
    'the question is whether we can afford it',
    'that question made me think of my dad',
    "it's your turn to walk the dog",
    'whose car are we taking tomorrow',
    'how many kids do you want',
    'I feel like we went deeper tonight',
    'keep the light on in the hallway',
    "you talk faster when you're nervous",
    'the music was too loud at the concert',
    'can you turn the heating down',
    'turn the oven up to two hundred',
    "I'm back to feeling like myself",
    'we were back home by midnight',
    "let's continue with the garden next spring",
    "let's start saving for a house",
    'we should start a family',
    "I'd love to play that game again sometime",
    "I think I'd play the piano if I could",
    "that's a fun memory",
    'my dreams are always weird',
    'our check-in at the airport took ages',
    'the evening was lovely',
    'I was really happy that evening',
    "that's the thing about your family",
    'hang on to that thought',
    'wait till I tell you about my day',
    'give me a hug',
    'give me a second chance',
    'I need a minute to think about that one',
    "no I don't think so",
    'yeah that sounds right',
    'I guess so',
    'maybe next time',
    "you're the best",
    "that's it",
    "I'm done talking about work",
    "we're done arguing about this",
    'okay so what do you think',
    'I think you answered that really well',
    "it's your turn now",
    'what about you',
    'how about you',
    'and you',
    'you go first',
]

# A command and a piece of conversation that shares its words, for every intent.
PAIRS = [
    ("next question please", "the next question on the form was about taxes"),
    ("say that again", "don't say that again to my mother"),
    ("skip this one", "we can't skip this one wedding, it's your cousin"),
    ("pause for a minute", "I paused for a minute before I answered him"),
    ("okay we're back", "we're back at work on tuesday"),
    ("stop the game", "stop playing games with me, just tell me"),
    ("what can I say", "what can I say, she was always like that"),
    ("let's play remember when", "let's play tennis when the weather is better"),
    ("whose turn is it", "whose turn is it to take out the bins"),
    ("how many are left", "how many eggs are left in the fridge"),
    ("let's go deeper", "let's go deeper into the forest next time"),
    ("keep it light", "keep it light on the salt, the doctor said"),
    ("slow down", "you need to slow down on the motorway"),
    ("speed up", "the bus didn't speed up at all"),
    ("speak up", "you should speak up in those meetings"),
    ("a bit quieter", "the neighbours have been a bit quieter lately"),
]


@pytest.mark.parametrize(("text", "intent", "game"), PHRASINGS)
def test_phrasing_is_understood(matcher: IntentMatcher, text: str, intent: str,
                                game: str | None) -> None:
    assert understood(matcher.match(text)) == (intent, game)


@pytest.mark.parametrize("text", CONVERSATION)
def test_conversation_is_not_a_command(matcher: IntentMatcher, text: str) -> None:
    assert matcher.match(text) is None


@pytest.mark.parametrize(("command", "talk"), PAIRS)
def test_command_words_inside_conversation(matcher: IntentMatcher, command: str,
                                           talk: str) -> None:
    assert matcher.match(command) is not None
    assert matcher.match(talk) is None


def test_unseen_commands_generalize(matcher: IntentMatcher) -> None:
    results = [(understood(matcher.match(text)), (intent, game))
               for text, intent, game in UNSEEN_COMMANDS]
    right = sum(got == want for got, want in results)
    wrong = [(got, want) for got, want in results if got is not None and got != want]
    assert wrong == []  # a miss is better than the wrong command
    assert right / len(results) >= 0.9  # measured: 116 of 123 at first run, 117 now


def test_unseen_conversation_is_rejected(matcher: IntentMatcher) -> None:
    accepted = [text for text in UNSEEN_CONVERSATION if matcher.match(text) is not None]
    assert accepted == []


def test_every_template_sentence_matches_its_own_intent(catalog: IntentCatalog,
                                                        matcher: IntentMatcher) -> None:
    forms = itertools.cycle(catalog.slot_list("game").forms())
    failures = []
    for template in catalog.templates:
        for pattern in template.patterns:
            form, value = next(forms)
            text = " ".join(" ".join(form) if w == "{game}" else w for w in pattern)
            named = named_game(catalog, template.intent, pattern)
            want = (template.intent, value if "{game}" in pattern else named)
            if understood(matcher.match(text)) != want:
                failures.append((text, want))
    assert failures == []


def named_game(catalog: IntentCatalog, intent: str, pattern: tuple[str, ...]) -> str | None:
    """The game a start_game sentence without a {game} slot names word for word ("let's
    check in" starts the check-in); None for other intents."""
    text = f" {' '.join(pattern)} "
    named = [(len(form), value) for form, value in catalog.slot_list("game").forms()
             if f" {' '.join(form)} " in text]
    return max(named)[1] if intent == "start_game" and named else None


def test_every_spoken_game_name_fills_the_slot(catalog: IntentCatalog,
                                               matcher: IntentMatcher) -> None:
    for form, value in catalog.slot_list("game").forms():
        assert understood(matcher.match(f"let's play {' '.join(form)}")) == ("start_game", value)


def test_templates_do_not_claim_one_sentence_for_two_intents(matcher: IntentMatcher) -> None:
    assert matcher.conflicts == []


@pytest.mark.parametrize(("heard", "intent"), [
    ("skip his one", "skip"),  # substituted short word
    ("skip one", "skip"),  # dropped short word
    ("stop the games", "stop"),
    ("next questions", "next"),
    ("what was a question", "repeat"),
    ("can you repeat the", "repeat"),
    ("we're done for the night", "stop"),
    ("hold on a minutes", "pause"),
])
def test_recognizer_errors_still_match(matcher: IntentMatcher, heard: str, intent: str) -> None:
    match = matcher.match(heard)
    assert match is not None and match.intent == intent


def test_misheard_game_name_still_fills_the_slot(matcher: IntentMatcher) -> None:
    assert understood(matcher.match("let's play remember win")) == ("start_game",
                                                                    "remember_when")


@pytest.mark.parametrize("heard", ["text", "stomp", "paws", "nest", "hell", "kelp", "text one",
                                   "what is a small"])
def test_short_near_misses_are_not_commands(matcher: IntentMatcher, heard: str) -> None:
    assert matcher.match(heard) is None


@pytest.mark.parametrize("text", ["", "   ", "?!", "um", "hearth", "okay", "please",
                                  " ".join(["next"] * 20)])
def test_empty_or_overlong_is_not_a_command(matcher: IntentMatcher, text: str) -> None:
    assert matcher.match(text) is None


def test_fillers_and_wake_word_are_ignored(matcher: IntentMatcher) -> None:
    for text in ["um, okay, next", "hey hearth, next please", "so, uh, next", "next, hearth"]:
        assert understood(matcher.match(text)) == ("next", None)


def test_required_wake_word(matcher: IntentMatcher) -> None:
    assert matcher.match("next", require_wake_word=True) is None
    assert matcher.match("hearth next", require_wake_word=True) is not None
    assert matcher.match("okay hearth, next one", require_wake_word=True) is not None
    assert matcher.match("next hearth", require_wake_word=True) is None


def test_configured_wake_word(catalog: IntentCatalog) -> None:
    matcher = IntentMatcher(catalog, wake_word="hey ember", require_wake_word=True)
    assert understood(matcher.match("hey ember, skip this one")) == ("skip", None)
    assert matcher.match("hearth, skip this one") is None


def test_match_reports_score_coverage_and_sentence(matcher: IntentMatcher) -> None:
    exact = matcher.match("let's play memory lane")
    assert exact is not None
    assert (exact.score, exact.coverage) == (1.0, 1.0)
    assert exact.sentence == "let's play memory lane"
    fuzzy = matcher.match("skip his one")
    assert fuzzy is not None and MIN_SCORE <= fuzzy.score < 1.0


def test_match_is_immutable(matcher: IntentMatcher) -> None:
    match = matcher.match("start the dreams game")
    assert match is not None and dict(match.slots) == {"game": "dreams"}
    with pytest.raises(TypeError):
        match.slots["game"] = "intimacy"  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        match.intent = "stop"  # type: ignore[misc]


def test_thresholds_are_fractions() -> None:
    assert 0 < MIN_SCORE < 1 and 0 < MIN_HEARD_COVERAGE <= 1 and 0 < MIN_SENTENCE_COVERAGE <= 1


@pytest.mark.parametrize(("text", "words"), [
    ("Let's skip-it, OK?", ["let", "us", "skip", "it", "okay"]),
    ("We're back!", ["we", "are", "back"]),
    ("give us 2 minutes", ["give", "us", "two", "minutes"]),
    ("I can't hear you", ["i", "can", "not", "hear", "you"]),
])
def test_normalize(text: str, words: list[str]) -> None:
    assert normalize(text) == words


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80) | st.lists(st.sampled_from(
    ["next", "skip", "the", "hearth", "um", "let's", "play", "dreams", "one", "not", "no",
     "can't", "3", "-", "?", "remember", "when", "stop", "party", "o'clock"]),
    max_size=14).map(" ".join))
def test_any_text_gives_a_match_or_none(matcher: IntentMatcher, text: str) -> None:
    match = matcher.match(text)
    if match is not None:
        assert 0 <= match.score <= 1 and 0 <= match.coverage <= 1
        assert set(match.slots) <= {"game"}


# ----- how couples really phrase commands, and how recognizers mishear them ----------------
# Each kind of phrasing the matcher learned (polite frames, hesitations, two commands in a
# row, made-up words at the edges, game-name tails) has positives here and, next to them,
# conversation built from the same words that must stay talk.

NATURAL_PHRASINGS = [
    # polite and indirect request frames
    ("would it be okay if we skip this one", "skip", None),
    ("do you think we could take a break", "pause", None),
    ("why don't we carry on", "resume", None),
    ("I was wondering if we could have another question", "next", None),
    ("we'd love to play would you rather", "start_game", "friendship"),
    # hesitations: openers of several words, stutters, "both"
    ("I mean, let's keep going", "resume", None),
    ("you know, I think we're done for tonight", "stop", None),
    ("can we can we skip this one", "skip", None),
    ("the the next one please", "next", None),
    ("we both want to play the dreams game", "start_game", "dreams"),
    # two commands of one intent in a row
    ("we're done with this one, next one please", "next", None),
    ("I didn't catch that, can you repeat it", "repeat", None),
    ("hold on, give us a minute", "pause", None),
    ("okay we're back let's keep going", "resume", None),
    # game names with words that only say it is a game; names said word for word
    ("let's play the dreams questions tonight", "start_game", "dreams"),
    ("can we do some check in questions", "start_game", "check_in"),
    ("let's check in", "start_game", "check_in"),
    ("we feel like doing some reminiscing", "start_game", "remember_when"),
    ("how about playing appreciation", "start_game", "appreciation"),
    ("start a game about our future", "start_game", "dreams"),
    ("let's practice soft start up", "start_game", "soft_startup"),
    ("we're ready for dreams", "start_game", "dreams"),
    # new sentences for every intent
    ("shall we do another one", "next", None),
    ("what have you got next", "next", None),
    ("ask us a question", "next", None),
    ("let's move along", "next", None),
    ("could you say that one more time", "repeat", None),
    ("we didn't quite catch that", "repeat", None),
    ("go over that again", "repeat", None),
    ("let's try something else", "skip", None),
    ("we'd prefer a different question", "skip", None),
    ("I can't answer that one", "skip", None),
    ("we've already done this one", "skip", None),
    ("could we take a breather", "pause", None),
    ("let's stop for a while", "pause", None),
    ("give us a couple of minutes", "pause", None),
    ("I need to answer the phone", "pause", None),
    ("shall we carry on", "resume", None),
    ("continue from where we stopped", "resume", None),
    ("let's get going again", "resume", None),
    ("let's finish for now", "stop", None),
    ("we're done playing", "stop", None),
    ("goodbye for now", "stop", None),
    ("what are my choices", "help", None),
    ("what options do we have", "help", None),
    ("we don't know how this works", "help", None),
    ("could you explain how this works", "help", None),
    ("I'm a bit confused", "help", None),
]

NATURAL_TALK = [
    # request frames around talk
    "would it be okay if we skip the party",
    "do you think we could take a break from your parents",
    "why don't we carry on to the next village",
    "I was wondering if we could have another dog",
    # hesitations around talk
    "I mean we should stop buying coffee",
    "can we can we go home",
    "we both want to go to Italy",
    # game-name words in talk
    "the dreams questions were weird",
    "let's practice the piano",
    "start a game about football",
    "we're ready for dinner",
    "we feel like doing nothing this weekend",
    # the new sentences' words in talk
    "what have you got planned next week",
    "let's move along to the kitchen",
    "how did the interview go",
    "I can't answer that for you",
    "we've already done this one before with your parents",
    "give us something else to eat",
    "break time at work was short",
    "I need to answer my sister's email",
    "let's talk about intimacy later tonight",
    "that's all for us at the bank",
    "what options do we have for the mortgage",
    "I'm a bit confused about your mum",
    "I don't know what to say",
    "what do you know",
    "what should we do next",
    "go ahead and eat",
    "that was all for today",
    # pieces of talk cut off by the endpointer
    "I need to finish",
    "we could skip",
    "go back to that",
    "finished that",
    "need a pause",
    # said in passing
    "bye",
    "I'm tired",
    "I'm so tired",
    "sweet what i'm lost",
    "it's nice just didn't hear you",
]


@pytest.mark.parametrize(("text", "intent", "game"), NATURAL_PHRASINGS)
def test_natural_phrasing_is_understood(matcher: IntentMatcher, text: str, intent: str,
                                        game: str | None) -> None:
    assert understood(matcher.match(text)) == (intent, game)


@pytest.mark.parametrize("text", NATURAL_TALK)
def test_talk_with_the_same_words_is_not_a_command(matcher: IntentMatcher, text: str) -> None:
    assert matcher.match(text) is None


@pytest.mark.parametrize(("heard", "intent"), [
    ("in that's enough for today", "stop"),  # a made-up function word before
    ("can you say that again was it", "repeat"),  # made-up function words after
    ("next question if", "next"),
    ("pause to a bit", "pause"),  # one short word heard for another ("for")
    ("tell me again", "repeat"),  # "me" for "us"
])
def test_made_up_edge_words_and_swapped_short_words(matcher: IntentMatcher, heard: str,
                                                    intent: str) -> None:
    match = matcher.match(heard)
    assert match is not None and match.intent == intent


@pytest.mark.parametrize("heard", [
    "let's go to bed",  # "let's go" and talk: a left-over content word needs a longer command
    "talk little and to",  # particles are not swapped: "speak up" is not "speak to"
    "that is so romantic",  # at most one swapped short word
    "skip it or not",  # a word that turns a command around is never left over
    "what can we do for your mum",  # nor a question word
])
def test_edge_words_and_swaps_stay_strict(matcher: IntentMatcher, heard: str) -> None:
    assert matcher.match(heard) is None


def test_edge_words_lower_the_coverage(matcher: IntentMatcher) -> None:
    match = matcher.match("in that's enough for today")
    assert match is not None and match.coverage < 1.0 and match.score == 1.0


@pytest.mark.parametrize(("text", "words"), [
    ("can we can we skip this", ["can", "we", "skip", "this"]),
    ("the the next one", ["next", "one"]),
])
def test_stutters_are_collapsed(text: str, words: list[str]) -> None:
    assert without_stutter(essential(normalize(text))) == words
