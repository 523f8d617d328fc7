"""Everything Hearth says that is not a prompt, from `assistant/data/lines.toml`, and the
little bit of listening the dialogue itself needs (a clear yes)."""

from __future__ import annotations

import random
import tomllib
from functools import cache
from pathlib import Path

from assistant.normalize import plain_words
from assistant.resources import PACKAGE_DATA

LINES_FILE = PACKAGE_DATA / "lines.toml"

_YES = {"yes", "yeah", "yep", "yup", "sure", "definitely", "absolutely", "okay", "ok",
        "certainly", "gladly", "course"}
_NOT_YES = {"no", "not", "nope", "nah", "dont", "maybe", "later", "perhaps", "unsure",
            "guess", "dunno", "rather", "but", "wait", "hmm", "skip", "never", "neither"}


@cache
def load_lines(path: Path = LINES_FILE) -> dict[str, tuple[str, ...]]:
    """Each key maps to one or more variants; a variant is chosen at random when spoken."""
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    lines: dict[str, tuple[str, ...]] = {}
    for key, value in raw.items():
        variants = (value,) if isinstance(value, str) else tuple(value)
        if not variants or not all(isinstance(v, str) and v.strip() for v in variants):
            raise ValueError(f"{path}: {key} must be text or a list of texts")
        lines[key] = variants
    return lines


class Lines:
    """Picks and fills in a line: `lines.get("handover", second="Alex")`."""

    def __init__(self, rng: random.Random, path: Path = LINES_FILE) -> None:
        self.rng = rng
        self.table = load_lines(path)

    def get(self, key: str, **values: object) -> str:
        variants = self.table[key]
        text = variants[0] if len(variants) == 1 else self.rng.choice(variants)
        return text.format(**values)


def is_clear_yes(text: str) -> bool:
    """A plain yes ("yes", "yeah sure", "yes please, I'd like that"), nothing hesitant. Decided
    on the words alone: there is no yes intent."""
    said = plain_words(text)
    if not said or len(said) > 8:
        return False
    if any(word in _NOT_YES for word in said):
        return False
    joined = " ".join(said)
    return any(word in _YES for word in said) or joined in {"i would", "i do", "id like that",
                                                             "i would like that", "lets do it"}
