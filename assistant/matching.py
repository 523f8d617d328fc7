"""Match a transcript to an intent, or say it is not a command (`None`).

The couple talks for minutes between prompts, and their talk is full of command words
("next summer we should go back", "let's skip the party").  So a match needs more than
a similar-looking sentence: the template must explain nearly *every* word that was
heard (coverage of the utterance), most of the template must have been heard (coverage
of the sentence, which tolerates a dropped word), and the whole must look alike
(character similarity, which tolerates a misheard word).

Both sides go through the same normalization: lower case, no punctuation, hyphens as
spaces, digits as words, contractions expanded; fillers ("um"), openers ("okay", "so",
"hey"), the wake word and words that never change a command ("the", "please", "just")
dropped.  A spoken form of a slot value ("memory lane") becomes one ``{game}`` token, so
every phrasing of starting a game works with every name of a game.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from assistant.intents import IntentCatalog, spoken_words

# Thresholds (0..1).  Tuned on our own phrasings and conversation; see tests/test_matching.py.
#: Character similarity of the whole normalized utterance to the sentence: below this,
#: too much was misheard or reworded to trust.
MIN_SCORE = 0.72
#: Two-word utterances have little context, so a near miss ("text one" for "next one")
#: is more likely other talk than a misrecognized command.  One word must match exactly:
#: a recognizer writes real words, and "stomp" is not "stop".
MIN_SHORT_SCORE = 0.88
#: Share of the heard words the sentence must explain.  The crux of rejection: talk that
#: merely contains a command ("I need a pause from work") leaves words unexplained.
MIN_HEARD_COVERAGE = 0.8
#: Share of the sentence's words that must have been heard; lower than the other way
#: round because recognizers drop short words ("skip [this] one").
MIN_SENTENCE_COVERAGE = 0.65
#: Two words count as the same word (a recognizer substitution) at this similarity.
WORD_SIMILARITY = 0.8
#: A word group counts as a spoken game name at this similarity ("remember win").
SLOT_SIMILARITY = 0.85
#: The wake word as recognizers misspell it: "heart", "earth" for "hearth".
WAKE_WORD_SIMILARITY = 0.8
#: Longer utterances (after normalization) are conversation, not commands.
MAX_WORDS = 12
#: Readings of an utterance with a different word group taken as the slot value.
MAX_SLOT_READINGS = 4
#: Candidates re-checked word by word after the fast character-level search.
CANDIDATES = 12

#: Function words weigh half in the heard coverage and may go unheard; every other word
#: of the sentence must be heard, and one heard that only other intents use vetoes.
FUNCTION_WORDS = frozenset(re.split(" ", (
    "i me my we us you your it its this that these those he she him her they them is are am "
    "was were be been do does did can will would should shall may might must have has had "
    "to for of on in at with about from by into up out off over what who whose how which "
    "where when why any and or but so then now here there let one more very bit little lot "
    "get go give take make")))

FILLERS = frozenset(re.split(" ", "um umm uh uhh er erm hmm hm mm ah eh"))
OPENERS = frozenset(re.split(" ", "okay alright so well hey right oh yeah yes and then hi "
                                  "hello nah nope sorry"))
CLOSERS = frozenset(re.split(" ", "thanks then okay alright now"))
IGNORED = frozenset(re.split(" ", "the a an please just some our kindly maybe "
                                  "quick short quite"))
#: Words that turn a command around ("let's not do this one", "that's too deep"): never
#: left unmatched on either side.
KEY_WORDS = frozenset(re.split(" ", "not never nothing too"))
#: Request frames: "could you repeat that" is "repeat that"; tried with and without.
FRAMES = tuple(tuple(f.split()) for f in (
    "can you", "would you", "will you", "do you mind", "you can", "can we", "shall we",
    "let us", "i think", "i guess", "we should", "i would like to", "we would like to",
    "i want to", "we want to", "i would rather", "we would rather"))
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
          "who's": "whose"}  # homophones a recognizer cannot tell apart
_NOT_WORD = re.compile(r"[^a-z0-9' ]+")


@dataclass(frozen=True)
class IntentMatch:
    """A transcript understood as a command."""

    intent: str
    slots: Mapping[str, str]  # e.g. {"game": "dreams"}; read-only
    score: float  # 0..1 similarity of the normalized utterance to `sentence`
    sentence: str  # the template sentence matched, slots filled with what was heard
    coverage: float  # 0..1 share of the heard (normalized) words the sentence explains,
    # generic words ("can", "it") weighing half


@dataclass(frozen=True)
class _Entry:
    intent: str
    words: tuple[str, ...]  # normalized, slots as "{name}"
    sentence: str  # as written in the template expansion


def normalize(text: str) -> list[str]:
    """Lower-case words, no punctuation, hyphens split, digits spelled, contractions expanded."""
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


def _essential(words: list[str]) -> list[str]:
    return [w for w in words if w not in FILLERS and w not in IGNORED]


class IntentMatcher:
    """Matches transcripts against a catalog; indexes are built once, here."""

    def __init__(self, catalog: IntentCatalog, wake_word: str = "hearth",
                 require_wake_word: bool = False) -> None:
        self.wake_word = wake_word
        self.require_wake_word = require_wake_word
        self._entries: dict[str, _Entry] = {}
        #: normalized sentences claimed by two intents (the first one wins); tests keep it empty
        self.conflicts: list[tuple[str, str, str]] = []
        for template in catalog.templates:
            for pattern in template.patterns:
                words = _essential([n for w in pattern for n in _slot_or_words(w)])
                if all(word.startswith("{") for word in words):
                    continue  # "maybe {game}" must not make any game name alone a command
                self._add(_Entry(template.intent, tuple(words), " ".join(pattern)))
                core = tuple(_strip_frames(words))
                if len(core) >= 2:  # "let's go" must not make "go" alone a command
                    self._add(_Entry(template.intent, core, " ".join(pattern)))
        self._keys = list(self._entries)
        self._intents_of: dict[str, set[str]] = {}
        for entry in self._entries.values():
            for word in entry.words:
                self._intents_of.setdefault(word, set()).add(entry.intent)
        self._forms: dict[tuple[str, ...], tuple[str, str, str]] = {}
        for slot_list in catalog.lists:
            for form, value in slot_list.forms():
                spoken = tuple(_essential(normalize(" ".join(form))))
                if spoken:
                    self._forms.setdefault(spoken, (slot_list.name, value, " ".join(form)))
        self._form_keys: dict[int, list[str]] = {}
        for spoken in self._forms:
            self._form_keys.setdefault(len(spoken), []).append(" ".join(spoken))
        self._longest_form = max(map(len, self._forms), default=0)

    def _add(self, entry: _Entry) -> None:
        key = " ".join(entry.words)
        known = self._entries.setdefault(key, entry)
        if known.intent != entry.intent:
            self.conflicts.append((key, known.intent, entry.intent))
        elif len(entry.sentence) < len(known.sentence):  # show the plainest wording
            self._entries[key] = entry

    def match(self, text: str, *, wake_word: str | None = None,
              require_wake_word: bool | None = None) -> IntentMatch | None:
        """The intent of `text`, or None when it is not (confidently) a command."""
        words = self._strip_wake_word(
            normalize(text),
            self.wake_word if wake_word is None else wake_word,
            self.require_wake_word if require_wake_word is None else require_wake_word)
        if words is None:
            return None
        words = _essential(words)
        if not words or len(words) > MAX_WORDS:
            return None
        # Closers ("... now", "... thanks") and request frames ("could you ...") are tried
        # with and without; slots first, so that "would you rather" is a game, not a frame.
        trimmed = list(words)
        while trimmed and trimmed[-1] in CLOSERS:
            trimmed.pop()
        variants: list[tuple[list[str], _Slot | None]] = []
        for plain in [words] + ([trimmed] if trimmed != words else []):
            variants += [(plain, None), *self._replace_slot(plain)]
        variants += [(_strip_frames(heard, HEARD_FRAMES), slot) for heard, slot in variants]
        best: IntentMatch | None = None
        for heard, slot in dict.fromkeys((tuple(h), s) for h, s in variants if h):
            found = self._best(list(heard), slot)
            if found and (best is None or (found.score, found.coverage) > (best.score,
                                                                           best.coverage)):
                best = found
                if (best.score, best.coverage) == (1.0, 1.0):
                    break
        return best

    def _strip_wake_word(self, words: list[str], wake_word: str,
                         required: bool) -> list[str] | None:
        wake = normalize(wake_word)
        if not _starts_with(words, wake):  # "hey hearth" may be the wake word, or an opener
            words = _drop_openers(words)
        if _starts_with(words, wake):
            words = _drop_openers(words[len(wake):])
        elif required:
            return None
        else:
            words = _drop_openers(words)
        if wake and words[-len(wake):] == wake:
            words = words[: -len(wake)]
        return words

    def _replace_slot(self, words: list[str]) -> list[tuple[list[str], _Slot]]:
        """Utterances with a spoken slot value replaced by ``{name}``: the longest exact word
        groups ("thank you game" and "thank you"), else the most similar group of the same
        number of words (a misheard "remember win")."""
        spans = [(size, start) for size in range(min(self._longest_form, len(words)), 0, -1)
                 for start in range(len(words) - size + 1)]
        exact = [(size, start, self._forms[tuple(words[start:start + size])])
                 for size, start in spans if tuple(words[start:start + size]) in self._forms]
        found = exact[:MAX_SLOT_READINGS]
        for size, start in spans if not found else ():
            group = " ".join(words[start:start + size])
            if len(group) >= 5 and (best := process.extractOne(
                    group, self._form_keys.get(size, []), scorer=fuzz.ratio,
                    score_cutoff=SLOT_SIMILARITY * 100)):
                found = [(size, start, self._forms[tuple(best[0].split())])]
                break
        return [([*words[:start], "{" + name + "}", *words[start + size:]],
                 _Slot("{" + name + "}", name, value, form))
                for size, start, (name, value, form) in found]

    def _coverage(self, heard: list[str], entry: _Entry) -> tuple[float, float]:
        """Weighted shares of heard and of sentence words aligned to each other.

        A content word of the sentence not heard, or a heard word used only by other intents
        left unexplained, vetoes the match (0, 0): "can we have a different question" is
        not "can we have the next question".
        """
        sentence = list(entry.words)
        heard_ok, sentence_ok = [False] * len(heard), [False] * len(sentence)
        for op in Levenshtein.opcodes(heard, sentence):
            pairs = list(zip(range(op.src_start, op.src_end), range(op.dest_start, op.dest_end),
                             strict=False)) if op.tag in ("equal", "replace") else []
            for i, j in pairs:
                if op.tag == "equal" or (
                        "{" not in heard[i] + sentence[j]
                        and fuzz.ratio(heard[i], sentence[j]) >= WORD_SIMILARITY * 100):
                    heard_ok[i] = sentence_ok[j] = True
        for word, ok in zip(sentence, sentence_ok, strict=True):
            if not ok and (word.startswith("{") or word not in FUNCTION_WORDS):
                return 0.0, 0.0
        total = explained = 0.0
        for word, ok in zip(heard, heard_ok, strict=True):
            owners = self._intents_of.get(word, set())
            if not ok and (word.startswith("{") or word in KEY_WORDS
                           or (owners and entry.intent not in owners)):
                return 0.0, 0.0
            weight = 0.5 if word in FUNCTION_WORDS else 1.0
            total += weight
            explained += weight * ok
        return explained / total, sum(sentence_ok) / len(sentence)

    def _best(self, heard: list[str], slot: _Slot | None) -> IntentMatch | None:
        """The most similar sentence that passes every threshold (candidates come best first)."""
        for candidate, ratio, _ in process.extract(" ".join(heard), self._keys,
                                                   scorer=fuzz.ratio, limit=CANDIDATES,
                                                   score_cutoff=MIN_SCORE * 100):
            score = ratio / 100
            if (len(heard) == 1 and score < 1) or (len(heard) == 2 and score < MIN_SHORT_SCORE):
                continue
            entry = self._entries[candidate]
            heard_share, sentence_share = self._coverage(heard, entry)
            if heard_share < MIN_HEARD_COVERAGE or sentence_share < MIN_SENTENCE_COVERAGE:
                continue
            slots, sentence = {}, entry.sentence
            if slot is not None and slot.token in entry.words:
                slots = {slot.name: slot.value}
                sentence = sentence.replace(slot.token, slot.form)
            return IntentMatch(entry.intent, MappingProxyType(slots), round(score, 3),
                               sentence, round(heard_share, 3))
        return None


@dataclass(frozen=True)
class _Slot:
    token: str  # "{game}"
    name: str  # "game"
    value: str  # "remember_when"
    form: str  # "memory lane", as written in the slot list


def _strip_frames(words: list[str], frames: tuple[tuple[str, ...], ...] = FRAMES) -> list[str]:
    stripped = True
    while stripped:
        stripped = False
        for frame in frames:
            if tuple(words[: len(frame)]) == frame:
                words, stripped = words[len(frame):], True
    return words


def _slot_or_words(word: str) -> list[str]:
    return [word] if word.startswith("{") else normalize(word)


def _starts_with(words: list[str], wake: list[str]) -> bool:
    """Whether `words` start with the wake word, as a recognizer may spell it ("heart")."""
    return bool(wake) and len(words) >= len(wake) and all(
        fuzz.ratio(a, b) >= WAKE_WORD_SIMILARITY * 100 for a, b in zip(words, wake, strict=False))


def _drop_openers(words: list[str]) -> list[str]:
    start = 0
    while start < len(words) and (words[start] in OPENERS or words[start] in FILLERS):
        start += 1
    return words[start:]
