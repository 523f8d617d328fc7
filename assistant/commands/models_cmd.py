"""`hearth models list | install [NAME] | remove NAME | path [NAME]`: vosk speech models."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from assistant import model_catalog, model_install
from assistant.errors import ModelError
from assistant.settings import load_settings


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "models", help="list, install and remove vosk speech models",
        description="Vosk speech models: the recommended, more accurate speech engine.")
    parser.add_argument("--config", type=Path, help="config file (default: the user's)")
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    listing = actions.add_parser("list", help="installed and available models")
    listing.add_argument("--all", action="store_true", help="include obsolete models")
    listing.add_argument("--refresh", action="store_true",
                         help="fetch the current model list from the model server first")
    install = actions.add_parser("install", help="download and unpack a model")
    install.add_argument("name", nargs="?", default=model_install.DEFAULT_MODEL,
                         help=f"model name (default: {model_install.DEFAULT_MODEL})")
    remove = actions.add_parser("remove", help="delete a model Hearth installed")
    remove.add_argument("name")
    path = actions.add_parser("path", help="print the folder of a model")
    path.add_argument("name", nargs="?",
                      help="an installed model (default: the English model Hearth would use)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.action == "install":
        return _install(args)
    if args.action == "remove":
        print(f"Removed {model_install.remove_model(args.name)}.")
        return 0
    if args.action == "path":
        return _path(args.name)
    return _list(args)


def _base(args: argparse.Namespace) -> str:
    settings = load_settings(args.config) if args.config else load_settings()
    return model_install.models_base_url(settings.models_url)


def _install(args: argparse.Namespace) -> int:
    existing = model_install.install_dir() / args.name
    if model_catalog.looks_like_model(existing):
        print(f"{args.name} is already installed in {existing}.")
        return 0
    base = _base(args)
    print(f"Installing {args.name} from {base} …", file=sys.stderr)
    path = model_install.install_model(args.name, base=base, progress=sys.stderr.isatty())
    print(f"Installed {args.name} in {path}.")
    print("Hearth uses it when the engine is auto or vosk (see `hearth doctor`).")
    return 0


def _path(name: str | None) -> int:
    found = model_catalog.find_model(model=name) if name else model_catalog.find_model("en-us")
    if found is None:
        raise ModelError("No English vosk model is installed.",
                         "Install one with `hearth models install`.")
    print(found)
    return 0


def _list(args: argparse.Namespace) -> int:
    if getattr(args, "refresh", False):
        model_install.fetch_model_list(_base(args))
    installed = model_catalog.installed_models()
    print("Installed:")
    if not installed:
        print("  (none; `hearth models install` gets the small US English model, "
              f"{model_install.DEFAULT_MODEL})")
    for model in installed:
        print(f"  {model.name:<36} {model.lang or '?':<6} {_size_text(_folder_size(model.path)):>9}"
              f"  {model.path}  ({model.place})")
    names = {model.name for model in installed}
    print("Available:")
    for entry in model_catalog.load_catalog():
        if entry.obsolete and not getattr(args, "all", False):
            continue
        flags = [flag for flag, on in (("installed", entry.name in names),
                                       ("obsolete", entry.obsolete)) if on]
        print(f"  {entry.name:<36} {entry.lang:<6} {entry.size_text or _size_text(entry.size):>9}"
              f"  {entry.lang_text}, {entry.type}" + (f"  [{', '.join(flags)}]" if flags else ""))
    return 0


def _folder_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def _size_text(size: int) -> str:
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.1f}{unit}" if unit != "B" else f"{size}B"
        value /= 1024
    return f"{size}B"
