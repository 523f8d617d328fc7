"""Normalization of what was heard and of template sentences, and the word lists behind it.

`normalize` prepares text for matching commands; `plain_words` is the simpler form the
safety phrases and the consent answers are read in.

Both sides of a match go through `normalize`: lower case, no punctuation, hyphens as
spaces, digits as words, contractions expanded.  What was heard also loses fillers ("um"),
openers ("okay", "so", "you know"), stutters ("can we can we") and words that never change
a command ("the", "please", "just", "both"); request frames ("could you", "would it be okay
if we") are tried with and without.  The word lists here say which words matter how much.
"""

from __future__ import annotations

import re

from assistant.template_syntax import spoken_words

#: Function words weigh half in the heard coverage and may go unheard; every other word
#: of the sentence must be heard, and one heard that only other intents use vetoes.
FUNCTION_WORDS = frozenset(re.split(" ", (
    "i me my we us you your it its this that these those he she him her they them is are am "
    "was were be been do does did can will would should shall may might must have has had "
    "to for of on in at with about from by into up out off over what who whose how which "
    "where when why any and or but so if then now here there let one more very bit little lot "
    "get go give take make")))

FILLERS = frozenset(re.split(" ", "um umm uhm uh uhh er erm hmm hmmm hm mm mmm ah eh"))
OPENERS = frozenset(re.split(" ", "okay alright so well hey right oh yeah yes yep yup and then "
                                  "hi hello nah nope sorry actually anyway anyways cool great "
                                  "fine sure"))
#: Several-word openers and hesitations ("you know", "i mean"), dropped like OPENERS.
OPENER_PHRASES = tuple(tuple(p.split()) for p in (
    "you know", "i mean", "excuse me", "all right", "of course", "no worries",
    "let me see", "let us see", "in that case"))
CLOSERS = frozenset(re.split(" ", "thanks then okay alright now"))
IGNORED = frozenset(re.split(" ", "the a an please just some our kindly maybe "
                                  "quick short quite both"))
#: Words that turn a command around ("let's not do this one", "that's too deep") or make it
#: another question ("what", "why"): never left unmatched on either side.
KEY_WORDS = frozenset(re.split(" ", "not never nothing too what why who how where when which"))
#: Request frames: "could you repeat that" is "repeat that"; tried with and without.
FRAMES = tuple(tuple(f.split()) for f in (
    "can you", "would you", "will you", "do you mind", "you can", "can we", "shall we",
    "let us", "i think", "i guess", "we should", "i would like to", "we would like to",
    "i want to", "we want to", "i would rather", "we would rather",
    "i would love to", "we would love to", "i would like you to", "we would like you to",
    "i want you to", "we want you to", "i need you to", "we need you to",
    "can i", "would it be okay if we", "is it okay if we", "do you think we can",
    "do you think you can", "why do not we", "why not", "how about we",
    "i think we should", "we need to", "we have to",
    "i was wondering if we can", "i wonder if we can", "i wonder if you can",
    "are you able to", "mind if we"))
#: A leading "no" ("no, skip it") is dropped from what was heard, never from templates
#: ("no more questions" is not "more questions").
HEARD_FRAMES = (*FRAMES, ("no",))
_SUFFIXES = (("n't", " not"), ("'re", " are"), ("'m", " am"), ("'ve", " have"),
             ("'ll", " will"), ("'d", " would"), ("'s", " is"))
_WORDS = {"can't": "can not", "cannot": "can not", "won't": "will not", "let's": "let us",
          "lets": "let us", "whats": "what is", "thats": "that is", "dont": "do not",
          "im": "i am", "could": "can", "ok": "okay", "gonna": "going to",
          "wanna": "want to", "lemme": "let me", "gimme": "give me",
          "goodnight": "good night", "onto": "on to",
          "who's": "whose",  # homophones a recognizer cannot tell apart
          "allright": "alright", "okey": "okay", "okie": "okay", "dunno": "do not know",
          "gotta": "got to", "kinda": "kind of", "whatcha": "what are you",
          "ain't": "is not"}
_NOT_WORD = re.compile(r"[^a-z0-9' ]+")


#: Short words recognizers confuse with each other (pronouns, prepositions; not verbs, "that
#: was all" is not "that is all", nor particles, "speak up" is not "speak to", nor what a
#: command points at, "back to that" is not "back to it").
SWAPPABLE = frozenset(re.split(" ", "i me my we us you your he she him her they them to for "
                                    "of at with about from by into and or but"))
#: Words after a spoken game name that add nothing to it ("the dreams questions tonight").
SLOT_TAIL = frozenset(re.split(" ", "game games questions question session deck cards "
                                    "prompts stuff one ones tonight together now please "
                                    "practice thing"))

_PLAIN_NOT_WORD = re.compile(r"[^a-z0-9]+")


def plain_words(text: str) -> list[str]:
    """Lower-case words, apostrophes dropped ("don't" is "dont") and any other punctuation
    a space: the form safety phrases and consent answers are written in."""
    return _PLAIN_NOT_WORD.sub(" ", text.lower().replace("'", "").replace("\u2019", "")).split()


def normalize(text: str) -> list[str]:
    """For matching commands: lower-case words, no punctuation, hyphens split, digits
    spelled, contractions expanded."""
    text = _NOT_WORD.sub(" ", text.lower().replace("-", " "))
    words: list[str] = []
    for raw in text.split():
        for word in spoken_words(raw.strip("'")):
            expanded = _WORDS.get(word)
            if expanded is None:
                suffix = next((s for s in _SUFFIXES if word.endswith(s[0])), None)
                expanded = word[: -len(suffix[0])] + suffix[1] if suffix else word
            words += expanded.replace("'", "").split()
    return words


def essential(words: list[str]) -> list[str]:
    return [w for w in words if w not in FILLERS and w not in IGNORED]


def strip_frames(words: list[str], frames: tuple[tuple[str, ...], ...] = FRAMES) -> list[str]:
    stripped = True
    while stripped:
        stripped = False
        for frame in frames:
            if tuple(words[: len(frame)]) == frame:
                words, stripped = words[len(frame):], True
    return words


def drop_openers(words: list[str]) -> list[str]:
    start, dropped = 0, True
    while dropped:
        dropped = False
        while start < len(words) and (words[start] in OPENERS or words[start] in FILLERS):
            start, dropped = start + 1, True
        for phrase in OPENER_PHRASES:
            if tuple(words[start:start + len(phrase)]) == phrase:
                start, dropped = start + len(phrase), True
    return words[start:]


def without_stutter(words: list[str]) -> list[str]:
    """Hesitations repeat a word or two: "can we can we skip", "the the next one"."""
    for size in (2, 1):
        at = 0
        while at + 2 * size <= len(words):
            if words[at:at + size] == words[at + size:at + 2 * size]:
                del words[at + size:at + 2 * size]
            else:
                at += 1
    return words
