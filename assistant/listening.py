"""The listening pipeline: chunks in, `Utterance`s (with an intent or none) out.

Used by `hearth listen`, the demo and the live session alike. Audio goes to the
endpointer; while an utterance is being spoken its chunks (pre-roll included) are
already decoded, so at the endpoint only the engine's finish is left.

Rejection is the crux: the couple talk for minutes, full of command words. An
utterance becomes a command only when the matcher explains nearly all of what was
heard (its coverage), the words it rests on were heard with some confidence, and the
utterance is short enough to be a command. The engine's command reading (a whole
command sentence among its alternatives) can rescue a command whose best transcript
was slightly off, but only when it agrees with that transcript, or when the engine
itself verified it against the audio (such a reading comes with its own words).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from rapidfuzz import fuzz

from assistant.asr.base import Hypothesis, Recognition, SpeechEngine, Word
from assistant.audio import AudioChunk, stream_file
from assistant.endpoint import Endpointer, EndpointOptions, Span
from assistant.matching import IntentMatch
from assistant.utterance import Utterance


class Matcher(Protocol):
    def match(self, text: str) -> IntentMatch | None: ...


@dataclass(frozen=True)
class ListenOptions:
    """When speech counts as a command."""

    endpoint: EndpointOptions = field(default_factory=EndpointOptions)
    max_command_seconds: float = 6.0
    """Longer utterances are conversation, whatever words they contain."""
    min_word_confidence: float = 0.35
    """Mean posterior of the transcript's words below which a match is not trusted."""
    min_agreement: float = 0.7
    """How alike (0..1) transcript and an unverified command reading (one without words of
    its own) must be for the reading to count."""
    unsure_edge_word: float = 0.5
    """A first or last word heard with less confidence than this may be left out."""
    strict_min_score: float = 0.95
    """How closely (0..1) a reading that is already an allowance must match a command
    sentence: the transcript with an unsure edge word left out, or the engine's
    commands-only reading (which forces any speech onto command words). Such an
    allowance plus a misheard word forgiven made commands of talk ("good night, one,
    one then" as "a light one")."""
    strict_min_coverage: float = 0.9
    """How much (0..1) of such a reading the command sentence must explain: forced onto
    command words, talk can come out as a command with words left over ("i'd like to try
    bucket the last of the four" as the dreams game)."""


class Listener:
    """Streaming: feed chunks, get utterances as soon as each one ends."""

    def __init__(self, engine: SpeechEngine, matcher: Matcher,
                 options: ListenOptions | None = None) -> None:
        self.engine = engine
        self.matcher = matcher
        self.options = options or ListenOptions()
        self._endpointer = Endpointer(self.options.endpoint)

    def feed(self, chunk: AudioChunk) -> list[Utterance]:
        step = self._endpointer.push(chunk)
        if step.started:
            self._begin()
        for piece in step.audio:
            self._accept(piece)
        if step.ended is not None:
            return self._finish(step.ended)
        if step.dropped:
            self._begin()  # discard what was decoded
        elif step.paused is not None:
            return self._paused(step.paused)
        return []

    def flush(self) -> list[Utterance]:
        """End of stream: finish the utterance being spoken."""
        span = self._endpointer.flush()
        return self._finish(span) if span is not None else []

    def reset(self) -> None:
        """Drop the utterance being spoken (e.g. while Hearth talks)."""
        self._endpointer.reset()
        self.engine.start()

    def _begin(self) -> None:
        self.engine.start()

    def _accept(self, piece: AudioChunk) -> None:
        self.engine.accept(piece)

    def _paused(self, span: Span) -> list[Utterance]:
        """An early end offered by the endpointer (live mode); this listener waits on."""
        return []

    def _finish(self, span: Span) -> list[Utterance]:
        recognition = self.engine.finish()
        utterance = decide(span, recognition, self.matcher, self.options)
        return [utterance] if utterance.text or utterance.intent else []


def decide(span: Span, recognition: Recognition, matcher: Matcher,
           options: ListenOptions) -> Utterance:
    """Command or talk: the rejection decision for one utterance."""
    transcript = recognition.transcript
    heard = _heard(transcript.words) if transcript.words else transcript.confidence
    best: tuple[IntentMatch, float] | None = None
    if span.end - span.start <= options.max_command_seconds:
        for text, confidence, strict in _readings(transcript, recognition.command, options):
            match = matcher.match(text)
            if match is None or confidence < options.min_word_confidence:
                continue
            if strict and (match.score < options.strict_min_score
                           or match.coverage < options.strict_min_coverage):
                continue  # one allowance at a time
            best = (match, confidence)
            break
    if best is None:
        return Utterance(span.start, span.end, transcript.text, None, {}, round(heard, 3))
    match, confidence = best
    score = match.score * match.coverage ** 0.5 * confidence ** 0.5
    return Utterance(span.start, span.end, transcript.text, match.intent, dict(match.slots),
                     round(score, 3))


def _readings(transcript: Hypothesis, command: Hypothesis | None,
              options: ListenOptions) -> list[tuple[str, float, bool]]:
    """What may have been said, most literal first, each with how well it was heard and
    whether it is already an allowance (words left out, or forced onto commands).

    Recognizers make up a word from a breath, a filler or background talk at the edges
    of an utterance; such a word, heard with little confidence, may be left out. The
    command reading counts only where it agrees with the transcript.
    """
    words = transcript.words
    readings = [(transcript.text, _heard(words) if words else transcript.confidence, False)]
    unsure = options.unsure_edge_word
    first = 1 if len(words) > 1 and words[0].confidence < unsure else 0
    last = len(words) - 1 if len(words) > 1 and words[-1].confidence < unsure else len(words)
    for start, end in ((first, len(words)), (0, last), (first, last)):
        kept = words[start:end]
        if kept and (start, end) != (0, len(words)):
            readings.append((" ".join(w.text for w in kept), _heard(kept), True))
    if command is not None and command.text:
        if command.words:  # the engine checked this reading against the audio itself
            readings.append((command.text, command.confidence, True))
        elif fuzz.ratio(transcript.text, command.text) / 100.0 >= options.min_agreement:
            readings.append((command.text, min(readings[0][1], command.confidence), False))
    return list(dict.fromkeys(readings))


def _heard(words: Sequence[Word]) -> float:
    """Mean word posterior."""
    return sum(word.confidence for word in words) / len(words) if words else 0.0


def listen(chunks: Iterable[AudioChunk], listener: Listener) -> list[Utterance]:
    """Every utterance of a finite stream."""
    utterances = [u for chunk in chunks for u in listener.feed(chunk)]
    return utterances + listener.flush()


def listen_file(path: Path, listener: Listener) -> list[Utterance]:
    """Recognize a recording (any format, rate and channels) as Hearth hears it live."""
    return listen(stream_file(path), listener)
