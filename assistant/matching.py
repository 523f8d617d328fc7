"""Match a transcript to an intent, or say it is not a command (`None`).

The couple talks for minutes between prompts, and their talk is full of command words
("next summer we should go back", "let's skip the party").  So a match needs more than
a similar-looking sentence: the template must explain nearly *every* word that was
heard (coverage of the utterance), most of the template must have been heard (coverage
of the sentence, which tolerates a dropped word), and the whole must look alike
(character similarity, which tolerates a misheard word).

Both sides go through the same normalization (`assistant.normalize`): lower case, no
punctuation, contractions expanded; fillers, openers, stutters, the wake word and words that
never change a command dropped.  A spoken form of a slot value ("memory lane") becomes one
``{game}`` token (`assistant.match_slots`), so every phrasing of starting a game works with
every name of a game.

Recognizers mishear, and people say more than a command, so three narrow allowances:
one short function word heard for another ("pause to a bit"); two commands of one intent
in a row ("we're back, keep going"), one of them a command sentence word for word; and a
word or two made up at the edges around a specific command heard almost exactly (see
`IntentMatcher._match_inside`), which lowers the reported coverage.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from assistant.intent import Intent
from assistant.intents import IntentCatalog
from assistant.match_slots import SlotForms, SlotReading, slot_or_words, without_slot_tail
from assistant.normalize import (
    CLOSERS,
    FUNCTION_WORDS,
    HEARD_FRAMES,
    KEY_WORDS,
    SWAPPABLE,
    drop_openers,
    essential,
    normalize,
    strip_frames,
    without_stutter,
)

__all__ = ["MIN_HEARD_COVERAGE", "MIN_SCORE", "MIN_SENTENCE_COVERAGE", "IntentMatch",
           "IntentMatcher", "normalize"]

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
#: Words around a command that may go unexplained (made up from background talk), and how
#: closely the rest must match a command sentence for that.
MAX_EDGE_WORDS = 2
EDGE_MIN_SCORE = 0.9
#: Function words heard in place of other function words that one match may forgive.
MAX_FUNCTION_SWAPS = 1
#: The wake word as recognizers misspell it: "heart", "earth" for "hearth".
WAKE_WORD_SIMILARITY = 0.8
#: Longer utterances (after normalization) are conversation, not commands.
MAX_WORDS = 12
#: Candidates re-checked word by word after the fast character-level search.
CANDIDATES = 12

@dataclass(frozen=True)
class IntentMatch:
    """A transcript understood as a command."""

    intent: Intent
    slots: Mapping[str, str]  # e.g. {"game": "dreams"}; read-only
    score: float  # 0..1 similarity of the normalized utterance to `sentence`
    sentence: str  # the template sentence matched, slots filled with what was heard
    coverage: float  # 0..1 share of the heard (normalized) words the sentence explains,
    # generic words ("can", "it") weighing half


@dataclass(frozen=True)
class _Entry:
    intent: Intent
    words: tuple[str, ...]  # normalized, slots as "{name}"
    sentence: str  # as written in the template expansion


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
                words = essential([n for w in pattern for n in slot_or_words(w)])
                if all(word.startswith("{") for word in words):
                    continue  # "maybe {game}" must not make any game name alone a command
                self._add(_Entry(template.intent, tuple(words), " ".join(pattern)))
                core = tuple(strip_frames(words))
                if len(core) >= 2:  # "let's go" must not make "go" alone a command
                    self._add(_Entry(template.intent, core, " ".join(pattern)))
        self._keys = list(self._entries)
        self._intents_of: dict[str, set[Intent]] = {}
        for entry in self._entries.values():
            for word in entry.words:
                self._intents_of.setdefault(word, set()).add(entry.intent)
        self._slots = SlotForms(catalog.lists)
        self._known = set(self._intents_of) | self._slots.words
        # A template that names a slot value word for word ("let's check in") fills it.
        slotted = catalog.slotted()
        self._fixed: dict[tuple[str, ...], dict[str, str]] = {
            entry.words: named for entry in self._entries.values()
            if entry.intent in slotted and not any("{" in word for word in entry.words)
            and (named := self._slots.named_in(entry.words))}

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
        words = essential(words)
        if not words or len(words) > MAX_WORDS:
            return None
        best = self._match_words(words)
        fluent = without_stutter(list(words))  # "can we can we skip", not "session session"
        if best is None and fluent != words:
            words = fluent
            best = self._match_words(words)
        if best is None and len(words) >= 3:
            best = self._match_compound(words)
        if best is None and len(words) >= 4:
            best = self._match_inside(words)
        return best

    def _match_inside(self, words: list[str]) -> IntentMatch | None:
        """A command with a function word or two the recognizer made up around it (breath,
        background talk: "... was it"): the rest must be a command heard almost exactly,
        fully explained, made of command words, with two content words ("say that again",
        not "go on").  Content words are never left over (talk goes on with them: "... to
        the kitchen"), nor words that turn a command around ("not", "what")."""
        for dropped in range(1, MAX_EDGE_WORDS + 1):
            for front in range(dropped + 1):
                core = words[front:len(words) - (dropped - front)]
                edges = words[:front] + words[len(words) - (dropped - front):]
                content = [w for w in core if w not in FUNCTION_WORDS and w not in KEY_WORDS]
                if len(content) < 2 or 2 * dropped > len(core) or any(
                        w not in FUNCTION_WORDS or w in KEY_WORDS for w in edges) or not all(
                        w in self._known for w in core):
                    continue
                found = self._match_words(core, EDGE_MIN_SCORE)
                if found is not None and found.score >= EDGE_MIN_SCORE and found.coverage == 1:
                    return dataclasses.replace(found, coverage=round(len(core) / len(words), 3))
        return None

    def _match_words(self, words: list[str], min_score: float = MIN_SCORE) -> IntentMatch | None:
        # Closers ("... now", "... thanks") and request frames ("could you ...") are tried
        # with and without; slots first, so that "would you rather" is a game, not a frame.
        trimmed = list(words)
        while trimmed and trimmed[-1] in CLOSERS:
            trimmed.pop()
        variants: list[tuple[list[str], SlotReading | None]] = []
        for plain in [words] + ([trimmed] if trimmed != words else []):
            variants += [(plain, None), *self._slots.readings(plain)]
        variants += [(without_slot_tail(heard, slot.token), slot)
                     for heard, slot in variants if slot is not None]
        variants += [(strip_frames(heard, HEARD_FRAMES), slot) for heard, slot in variants]
        best: IntentMatch | None = None
        for heard, slot in dict.fromkeys((tuple(h), s) for h, s in variants if h):
            found = self._best(list(heard), slot, min_score)
            if found and (best is None or (found.score, found.coverage) > (best.score,
                                                                           best.coverage)):
                best = found
                if (best.score, best.coverage) == (1.0, 1.0):
                    break
        return best

    def _match_compound(self, words: list[str]) -> IntentMatch | None:
        """Two commands of one intent in a row ("we're back, keep going", "I missed that,
        say it again"): one part must be a command sentence word for word, the other must
        match on its own, to the same intent and slots."""
        for cut in range(1, len(words)):
            parts = (words[:cut], words[cut:])
            for exact, other in (parts, parts[::-1]):
                entry = self._entries.get(" ".join(strip_frames(drop_openers(exact))))
                rest = drop_openers(other)
                if entry is None or not rest:
                    continue
                found = self._match_words(rest)
                if found is not None and found.intent == entry.intent and (
                        not self._fixed.get(entry.words)
                        or dict(found.slots) == self._fixed[entry.words]):
                    return found
        return None

    def _strip_wake_word(self, words: list[str], wake_word: str,
                         required: bool) -> list[str] | None:
        wake = normalize(wake_word)
        if not _starts_with(words, wake):  # "hey hearth" may be the wake word, or an opener
            words = drop_openers(words)
        if _starts_with(words, wake):
            words = drop_openers(words[len(wake):])
        elif required:
            return None
        else:
            words = drop_openers(words)
        if wake and words[-len(wake):] == wake:
            words = words[: -len(wake)]
        return words

    def _coverage(self, heard: list[str], entry: _Entry) -> tuple[float, float]:
        """Weighted shares of heard and of sentence words aligned to each other.

        A content word of the sentence not heard, or a heard word used only by other intents
        left unexplained, vetoes the match (0, 0): "can we have a different question" is
        not "can we have the next question".
        """
        sentence = list(entry.words)
        heard_ok, sentence_ok = [False] * len(heard), [False] * len(sentence)
        swaps = 0
        for op in Levenshtein.opcodes(heard, sentence):
            pairs = list(zip(range(op.src_start, op.src_end), range(op.dest_start, op.dest_end),
                             strict=False)) if op.tag in ("equal", "replace") else []
            for i, j in pairs:
                similar = op.tag == "equal" or _similar(heard[i], sentence[j])
                if not similar and swaps < MAX_FUNCTION_SWAPS and _swappable(heard[i],
                                                                            sentence[j]):
                    similar, swaps = True, swaps + 1
                if similar:
                    heard_ok[i] = sentence_ok[j] = True
        for word, ok in zip(sentence, sentence_ok, strict=True):
            if not ok and (word.startswith("{") or word not in FUNCTION_WORDS
                           or word in KEY_WORDS):
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

    def _best(self, heard: list[str], slot: SlotReading | None,
              min_score: float = MIN_SCORE) -> IntentMatch | None:
        """The most similar sentence that passes every threshold (candidates come best first)."""
        for candidate, ratio, _ in process.extract(" ".join(heard), self._keys,
                                                   scorer=fuzz.ratio, limit=CANDIDATES,
                                                   score_cutoff=min_score * 100):
            score = ratio / 100
            if (len(heard) == 1 and score < 1) or (len(heard) == 2 and score < MIN_SHORT_SCORE):
                continue
            entry = self._entries[candidate]
            heard_share, sentence_share = self._coverage(heard, entry)
            if heard_share < MIN_HEARD_COVERAGE or sentence_share < MIN_SENTENCE_COVERAGE:
                continue
            slots, sentence = dict(self._fixed.get(entry.words, {})), entry.sentence
            if slot is not None and slot.token in entry.words:
                slots = {slot.name: slot.value}
                sentence = sentence.replace(slot.token, slot.form)
            return IntentMatch(entry.intent, MappingProxyType(slots), round(score, 3),
                               sentence, round(heard_share, 3))
        return None


def _similar(heard: str, said: str) -> bool:
    """A recognizer substitution of a similar-looking word ("his" for "this")."""
    return "{" not in heard + said and fuzz.ratio(heard, said) >= WORD_SIMILARITY * 100


def _swappable(heard: str, said: str) -> bool:
    """One short function word heard for another ("in" for "on", "you" for "it"), which
    recognizers confuse most; never a word that turns a command around."""
    return heard in SWAPPABLE and said in SWAPPABLE


def _starts_with(words: list[str], wake: list[str]) -> bool:
    """Whether `words` start with the wake word, as a recognizer may spell it ("heart")."""
    return bool(wake) and len(words) >= len(wake) and all(
        fuzz.ratio(a, b) >= WAKE_WORD_SIMILARITY * 100 for a, b in zip(words, wake, strict=False))
