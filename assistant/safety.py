"""Words of crisis, self-harm or fear of a partner, and the help lines to give.

Checked on everything Hearth hears, conversation included. Patterns and help lines are data
(`assistant/data/safety_phrases.toml`, `assistant/data/helplines.toml`); idioms such as
"I could die laughing" are removed before matching so they never trigger.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from assistant.normalize import plain_words
from assistant.resources import PACKAGE_DATA

PHRASES_FILE = PACKAGE_DATA / "safety_phrases.toml"
HELPLINES_FILE = PACKAGE_DATA / "helplines.toml"
DEFAULT_COUNTRY = "US"
CRISIS = "crisis"
FEAR = "fear"


@dataclass(frozen=True)
class Concern:
    """Someone may be in danger: `kind` is "crisis" (suicide, self-harm) or "fear" (of a
    partner); `matched` is the words that matched."""

    kind: str
    matched: str


@dataclass(frozen=True)
class Phrases:
    idioms: tuple[str, ...]
    crisis: tuple[re.Pattern[str], ...]
    fear: tuple[re.Pattern[str], ...]
    hard: tuple[re.Pattern[str], ...]


@cache
def load_phrases(path: Path = PHRASES_FILE) -> Phrases:
    raw = tomllib.loads(path.read_text(encoding="utf-8"))

    def compiled(key: str) -> tuple[re.Pattern[str], ...]:
        return tuple(re.compile(pattern) for pattern in raw[key])

    idioms = tuple(sorted((_plain(i) for i in raw["idioms"]), key=len, reverse=True))
    return Phrases(idioms, compiled("crisis"), compiled("fear"), compiled("hard"))


@cache
def load_helplines(path: Path = HELPLINES_FILE) -> dict[str, dict[str, str]]:
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    return {country.upper(): dict(lines) for country, lines in raw.items()}


def _plain(text: str) -> str:
    return " ".join(plain_words(text))


def _without_idioms(text: str, idioms: tuple[str, ...]) -> str:
    for idiom in idioms:
        text = re.sub(rf"\b{re.escape(idiom)}\b", " ", text)
    return " ".join(text.split())


def detect(text: str) -> Concern | None:
    """A `Concern` when the words signal crisis or fear of a partner, else None."""
    phrases = load_phrases()
    clean = _without_idioms(_plain(text), phrases.idioms)
    if not clean:
        return None
    for kind, patterns in ((CRISIS, phrases.crisis), (FEAR, phrases.fear)):
        for pattern in patterns:
            match = pattern.search(clean)
            if match:
                return Concern(kind, match.group(0))
    return None


def is_hard_moment(text: str) -> bool:
    """The couple says the conversation is hard or keeps going wrong (not danger)."""
    clean = _plain(text)
    return any(pattern.search(clean) for pattern in load_phrases().hard)


def countries() -> tuple[str, ...]:
    return tuple(load_helplines())


def help_lines(country: str, kind: str = CRISIS) -> str:
    """The spoken help lines for `country` (unknown countries get the US lines), most relevant
    first, always ending with the emergency number."""
    table = load_helplines()
    lines = table.get(country.upper()) or table[DEFAULT_COUNTRY]
    order = ("abuse", "crisis") if kind == FEAR else ("crisis", "abuse")
    return " ".join([lines[order[0]], lines[order[1]], lines["emergency"]])


__all__ = ["CRISIS", "FEAR", "Concern", "countries", "detect", "help_lines", "is_hard_moment"]
