"""`hearth decks list [--json]` and `hearth decks check [PATH]`."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from assistant.decks import DEPTHS, check_decks, load_decks
from assistant.resources import decks_dir


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("decks", help="list the prompt decks, or check deck files")
    actions = parser.add_subparsers(dest="decks_action", metavar="ACTION")
    listing = actions.add_parser("list", help="the decks with their prompt counts per depth")
    listing.add_argument("--json", action="store_true", help="one JSON list, for scripts")
    listing.set_defaults(func=run_list)
    check = actions.add_parser("check", help="check deck files; prints file:line: problem")
    check.add_argument("path", nargs="?", type=Path, help="a deck file or folder (default: "
                       "the installed decks)")
    check.set_defaults(func=run_check)
    parser.set_defaults(func=run_list, json=False)


def run_list(args: argparse.Namespace) -> int:
    library = load_decks()
    rows = [{"name": deck.name, "prompts": len(deck.prompts), "depth": deck.depth_counts()}
            for deck in library.decks]
    if args.json:
        print(json.dumps(rows))
        return 0
    width = max((len(deck.name) for deck in library.decks), default=4)
    for deck in library.decks:
        counts = deck.depth_counts()
        spread = ", ".join(f"{counts[d]} {d}" for d in DEPTHS)
        extra = " (opt-in)" if deck.opt_in else ""
        extra = " (closing ritual)" if deck.kind == "closing" else extra
        print(f"{deck.name:<{width}}  {len(deck.prompts):>3} prompts  ({spread})  "
              f"{deck.title}{extra}")
    total = sum(len(deck.prompts) for deck in library.decks)
    print(f"{len(library.decks)} decks, {total} prompts in {decks_dir()}")
    return 0


def run_check(args: argparse.Namespace) -> int:
    path: Path = args.path or decks_dir()
    problems = check_decks(path)
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} found.")
        return 1
    print(f"All decks in {path} are fine.")
    return 0
