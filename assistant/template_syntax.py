"""The template language of `intents/*.toml`: one template line -> the word tuples it stands for.

Syntax (also used for the spoken forms of slot values):

- words: letters, digits, apostrophes and hyphens (``check-in``); nothing else;
- ``(a|b|c)`` one of the alternatives; ``[words]`` or ``[a|b]`` optional; groups nest;
- ``{game}`` a slot, kept as one placeholder token ``{game}``;
- a bare ``a|b`` at the top level is the same as ``(a|b)``.

A template may expand to at most `MAX_PATTERNS_PER_TEMPLATE` patterns (so a typo such as
ten optional groups cannot silently turn into thousands of sentences).  Every problem
raises `TemplateError` naming the file and line.  No file handling here: `intents.py`
reads the data files and builds the catalog.
"""

from __future__ import annotations

import re
from pathlib import Path

from assistant.errors import TemplateError

MAX_PATTERNS_PER_TEMPLATE = 512
NAME = re.compile(r"[a-z][a-z0-9_]*\Z")


def expand_template(text: str, slots: frozenset[str] = frozenset(), line: int | str = 1,
                    path: Path | str = "<template>") -> list[tuple[str, ...]]:
    """The word tuples one template stands for (slots kept as ``{name}``).

    Raises `TemplateError` naming `path` and `line` for any problem in `text`.
    """
    try:
        tree = _parse(text)
        unknown = sorted(_slot_names(tree) - slots)
        if unknown:
            known = ", ".join(sorted(slots)) or "none defined"
            raise _Problem(f"unknown slot {{{unknown[0]}}} (slot lists: {known})")
        if _count(tree) > MAX_PATTERNS_PER_TEMPLATE:
            raise _Problem(f"expands to more than {MAX_PATTERNS_PER_TEMPLATE} sentences")
        patterns = list(dict.fromkeys(_expand_tree(tree)))
        if () in patterns:
            raise _Problem("everything is optional")
    except _Problem as problem:
        raise TemplateError(f"{path}:{line}: {problem} in {text!r}.",
                            "Write words, (a|b), [optional] and known {slots}, with balanced "
                            "brackets and no empty alternatives.") from None
    return patterns



_TOKEN = re.compile(r"\s+|[()\[\]|]|\{[^{}()\[\]|\s]*\}|[A-Za-z0-9'-]+|.")
_NUMBERS = re.split(" ", "zero one two three four five six seven eight nine ten eleven twelve "
                    "thirteen fourteen fifteen sixteen seventeen eighteen nineteen")
_TENS = re.split(" ", "_ _ twenty thirty forty fifty sixty seventy eighty ninety")
_MAX_DEPTH = 16
Tree = tuple["Node", ...]  # a sequence
Node = str | tuple[bool, tuple[Tree, ...]]  # a word or slot token, or (optional, alternatives)


class _Problem(Exception):
    """A syntax problem inside one template; the loader adds file and line."""


def is_slot(word: str) -> bool:
    return word.startswith("{")


def _parse(text: str) -> Tree:
    tokens = [t for t in _TOKEN.findall(text) if not t.isspace()]
    alternatives, end = _alternatives(tokens, 0, None, 0)
    if end < len(tokens):
        raise _Problem(f"unbalanced {tokens[end]!r}")
    if not any(alternatives):
        raise _Problem("empty template")
    return alternatives[0] if len(alternatives) == 1 else ((False, alternatives),)


def _alternatives(tokens: list[str], at: int, close: str | None,
                  depth: int) -> tuple[tuple[Tree, ...], int]:
    if depth > _MAX_DEPTH:
        raise _Problem(f"brackets nested more than {_MAX_DEPTH} deep")
    options: list[Tree] = []
    current: list[Node] = []
    while at < len(tokens) and tokens[at] not in (")", "]"):
        token = tokens[at]
        if token == "|":
            options.append(_nonempty(current, close))
            current = []
        elif token in ("(", "["):
            closing = ")" if token == "(" else "]"
            inner, at = _alternatives(tokens, at + 1, closing, depth + 1)
            current.append((token == "[", inner))
        else:
            current.append(_word(token))
        at += 1
    if close is not None and (at >= len(tokens) or tokens[at] != close):
        raise _Problem(f"unbalanced brackets: missing {close!r}")
    if close is not None or options:
        options.append(_nonempty(current, close))
    else:
        options.append(tuple(current))
    return tuple(options), at


def _nonempty(sequence: list[Node], close: str | None) -> Tree:
    if not sequence:
        where = {")": "(...)", "]": "[...]"}.get(close or "", "the template")
        raise _Problem(f"empty alternative in {where}")
    return tuple(sequence)


def _word(token: str) -> str:
    if token in ("{", "}"):
        raise _Problem(f"unbalanced {token!r}")
    if token.startswith("{"):
        if not NAME.match(token[1:-1]):
            raise _Problem(f"bad slot name {token!r}")
        return token
    if not any(char.isalnum() for char in token) or not token.isascii():
        raise _Problem(f"unexpected character {token!r}")
    return token.lower()


def _count(tree: Tree) -> int:
    total = 1
    for node in tree:
        if isinstance(node, tuple):
            total *= sum(_count(option) for option in node[1]) + node[0]
    return total


def _slot_names(tree: Tree) -> set[str]:
    names: set[str] = set()
    for node in tree:
        if isinstance(node, tuple):
            names.update(*(_slot_names(option) for option in node[1]))
        elif is_slot(node):
            names.add(node[1:-1])
    return names


def _expand_tree(tree: Tree) -> list[tuple[str, ...]]:
    results: list[tuple[str, ...]] = [()]
    for node in tree:
        if isinstance(node, tuple):
            endings = [words for option in node[1] for words in _expand_tree(option)]
            endings += [()] if node[0] else []
        else:
            endings = [(node,) if is_slot(node) else spoken_words(node)]
        results = [start + end for start in results for end in endings]
    return results


def spoken_words(word: str) -> tuple[str, ...]:
    """A template word as the speech engines write it: hyphens split, digits as words."""
    parts = [part for part in word.replace("-", " ").split() if part.strip("'")]
    return tuple(out for part in parts for out in (_number(part) if part.isdigit() else [part]))


def _number(digits: str) -> list[str]:
    value = int(digits)
    if len(digits) > 2 or (digits.startswith("0") and value):
        return [_NUMBERS[int(digit)] for digit in digits]
    if value < 20:
        return [_NUMBERS[value]]
    return [_TENS[value // 10]] + ([_NUMBERS[value % 10]] if value % 10 else [])
