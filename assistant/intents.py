"""Intent sentence templates: data files in `intents/*.toml`, parsed once into frozen dataclasses.

A file has two kinds of tables::

    [lists.game]                      # a slot list: value = spoken forms
    remember_when = ["remember when", "memory lane", "(the|our) old times"]

    [intents.next]                    # an intent: its sentence templates
    sentences = ["next [one|question]", "(another|a new) one"]

Template syntax (``(a|b)``, ``[optional]``, ``{slot}``): see `assistant.template_syntax`.

Each template expands once, at load, into *patterns*: word tuples where a slot is kept as
one placeholder token ``{game}``.  A template may expand to at most
`MAX_PATTERNS_PER_TEMPLATE` patterns (so a typo such as ten optional groups cannot
silently turn into thousands of sentences); split bigger templates.  `sentences()` fills
the slots with every spoken form, at most `MAX_SENTENCES` in all.

Every problem (bad TOML, unbalanced brackets, empty alternative, unknown slot, unknown
intent, unknown key) raises `TemplateError` naming the file and line.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import TemplateError
from assistant.intent import Intent
from assistant.resources import intents_dir
from assistant.template_syntax import (
    MAX_PATTERNS_PER_TEMPLATE,
    NAME,
    expand_template,
    is_slot,
    spoken_words,
)

__all__ = ["MAX_PATTERNS_PER_TEMPLATE", "IntentCatalog", "IntentTemplate",
           "SlotList", "SlotValue", "expand_template", "load_intents", "spoken_words"]

MAX_SENTENCES = 60_000
_TOML_LINE = re.compile(r"at line (\d+)")


@dataclass(frozen=True)
class SlotValue:
    """One value of a slot list (``remember_when``) and the word tuples people say for it."""

    name: str
    forms: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class SlotList:
    """A named slot list (``game``), defined in a ``[lists.NAME]`` table."""

    name: str
    values: tuple[SlotValue, ...]
    source: str  # "file:line", for messages

    def forms(self) -> list[tuple[tuple[str, ...], str]]:
        """Every (spoken form, value name) pair."""
        return [(form, value.name) for value in self.values for form in value.forms]


@dataclass(frozen=True)
class IntentTemplate:
    """One template line of one intent, with its patterns (slots kept as ``{name}`` tokens)."""

    intent: Intent
    text: str  # as written: "skip [this|that] one"
    source: str  # "file:line"
    patterns: tuple[tuple[str, ...], ...]  # ("skip", "this", "one"), ("skip", "one"), ...
    slots: frozenset[str]  # the slot lists it refers to, e.g. {"game"}


@dataclass(frozen=True)
class IntentCatalog:
    """All templates and slot lists of a folder; built by `load_intents`."""

    templates: tuple[IntentTemplate, ...]  # in file order, then line order
    lists: tuple[SlotList, ...]  # the slot lists the templates refer to

    def intents(self) -> list[Intent]:
        return sorted({template.intent for template in self.templates})

    def slotted(self) -> frozenset[Intent]:
        """The intents whose templates take a slot ("start the {game} game")."""
        return frozenset(template.intent for template in self.templates if template.slots)

    def slot_list(self, name: str) -> SlotList:
        for item in self.lists:
            if item.name == name:
                return item
        raise KeyError(name)

    def sentences(self) -> list[str]:
        """Every command sentence, slots filled: lower-case words separated by single spaces.

        No punctuation, hyphens become spaces, digits become words; apostrophes inside
        words stay (``let's``), as in the speech engines' dictionaries.
        """
        return list(self._sentences)

    def vocabulary(self) -> set[str]:
        return {word for sentence in self._sentences for word in sentence.split()}

    @functools.cached_property
    def _sentences(self) -> tuple[str, ...]:
        return _fill_slots(self)


def _fill_slots(catalog: IntentCatalog) -> tuple[str, ...]:
    fillers = {item.name: [form for form, _ in item.forms()] for item in catalog.lists}
    seen: dict[str, None] = {}
    for template in catalog.templates:
        for pattern in template.patterns:
            choices = [fillers[w[1:-1]] if is_slot(w) else [(w,)] for w in pattern]
            for combo in itertools.product(*choices):
                seen[" ".join(word for part in combo for word in part)] = None
    return tuple(seen)


def _check_size(templates: list[IntentTemplate], lists: dict[str, SlotList]) -> None:
    total = 0
    for template in templates:
        for pattern in template.patterns:
            total += math.prod(len(lists[w[1:-1]].forms()) for w in pattern if is_slot(w))
        if total > MAX_SENTENCES:
            raise TemplateError(
                f"{template.source}: the templates expand to more than {MAX_SENTENCES} "
                "sentences with their slots filled.",
                "Use fewer optional words in {slot} templates or fewer spoken forms.")


def load_intents(folder: Path | None = None) -> IntentCatalog:
    """Load every ``*.toml`` in `folder` (default: the project's ``intents/``); cached."""
    return _load((folder or intents_dir()).resolve())


@functools.cache
def _load(folder: Path) -> IntentCatalog:
    files = sorted(folder.glob("*.toml"))
    if not files:
        raise TemplateError(f"No intent files (*.toml) in {folder}.",
                            "Point Hearth at the intents/ folder of a checkout.")
    raw_lists: list[tuple[str, str, dict[str, object], _Source]] = []
    raw_intents: list[tuple[Intent, object, _Source]] = []
    for path in files:
        source = _Source.read(path)
        for name, table in source.tables("lists").items():
            raw_lists.append((name, source.locate(f"lists.{name}"), table, source))
        for name, table in source.tables("intents").items():
            where = source.locate(f"intents.{name}")
            known = [intent.value for intent in Intent]
            if name not in known:
                raise source.error(where, f"unknown intent {name!r}",
                                   f"Use one of: {', '.join(sorted(known))}.")
            extra = set(table) - {"sentences"}
            if extra:
                raise source.error(where, f"unknown key {sorted(extra)[0]!r} in intent {name!r}",
                                   "An intent table has only `sentences = [...]`.")
            raw_intents.append((Intent(name), table.get("sentences"), source))
    lists: dict[str, SlotList] = {}
    for name, where, table, source in raw_lists:
        if name in lists:
            raise source.error(where, f"slot list {name!r} is defined twice",
                               f"Keep one (the other is at {lists[name].source}).")
        lists[name] = _slot_list(name, where, table, source)
    templates = [
        template
        for name, sentences, source in raw_intents
        for template in _templates(name, sentences, source, set(lists))
    ]
    _check_size(templates, lists)
    return IntentCatalog(tuple(templates), tuple(lists.values()))


def _slot_list(name: str, where: str, table: dict[str, object], source: _Source) -> SlotList:
    if not NAME.match(name):
        raise source.error(where, f"bad slot list name {name!r}", "Use lower_case_words.")
    values = []
    for value, forms in table.items():
        at = source.locate(value, after=f"lists.{name}")
        if not NAME.match(value) or not _is_strings(forms):
            raise source.error(at, f"slot value {value!r} must be a lower_case name set to a "
                               "list of strings", 'Write: value = ["spoken form", ...].')
        assert isinstance(forms, list)
        parsed: list[tuple[str, ...]] = []
        for text in forms:
            parsed += _expand(text, source, source.locate(text, after=f"lists.{name}"), set())
        values.append(SlotValue(value, tuple(dict.fromkeys(parsed))))
    if not values:
        raise source.error(where, f"slot list {name!r} has no values", "Add value = [...].")
    return SlotList(name, tuple(values), where)


def _templates(intent: Intent, sentences: object, source: _Source,
               slots: set[str]) -> list[IntentTemplate]:
    if not _is_strings(sentences) or not sentences:
        where = source.locate(f"intents.{intent}")
        raise source.error(where, f"intent {intent!r} needs sentences = a list of strings",
                           'Write: sentences = ["template", ...].')
    assert isinstance(sentences, list)
    result = []
    for text in sentences:
        where = source.locate(text, after=f"intents.{intent}")
        patterns = _expand(text, source, where, slots)
        used = frozenset(word[1:-1] for p in patterns for word in p if is_slot(word))
        result.append(IntentTemplate(intent, text, where, tuple(patterns), used))
    return result


def _expand(text: str, source: _Source, where: str, slots: set[str]) -> list[tuple[str, ...]]:
    return expand_template(text, frozenset(slots), where.removeprefix(f"{source.path}:"),
                           source.path)


def _is_strings(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


@dataclass(frozen=True)
class _Source:
    """A TOML file's parsed content and its lines, to point errors at a line."""

    path: Path
    lines: tuple[str, ...]
    data: dict[str, object]

    @classmethod
    def read(cls, path: Path) -> _Source:
        try:
            text = path.read_text(encoding="utf-8")
            data = tomllib.loads(text)
        except (OSError, UnicodeDecodeError) as exc:
            raise TemplateError(f"{path}:1: cannot read intent file: {exc}.",
                                "Save it as UTF-8 text.") from None
        except tomllib.TOMLDecodeError as exc:
            found = _TOML_LINE.search(str(exc))
            line = found.group(1) if found else max(1, len(text.splitlines()))  # end of file
            raise TemplateError(f"{path}:{line}: bad TOML: {exc}.",
                                "Fix the TOML syntax (quotes, brackets, commas).") from None
        source = cls(path, tuple(text.splitlines()), data)
        for key in data:
            if key not in ("lists", "intents"):
                raise source.error(source.locate(key), f"unknown table {key!r}",
                                   "Use only [lists.NAME] and [intents.NAME] tables.")
        return source

    def tables(self, key: str) -> dict[str, dict[str, object]]:
        section = self.data.get(key, {})
        where = self.locate(key)
        if not isinstance(section, dict):
            raise self.error(where, f"{key!r} must be a table", f"Write [{key}.NAME].")
        for name, table in section.items():
            if not isinstance(table, dict):
                raise self.error(self.locate(name), f"{key}.{name} must be a table",
                                 f"Write [{key}.{name}] followed by its keys.")
        return section

    def locate(self, needle: str, after: str = "") -> str:
        """'file:line' of the first line mentioning `needle` (quoted, as a key or a header),
        searching from the line of `after` (a table header) on."""
        start = int(self.locate(after).rsplit(":", 1)[1]) if after else 1
        probes = (f'"{needle}"', f"'{needle}'", f"[{needle}]", f"{needle} =", f"{needle}=")
        for number, line in enumerate(self.lines[start - 1:], start=start):
            if any(probe in line for probe in probes):
                return f"{self.path}:{number}"
        return f"{self.path}:{start}"

    def error(self, where: str, problem: str, fix: str) -> TemplateError:
        return TemplateError(f"{where}: {problem}.", fix)
