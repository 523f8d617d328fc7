"""Vosk models: the catalog Hearth knows, and finding models already on this machine.

Models are found where other vosk tools keep them too. `find_model` never returns
a model of another language: a Korean model is not an English one.
"""

from __future__ import annotations

import difflib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant import resources
from assistant.errors import ModelError
from assistant.resources import data_dir

MARKER = ".hearth-model.json"
"""Written by the installer into each model it installs: name, language, md5."""


@dataclass(frozen=True)
class CatalogEntry:
    """One model of the official vosk model list (model-list.json)."""

    name: str
    lang: str
    """Language code as the list gives it: `en-us`, `de`, `ko`, …"""
    lang_text: str
    type: str
    """`small`, `big`, `big-lgraph`, …"""
    size: int
    """Bytes of the zip."""
    size_text: str
    md5: str
    """md5 of the zip, hex."""
    url: str
    obsolete: bool
    version: str
    verified: bool = True
    """False for figures in our bundled catalog that nobody has checked against a download."""


@dataclass(frozen=True)
class InstalledModel:
    """A vosk model folder found on this machine."""

    name: str
    path: Path
    lang: str | None
    """None when neither the name, the catalog nor the folder says which language it is."""
    place: str
    """Which search place it was found in (`VOSK_MODEL_PATH`, `Hearth data folder`, …)."""


def parse_model_list(data: Any, origin: str) -> tuple[CatalogEntry, ...]:
    """Entries of a model list: the official JSON array, or our catalog's {"models": [...]}."""
    items = data.get("models") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise ModelError(f"The model list {origin} is not a list of models.",
                         "Check the file, or the HEARTH_MODELS_URL / models_url mirror.")
    entries = []
    for item in items:
        try:
            entries.append(CatalogEntry(
                name=str(item["name"]), lang=str(item["lang"]),
                lang_text=str(item.get("lang_text", item["lang"])), type=str(item["type"]),
                size=int(item["size"]), size_text=str(item.get("size_text", "")),
                md5=str(item["md5"]).lower(), url=str(item.get("url", "")),
                obsolete=str(item.get("obsolete", "false")).lower() == "true",
                version=str(item.get("version", "")),
                verified=bool(item.get("verified", True))))
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise ModelError(
                f"The model list {origin} has a malformed entry ({error!r}).",
                "Check the file, or the HEARTH_MODELS_URL / models_url mirror.") from error
    return tuple(entries)


def cached_list_path() -> Path:
    """Where the installer keeps the last model list it fetched."""
    return data_dir() / "models" / "model-list.json"


def load_catalog() -> tuple[CatalogEntry, ...]:
    """The last fetched official list if there is one, else the bundled `models/catalog.json`."""
    for path in (cached_list_path(), resources.models_dir() / "catalog.json"):
        if path.is_file():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as error:
                raise ModelError(f"The model list {path} cannot be read ({error}).",
                                 "Delete it; Hearth falls back to its bundled catalog.") from error
            return parse_model_list(data, str(path))
    return ()


def lookup(name: str, entries: tuple[CatalogEntry, ...]) -> CatalogEntry:
    """The entry called `name`, or a ModelError that suggests close names."""
    for entry in entries:
        if entry.name == name:
            return entry
    close = difflib.get_close_matches(name, [e.name for e in entries], n=3, cutoff=0.5)
    hint = f"Did you mean {' or '.join(close)}? " if close else ""
    raise ModelError(f"There is no vosk model called {name}.",
                     f"{hint}See `hearth models list` for the models Hearth knows.")


_NAME_LANG = re.compile(
    r"^vosk[-_]model[-_](?:small[-_])?([a-z]{2,3})(?:[-_]([a-z]{2}))?(?=[-_.]|$)")


def language_of(path: Path, entries: tuple[CatalogEntry, ...] = ()) -> str | None:
    """A model folder's language: from our marker, the catalog, its name, or its README."""
    marker = path / MARKER
    if marker.is_file():
        try:
            lang = json.loads(marker.read_text(encoding="utf-8")).get("lang")
            if isinstance(lang, str) and lang:
                return lang
        except (OSError, ValueError):
            pass
    for entry in entries:
        if entry.name == path.name:
            return entry.lang
    for name in (path.name, path.parent.name):  # a pip package keeps it in vosk_model_xx/model
        match = _NAME_LANG.match(name.lower())
        if match:
            return "-".join(part for part in match.groups() if part)
    return _language_from_readme(path, entries)


