"""`hearth history` (what has been played: counts and dates only) and `hearth forget`."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from assistant.history import History, default_path
from assistant.state_store import StateStore


def register(subparsers: Any) -> None:
    history = subparsers.add_parser("history", help="what has been played (counts and dates)")
    history.set_defaults(func=run_history)
    forget = subparsers.add_parser("forget", help="wipe the history of what has been played "
                                                  "and the saved game")
    forget.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    forget.set_defaults(func=run_forget)


def _minutes(seconds: float) -> str:
    minutes = round(seconds / 60)
    return "under a minute" if minutes < 1 else f"{minutes} min"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def run_history(args: argparse.Namespace) -> int:
    path = default_path()
    if not path.exists():
        print("Nothing played yet.")
        return 0
    with History(path) as history:
        sessions, decks = history.sessions(), history.decks()
    if not sessions:
        print("Nothing played yet.")
        return 0
    total = sum(s.prompts for s in sessions)
    print(f"{_count(len(sessions), 'session')}, {_count(total, 'prompt')} "
          f"(kept in {path}; no words or audio are stored)")
    print()
    print("Sessions:")
    for s in sessions:
        games = ", ".join(s.games) or "no games"
        print(f"  {s.started_at:%Y-%m-%d %H:%M}  {_minutes(s.duration_seconds):>14}  "
              f"{_count(s.prompts, 'prompt'):>11}  {games}")
    print()
    print("Decks:")
    for d in decks:
        print(f"  {d.deck:<14} {_count(d.prompts, 'prompt'):>11}, last on {d.last_used:%Y-%m-%d}")
    return 0


def run_forget(args: argparse.Namespace) -> int:
    path, store = default_path(), StateStore()
    if not path.exists() and not store.path.exists():
        print("There is no history to forget.")
        return 0
    if not args.yes:
        if not sys.stdin.isatty():
            print("hearth: not wiping the history without confirmation.", file=sys.stderr)
            print("  Run `hearth forget --yes` to wipe it.", file=sys.stderr)
            return 1
        answer = input("Forget everything Hearth has recorded about past games? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("Nothing was changed.")
            return 1
    if path.exists():
        with History(path) as history:
            history.forget()
    store.clear()
    print("The history and any saved game are wiped. Prompts may come up again from the "
          "start.")
    return 0
