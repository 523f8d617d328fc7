"""Deck files (`decks/*.toml`) → frozen `Deck`s and `Prompt`s, and a validator that names
file, line and problem for every mistake in them.

One checker (`check_decks`) finds every problem; `load_decks` runs it and refuses to load
anything broken, so the game never reads a half-checked deck.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.errors import DeckError
from assistant.resources import decks_dir

DEPTHS = ("light", "medium", "deep")
KINDS = ("game", "closing")
MAX_WORDS = 25
PLACEHOLDERS = ("first", "second")
DECK_KEYS = {"name": str, "title": str, "kind": str, "opt_in": bool, "intro": str,
             "prompts": list}
REQUIRED_DECK_KEYS = ("name", "title", "kind", "intro")  # no prompts: its own message
PROMPT_KEYS = {"depth": str, "text": str, "follow_up": str}
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


@dataclass(frozen=True)
class Prompt:
    """One question, addressed to `{first}`; `{second}` is the other partner."""

    id: str
    """Stable id: deck name and a hash of the text, so history survives reordering."""
    deck: str
    depth: str
    text: str
    follow_up: str | None = None

    def render(self, first: str, second: str) -> str:
        return self.text.format(first=first, second=second)

    def render_follow_up(self, first: str, second: str) -> str | None:
        if self.follow_up is None:
            return None
        return self.follow_up.format(first=first, second=second)


@dataclass(frozen=True)
class Deck:
    name: str
    title: str
    kind: str
    opt_in: bool
    intro: str
    prompts: tuple[Prompt, ...]

    def at_depth(self, depth: str) -> tuple[Prompt, ...]:
        return tuple(p for p in self.prompts if p.depth == depth)

    def depth_counts(self) -> dict[str, int]:
        return {depth: len(self.at_depth(depth)) for depth in DEPTHS}


@dataclass(frozen=True)
class DeckLibrary:
    """All decks by name, in a stable order."""

    decks: tuple[Deck, ...]

    def get(self, name: str) -> Deck | None:
        return next((deck for deck in self.decks if deck.name == name), None)

    def names(self) -> tuple[str, ...]:
        return tuple(deck.name for deck in self.decks)

    def games(self) -> tuple[Deck, ...]:
        return tuple(deck for deck in self.decks if deck.kind == "game")

    def closing(self) -> Deck | None:
        return next((deck for deck in self.decks if deck.kind == "closing"), None)

    def prompt(self, prompt_id: str) -> Prompt | None:
        return next((p for deck in self.decks for p in deck.prompts if p.id == prompt_id), None)


@dataclass(frozen=True)
class DeckProblem:
    file: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


def prompt_id(deck: str, text: str) -> str:
    digest = hashlib.sha1(_identity(text).encode("utf-8")).hexdigest()[:10]
    return f"{deck}:{digest}"


def count_words(text: str) -> int:
    """Words as heard: each placeholder counts as one word (a name)."""
    return len(_PLACEHOLDER.sub("NAME", text).split())


def _identity(text: str) -> str:
    """What makes two prompts the same prompt (its id, and duplicates in a deck). Changing
    it changes every prompt id, and the history would no longer know what was played."""
    return " ".join(re.sub(r"[^\w{}]+", " ", text.lower()).split())


def deck_files(path: Path) -> list[Path]:
    return sorted(path.glob("*.toml")) if path.is_dir() else [path]


def _header_lines(text: str) -> list[int]:
    """Line numbers (1-based) of every `[[prompts]]` header, in order."""
    return [n for n, line in enumerate(text.splitlines(), 1)
            if re.match(r"\s*\[\[\s*prompts\s*\]\]", line)]


def _key_line(text: str, key: str, start: int = 1, end: int | None = None) -> int:
    lines = text.splitlines()
    for n in range(start, (end or len(lines)) + 1):
        if n - 1 < len(lines) and re.match(rf"\s*{re.escape(key)}\s*=", lines[n - 1]):
            return n
    return start


def _check_text(label: str, value: str, *, need_first: bool) -> Iterator[str]:
    names = _PLACEHOLDER.findall(value)
    for name in names:
        if name not in PLACEHOLDERS:
            yield f"{label} has an unknown placeholder {{{name}}} (use {{first}} or {{second}})"
    if need_first and "first" not in names:
        yield f"{label} does not contain {{first}}: every prompt is addressed to a partner"
    if value.count("{") != value.count("}"):
        yield f"{label} has an unmatched brace"
    words = count_words(value)
    if words > MAX_WORDS:
        yield f"{label} has {words} words (at most {MAX_WORDS}, to be understood when heard once)"
    if not value.strip():
        yield f"{label} is empty"


def _check_file(path: Path, seen: dict[str, str]) -> tuple[list[DeckProblem], Deck | None]:
    problems: list[DeckProblem] = []

    def add(line: int, message: str) -> None:
        problems.append(DeckProblem(path, line, message))

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        add(1, f"cannot be read ({error})")
        return problems, None
    try:
        raw: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        match = re.search(r"line (\d+)", str(error))
        add(int(match.group(1)) if match else 1, f"is not valid TOML ({error})")
        return problems, None
    headers = _header_lines(text)
    first_header = headers[0] if headers else None
    top_end = (first_header - 1) if first_header else None
    for key in raw:
        if key not in DECK_KEYS:
            add(_key_line(text, key, 1, top_end), f"unknown key {key!r}")
    for key in REQUIRED_DECK_KEYS:
        if key not in raw:
            add(1, f"missing key {key!r}")
    for key, kind in DECK_KEYS.items():
        if key in raw and not isinstance(raw[key], kind):
            add(_key_line(text, key, 1, top_end), f"{key!r} must be {kind.__name__}")
    name = raw.get("name")
    if isinstance(name, str) and name != path.stem:
        add(_key_line(text, "name", 1, top_end),
            f"name {name!r} differs from the file name {path.stem!r}")
    deck_kind = raw.get("kind")
    if isinstance(deck_kind, str) and deck_kind not in KINDS:
        add(_key_line(text, "kind", 1, top_end),
            f"kind {deck_kind!r} is not one of {', '.join(KINDS)}")
    intro = raw.get("intro")
    if isinstance(intro, str) and not intro.strip():
        add(_key_line(text, "intro", 1, top_end), "intro is empty")
    deck_name = path.stem
    raw_prompts = raw.get("prompts", [])
    raw_prompts = raw_prompts if isinstance(raw_prompts, list) else []
    if not raw_prompts:
        add(first_header or 1, "the deck has no prompts")
    prompts: list[Prompt] = []
    for index, item in enumerate(raw_prompts):
        line = headers[index] if index < len(headers) else 1
        end = headers[index + 1] - 1 if index + 1 < len(headers) else None
        before = len(problems)
        if not isinstance(item, dict):
            add(line, f"prompt {index + 1} is not a table")
            continue
        for key in item:
            if key not in PROMPT_KEYS:
                add(_key_line(text, key, line, end), f"prompt {index + 1}: unknown key {key!r}")
        for key in ("depth", "text"):
            if key not in item:
                add(line, f"prompt {index + 1}: missing key {key!r}")
        for key, want in PROMPT_KEYS.items():
            if key in item and not isinstance(item[key], want):
                add(_key_line(text, key, line, end), f"prompt {index + 1}: {key!r} must be text")
        depth, body, follow = item.get("depth"), item.get("text"), item.get("follow_up")
        if isinstance(depth, str) and depth not in DEPTHS:
            add(_key_line(text, "depth", line, end),
                f"prompt {index + 1}: depth {depth!r} is not one of {', '.join(DEPTHS)}")
        if isinstance(body, str):
            for message in _check_text(f"prompt {index + 1}", body, need_first=True):
                add(_key_line(text, "text", line, end), message)
            key = _identity(body)
            where = f"{path.name}:{line}"
            if key in seen:
                add(line, f"prompt {index + 1} duplicates the prompt at {seen[key]}")
            else:
                seen[key] = where
        if isinstance(follow, str):
            for message in _check_text(f"prompt {index + 1} follow-up", follow, need_first=False):
                add(_key_line(text, "follow_up", line, end), message)
        if len(problems) == before and isinstance(body, str) and isinstance(depth, str):
            prompts.append(Prompt(prompt_id(deck_name, body), deck_name, depth, body,
                                  follow if isinstance(follow, str) else None))
    if problems:
        return problems, None
    deck = Deck(deck_name, str(raw["title"]), str(raw["kind"]), bool(raw.get("opt_in", False)),
                str(raw["intro"]), tuple(prompts))
    return problems, deck


def _check_all(path: Path) -> tuple[list[DeckProblem], list[Deck]]:
    problems: list[DeckProblem] = []
    decks: list[Deck] = []
    seen: dict[str, str] = {}
    files = deck_files(path)
    if not files or not path.exists():
        return [DeckProblem(path, 1, "no deck files found")], []
    for file in files:
        found, deck = _check_file(file, seen)
        problems.extend(sorted(found, key=lambda problem: problem.line))
        if deck is not None:
            decks.append(deck)
    return problems, decks


def check_decks(path: Path | None = None) -> list[DeckProblem]:
    """Every problem in a deck file or a folder of deck files (empty list: all good)."""
    return _check_all(path or decks_dir())[0]


def load_decks(path: Path | None = None) -> DeckLibrary:
    """Load and check all decks; the first problem becomes a `DeckError` naming file:line."""
    problems, decks = _check_all(path or decks_dir())
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise DeckError(f"Deck problem: {problems[0]}{more}.",
                        "Fix the deck file, then run `hearth decks check` to see every problem.")
    return DeckLibrary(tuple(decks))


__all__ = ["DEPTHS", "Deck", "DeckLibrary", "DeckProblem", "Prompt", "check_decks",
           "count_words", "load_decks"]
