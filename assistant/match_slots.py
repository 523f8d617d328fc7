"""Spoken slot values in an utterance: "memory lane" heard as the ``{game}`` token.

The matcher (`assistant.matching`) compares utterances to template sentences in which a
slot is one ``{name}`` token.  So a spoken form of a slot value ("memory lane", "thank you
game") is replaced by that token before matching, and every phrasing of starting a game works
with every name of a game.  Recognizers mishear names, so a group of words that merely looks
like a name ("remember win") counts too; words after a name that only say it is a game
("... questions tonight") may go; and a template that names a value word for word ("let's
check in") fills the slot (`SlotForms.named_in`).

Forms go through the same normalization as heard words (`assistant.normalize`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from assistant.intents import SlotList
from assistant.normalize import SLOT_TAIL, essential, normalize

__all__ = ["MAX_SLOT_READINGS", "SLOT_SIMILARITY", "SlotForms", "SlotReading",
           "slot_or_words", "without_slot_tail"]

#: A word group counts as a spoken game name at this similarity ("remember win").
SLOT_SIMILARITY = 0.85
#: Readings of an utterance with a different word group taken as the slot value.
MAX_SLOT_READINGS = 4


@dataclass(frozen=True)
class SlotReading:
    """One word group of an utterance taken as a slot value."""

    token: str  # "{game}"
    name: str  # "game"
    value: str  # "remember_when"
    form: str  # "memory lane", as written in the slot list


class SlotForms:
    """The spoken forms of every slot value, normalized and indexed once."""

    def __init__(self, lists: Iterable[SlotList]) -> None:
        #: normalized spoken form → (slot name, value, form as written)
        self._forms: dict[tuple[str, ...], tuple[str, str, str]] = {}
        for slot_list in lists:
            for form, value in slot_list.forms():
                spoken = tuple(essential(normalize(" ".join(form))))
                if spoken:
                    self._forms.setdefault(spoken, (slot_list.name, value, " ".join(form)))
        self._form_keys: dict[int, list[str]] = {}
        for spoken in self._forms:
            self._form_keys.setdefault(len(spoken), []).append(" ".join(spoken))
        self._longest_form = max(map(len, self._forms), default=0)
        #: every word of a spoken form
        self.words = {word for form in self._forms for word in form}

    def named_in(self, words: tuple[str, ...]) -> dict[str, str]:
        """The slot a sentence names word for word ("let's check in"), longest form first."""
        for size in range(min(self._longest_form, len(words)), 0, -1):
            for start in range(len(words) - size + 1):
                form = self._forms.get(words[start:start + size])
                if form is not None:
                    return {form[0]: form[1]}
        return {}

    def readings(self, words: list[str]) -> list[tuple[list[str], SlotReading]]:
        """Utterances with a spoken slot value replaced by ``{name}``: the longest exact word
        groups ("thank you game" and "thank you"), else the most similar group of the same
        number of words (a misheard "remember win")."""
        spans = [(size, start) for size in range(min(self._longest_form, len(words)), 0, -1)
                 for start in range(len(words) - size + 1)]
        exact = [(size, start, self._forms[tuple(words[start:start + size])])
                 for size, start in spans if tuple(words[start:start + size]) in self._forms]
        found = [self._widen(words, *item) for item in exact[:MAX_SLOT_READINGS]]
        for size, start in spans if not found else ():
            group = " ".join(words[start:start + size])
            if len(group) >= 5 and (best := process.extractOne(
                    group, self._form_keys.get(size, []), scorer=fuzz.ratio,
                    score_cutoff=SLOT_SIMILARITY * 100)):
                found = [(size, start, self._forms[tuple(best[0].split())])]
                break
        return [([*words[:start], "{" + name + "}", *words[start + size:]],
                 SlotReading("{" + name + "}", name, value, form))
                for size, start, (name, value, form) in found]

    def _widen(self, words: list[str], size: int, start: int, form: tuple[str, str, str]
               ) -> tuple[int, int, tuple[str, str, str]]:
        """Two names of one game side by side are one name ("fun friendship questions")."""
        for other, at in [(size2, start2) for size2 in range(1, self._longest_form + 1)
                          for start2 in (start - size2, start + size)]:
            next_to = self._forms.get(tuple(words[max(at, 0):at + other]))
            if at >= 0 and next_to is not None and next_to[:2] == form[:2]:
                return self._widen(words, size + other, min(start, at), form)
        return size, start, form


def without_slot_tail(words: list[str], token: str) -> list[str]:
    """ "dreams questions", "memory lane game tonight": words after a game name that only
    say it is a game ("game", "questions", "tonight") are left out."""
    at = words.index(token) + 1 if token in words else len(words)
    end = at
    while end < len(words) and words[end] in SLOT_TAIL:
        end += 1
    return [*words[:at], *words[end:]]


def slot_or_words(word: str) -> list[str]:
    """A template word normalized, a slot token (``{game}``) kept as it is."""
    return [word] if word.startswith("{") else normalize(word)
