"""Half-duplex turn taking: what Hearth does with what it hears while it is speaking.

Hearth never answers its own voice: anything heard while it speaks (plus a short
tail for the room and the audio path) is ignored, except a spoken `stop` or
`pause` (barge-in) that is not an echo of the words Hearth is saying at that
moment and is clearly louder than Hearth's own voice at the microphone (a
double-talk check: without echo cancellation the room carries Hearth's voice
back, and the recognizer can hear a command in it, "gentle starts" as "gonna
stop"). All times are on the session's audio clock, in seconds. Pure logic.
"""

from __future__ import annotations

import enum
from collections import deque
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz

from assistant.endpoint import PRE_ROLL
from assistant.intent import Intent

BARGE_IN_INTENTS = frozenset({Intent.STOP, Intent.PAUSE})
"""The only commands that interrupt Hearth while it speaks."""

TAIL = 0.25
"""Seconds after Hearth's last sound during which input still counts as its own voice."""

ECHO_SIMILARITY = 85.0
"""rapidfuzz partial ratio (0–100) above which a barge-in is taken for Hearth's own words."""

SILENCE_EVERY = 1.0
"""Seconds between `Silence` events while nobody speaks."""

DOUBLE_TALK_DB = 6.0
"""How much louder (dB) than the rest of the input heard while Hearth spoke (in the last
`LEVEL_MEMORY` seconds) a barge-in must be, comparing the loud part of each (90th
percentile of the chunk levels). That input is mostly Hearth's echo; talk over Hearth
counts too, which only makes barge-in more cautious."""

LEVEL_MEMORY = 30.0
"""Seconds of input levels kept for the double-talk check."""

QUIETEST_DB = -120.0
"""Input levels are counted from here up (digital silence is -inf dB)."""

MIN_ECHO_SECONDS = 0.5
"""Input heard while Hearth spoke needed before its level is trusted; with less (the
first words of the evening), a barge-in is judged on its words alone."""


class Verdict(enum.Enum):
    ACCEPT = "accept"
    """Heard while Hearth was quiet: pass it to the dialogue."""
    BARGE_IN = "barge_in"
    """Stop or pause spoken over Hearth: cut its speech, then pass it on."""
    IGNORE = "ignore"
    """Heard while Hearth spoke: its own voice, or talk over it."""


@dataclass(frozen=True)
class Speech:
    """One stretch of Hearth speaking."""

    start: float
    end: float
    text: str


class TurnTaking:
    """Remembers when Hearth spoke, judges utterances, and times silence."""

    def __init__(self, tail: float = TAIL) -> None:
        self.tail = tail
        self._spoken: deque[Speech] = deque(maxlen=16)
        self._quiet_since = 0.0
        self._levels: deque[tuple[float, float, float, bool]] = deque()
        """(start, end, dB, whether Hearth's voice was on) for each stretch of input."""
        self._last_silence_event = 0.0
        self.ignored = 0
        """Utterances ignored because Hearth was speaking (self-trigger guard)."""

    def spoke(self, start: float, end: float, text: str) -> None:
        """Hearth's audio for `text` is heard from `start` to `end`."""
        self._spoken.append(Speech(start, end, text))
        self._quiet_since = max(self._quiet_since, end + self.tail)

    def cut(self, at: float) -> None:
        """Hearth's speech was flushed at `at`: nothing more is heard after it."""
        self._spoken = deque(
            (Speech(s.start, min(s.end, at), s.text) for s in self._spoken if s.start < at),
            maxlen=self._spoken.maxlen,
        )
        self._quiet_since = at + self.tail

    def input_level(self, start: float, end: float, db: float) -> None:
        """The microphone's level (dB re full scale) from `start` to `end`."""
        self._levels.append((start, end, max(db, QUIETEST_DB), self._voice_at(start)))
        while self._levels and self._levels[0][1] < end - LEVEL_MEMORY:
            self._levels.popleft()

    def _voice_at(self, at: float) -> bool:
        return any(s.start <= at < s.end + self.tail for s in self._spoken)

    def louder_than_echo(self, start: float, end: float) -> bool:
        """Whether the input from `start` to `end` is clearly louder than Hearth's own
        voice heard before or after it; True when there is too little to compare."""
        inside = [db for s, e, db, _ in self._levels if s >= start and e <= end]
        echo = [(e - s, db) for s, e, db, voice in self._levels
                if voice and (e <= start or s >= end)]
        if not inside or sum(seconds for seconds, _ in echo) < MIN_ECHO_SECONDS:
            return True
        loud = float(np.percentile(inside, 90))
        return loud >= float(np.percentile([db for _, db in echo], 90)) + DOUBLE_TALK_DB

    def speaking(self, at: float) -> bool:
        """True while Hearth's voice (or its tail) may be in the microphone at `at`."""
        return any(at < s.end + self.tail for s in self._spoken)

    def quiet_from(self) -> float:
        """When Hearth's last speech (plus tail) ends."""
        return self._quiet_since

    def judge(self, start: float, end: float, text: str, intent: Intent | None) -> Verdict:
        onset = min(start + PRE_ROLL, end)  # the pre-roll may reach back into Hearth's tail
        overlapping = [s for s in self._spoken if onset < s.end + self.tail and end > s.start]
        if not overlapping:
            return Verdict.ACCEPT
        if (intent in BARGE_IN_INTENTS and not any(self._echo(text, s.text) for s in overlapping)
                and self.louder_than_echo(start, end)):
            return Verdict.BARGE_IN
        self.ignored += 1
        return Verdict.IGNORE

    @staticmethod
    def _echo(heard: str, said: str) -> bool:
        heard, said = heard.lower().strip(), said.lower()
        return bool(heard) and fuzz.partial_ratio(heard, said) >= ECHO_SIMILARITY

    def heard(self, end: float) -> None:
        """Someone spoke until `end`: silence starts again from there."""
        self._quiet_since = max(self._quiet_since, end)

    def silence(self, at: float) -> float | None:
        """Seconds of silence to report at `at`, at most once per `SILENCE_EVERY`."""
        if self.speaking(at) or at - self._last_silence_event < SILENCE_EVERY:
            return None
        quiet = at - self._quiet_since
        if quiet < SILENCE_EVERY:
            return None
        self._last_silence_event = at
        return quiet
