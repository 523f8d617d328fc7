"""`hearth service install | remove | show`: start Hearth at boot as a systemd user service."""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path
from typing import Any

from assistant import service


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "service", help="start Hearth at boot (systemd user service)",
        description="Install a systemd user unit that starts `hearth run` at boot, "
                    "with no login needed (lingering).",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    install = actions.add_parser("install", help="write and enable the unit, enable lingering")
    install.add_argument("--config", metavar="PATH", help="config file the service should use")
    install.add_argument("--no-enable", action="store_true",
                         help="only write the unit file; print the commands that enable it")
    install.set_defaults(func=run_install)
    remove = actions.add_parser("remove", help="stop, disable and delete the unit")
    remove.set_defaults(func=run_remove)
    show = actions.add_parser("show", help="print the unit Hearth would install")
    show.add_argument("--config", metavar="PATH")
    show.set_defaults(func=run_show)


def _config(args: argparse.Namespace) -> Path | None:
    return Path(args.config) if getattr(args, "config", None) else None


def run_show(args: argparse.Namespace) -> int:
    plan = service.plan_install(_config(args))
    print(f"# {plan.unit_path}")
    print(plan.unit_text, end="")
    return 0


def run_install(args: argparse.Namespace) -> int:
    plan = service.plan_install(_config(args))
    service.write_unit(plan)
    print(f"Wrote {plan.unit_path}")
    if plan.audio_unit is None:
        print("No PipeWire or PulseAudio user service was found; Hearth will use ALSA directly.")
    if args.no_enable:
        _print_commands(plan.commands, "To enable it, run:")
        return 0
    failed = service.run_commands(plan.commands)
    if failed is None:
        print("Hearth now starts at boot. Logs: journalctl --user -u hearth -f")
        return 0
    print("hearth: the unit is written, but enabling it failed "
          "(is this a systemd system, and are you logged in as the user who will run it?).",
          file=sys.stderr)
    remaining = plan.commands[plan.commands.index(failed):]
    _print_commands(remaining, "  Fix: run these yourself once the cause is fixed:",
                    stream=sys.stderr)
    return 1


def run_remove(args: argparse.Namespace) -> int:
    path = service.user_unit_dir() / service.UNIT_NAME
    if not path.exists():
        print(f"No Hearth service is installed ({path} does not exist).")
        return 0
    failed = service.run_commands(service.remove_commands())
    path.unlink()
    print(f"Removed {path}")
    if failed is not None:
        print("  systemd could not be told; it forgets the unit at the next reboot.",
              file=sys.stderr)
    return 0


def _print_commands(commands: tuple[tuple[str, ...], ...], heading: str,
                    stream: Any = sys.stdout) -> None:
    print(heading, file=stream)
    for command in commands:
        print(f"    {shlex.join(command)}", file=stream)
