"""`hearth service`: a systemd user unit so Hearth starts at boot with nobody logged in.

Lingering (`loginctl enable-linger`) starts the user's systemd manager at boot,
which then starts the user's audio server (PipeWire's or PulseAudio's socket unit)
and Hearth.
"""

from __future__ import annotations

import getpass
import os
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

UNIT_NAME = "hearth.service"
USER_UNIT_DIRS = (Path("/usr/lib/systemd/user"), Path("/lib/systemd/user"),
                  Path("/etc/systemd/user"))
AUDIO_SERVERS = (
    # (unit to want, what it is) — PipeWire first: Raspberry Pi OS Bookworm uses it.
    ("pipewire-pulse.socket", "PipeWire's PulseAudio server"),
    ("pulseaudio.socket", "PulseAudio"),
)


@dataclass(frozen=True)
class ServicePlan:
    """What `service install` writes and runs."""

    unit_path: Path
    unit_text: str
    audio_unit: str | None
    """The audio server's socket unit the service waits for, if one is installed."""
    commands: tuple[tuple[str, ...], ...]
    """Commands that enable the unit, the audio server and lingering."""


def user_unit_dir() -> Path:
    config_home = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config_home) / "systemd" / "user"


def find_audio_unit(search: tuple[Path, ...] = USER_UNIT_DIRS) -> str | None:
    for unit, _ in AUDIO_SERVERS:
        if any((folder / unit).exists() for folder in search):
            return unit
    return None


def hearth_command(config: Path | None) -> list[str]:
    """The `hearth run` command line of this installation (its own virtual environment)."""
    executable = Path(sys.executable).with_name("hearth")
    command = [str(executable) if executable.exists() else "hearth", "run"]
    if config is not None:
        command += ["--config", str(config.resolve())]
    return command


def render_unit(command: list[str], audio_unit: str | None) -> str:
    after = ["sound.target"] + ([audio_unit] if audio_unit else [])
    lines = [
        "[Unit]",
        "Description=Hearth, a voice companion for couples' conversation games",
        f"After={' '.join(after)}",
    ]
    if audio_unit:
        lines.append(f"Wants={audio_unit}")
    lines += [
        "",
        "[Service]",
        f"ExecStart={shlex.join(command)}",
        # A missing microphone exits non-zero; try again until the device is plugged in.
        "Restart=always",
        "RestartSec=10",
        "Environment=PYTHONUNBUFFERED=1",
        "",
        "[Install]",
        "WantedBy=default.target",
        "",
    ]
    return "\n".join(lines)


def plan_install(config: Path | None = None, user: str | None = None) -> ServicePlan:
    audio_unit = find_audio_unit()
    commands: list[tuple[str, ...]] = [("systemctl", "--user", "daemon-reload")]
    if audio_unit:
        commands.append(("systemctl", "--user", "enable", audio_unit))
    commands += [
        ("systemctl", "--user", "enable", "--now", UNIT_NAME),
        ("loginctl", "enable-linger", user or getpass.getuser()),
    ]
    return ServicePlan(
        unit_path=user_unit_dir() / UNIT_NAME,
        unit_text=render_unit(hearth_command(config), audio_unit),
        audio_unit=audio_unit,
        commands=tuple(commands),
    )


def write_unit(plan: ServicePlan) -> None:
    plan.unit_path.parent.mkdir(parents=True, exist_ok=True)
    partial = plan.unit_path.with_name(plan.unit_path.name + ".partial")
    partial.write_text(plan.unit_text, encoding="utf-8")
    partial.replace(plan.unit_path)


def run_commands(commands: tuple[tuple[str, ...], ...]) -> tuple[str, ...] | None:
    """Run each command; return the first that failed (with its message printed), or None."""
    for command in commands:
        try:
            result = subprocess.run(command, capture_output=True, text=True, timeout=30,
                                    check=False)
        except (OSError, subprocess.TimeoutExpired) as error:
            print(f"  {shlex.join(command)}: {error}", file=sys.stderr)
            return command
        if result.returncode != 0:
            message = (result.stderr or result.stdout).strip().splitlines()
            print(f"  {shlex.join(command)}: {message[-1] if message else 'failed'}",
                  file=sys.stderr)
            return command
    return None


def remove_commands() -> tuple[tuple[str, ...], ...]:
    return (("systemctl", "--user", "disable", "--now", UNIT_NAME),
            ("systemctl", "--user", "daemon-reload"))