def _language_from_readme(path: Path, entries: tuple[CatalogEntry, ...]) -> str | None:
    try:
        text = (path / "README").read_text(encoding="utf-8", errors="replace")[:500].lower()
    except OSError:
        return None
    # Longest names first, so "US English" wins over a bare "English".
    for entry in sorted(entries, key=lambda e: -len(e.lang_text)):
        if re.search(rf"\b{re.escape(entry.lang_text.lower())}\b", text):
            return entry.lang
    return "en-us" if re.search(r"\benglish\b", text) else None


def missing_model_files(path: Path) -> list[str]:
    """What a folder lacks to be a vosk model (empty when it looks complete).

    Both layouts vosk reads: `am/`, `conf/`, `graph/` folders, or all files at the top.
    """
    if not path.is_dir():
        return [str(path)]
    for am, conf, graph in (("am", "conf", "graph"), (".", ".", ".")):
        if not (path / am / "final.mdl").is_file():
            continue
        missing = [f"{conf}/mfcc.conf"] if not (path / conf / "mfcc.conf").is_file() else []
        g = path / graph
        if not ((g / "HCLG.fst").is_file() or ((g / "HCLr.fst").is_file()
                                               and (g / "Gr.fst").is_file())):
            missing.append(f"{graph}/HCLG.fst (or HCLr.fst and Gr.fst)")
        return [m.removeprefix("./") for m in missing]
    return ["am/final.mdl"]


def looks_like_model(path: Path) -> bool:
    return not missing_model_files(path)


def search_places() -> list[tuple[str, Path]]:
    """Where models are looked for, in order (`--model PATH` is checked before all of these)."""
    places: list[tuple[str, Path]] = []
    env = os.environ.get("VOSK_MODEL_PATH")
    if env:
        places.append(("VOSK_MODEL_PATH", Path(env).expanduser()))
    places += [
        ("Hearth data folder", data_dir() / "models"),
        ("checkout models/", resources.models_dir()),
        ("~/.cache/vosk", Path.home() / ".cache" / "vosk"),
        ("/usr/share/vosk", Path("/usr/share/vosk")),
    ]
    return places


def installed_models() -> list[InstalledModel]:
    """Every complete model folder in the search places (VOSK_MODEL_PATH may be a model itself)."""
    entries = load_catalog()
    found: list[InstalledModel] = []
    seen: set[Path] = set()
    for place, folder in search_places():
        candidates = [folder] if looks_like_model(folder) else _subfolders(folder)
        for path in candidates:
            real = path.resolve()
            if real in seen or not looks_like_model(path):
                continue
            seen.add(real)
            found.append(InstalledModel(path.name, path, language_of(path, entries), place))
    return found


def _subfolders(folder: Path) -> list[Path]:
    try:
        return sorted((p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")),
                      key=lambda p: p.name, reverse=True)  # a stable order, higher versions first
    except OSError:
        return []


def find_model(language: str = "en-us", model: str | Path | None = None) -> Path | None:
    """The model to use: `model` (a folder, or an installed model's name) always wins;
    else the first installed model of `language`, preferring the exact variant (en-us over
    en-gb). Never a model of another language or of unknown language."""
    if model:
        path = Path(model).expanduser()
        if path.is_dir() or os.sep in str(model):
            missing = missing_model_files(path)
            if missing:
                raise ModelError(f"{path} is not a vosk model folder (missing {missing[0]}).",
                                 "Give the folder that holds am/ and conf/, or run "
                                 "`hearth models install`.")
            return path
        installed = installed_models()
        for found in installed:
            if found.name == str(model):
                return found.path
        known = sorted({m.name for m in installed} | {e.name for e in load_catalog()})
        close = difflib.get_close_matches(str(model), known, n=1, cutoff=0.5)
        fix = (f"Did you mean {close[0]}? " if close else "") + (
            "See `hearth models list`; `hearth models install NAME` gets one.")
        raise ModelError(f"No installed vosk model is called {model}.", fix)
    wanted = language.lower()
    primary = wanted.split("-")[0]
    same_family: Path | None = None
    for candidate in installed_models():
        if candidate.lang == wanted:
            return candidate.path
        if same_family is None and candidate.lang and candidate.lang.split("-")[0] == primary:
            same_family = candidate.path
    return same_family
