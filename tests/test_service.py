"""`hearth service`: the unit starts this installation's `hearth run`, waits for audio,
restarts, and failing to reach systemd is one clear message, not a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from assistant import service

HEARTH = [sys.executable, "-m", "assistant"]


def test_unit_runs_this_installation_with_the_given_config(tmp_path: Path) -> None:
    text = service.render_unit(service.hearth_command(tmp_path / "c.toml"), "pulseaudio.socket")
    exec_line = next(line for line in text.splitlines() if line.startswith("ExecStart="))
    assert exec_line.split()[0].endswith("hearth")
    assert "run --config" in exec_line and str(tmp_path / "c.toml") in exec_line
    assert "Wants=pulseaudio.socket" in text and "After=sound.target pulseaudio.socket" in text
    assert "Restart=always" in text and "WantedBy=default.target" in text


def test_unit_without_audio_server_wants_nothing() -> None:
    text = service.render_unit(["hearth", "run"], None)
    assert "Wants=" not in text


def test_audio_server_found_in_user_unit_folders(tmp_path: Path) -> None:
    (tmp_path / "pipewire-pulse.socket").write_text("")
    (tmp_path / "pulseaudio.socket").write_text("")
    assert service.find_audio_unit((tmp_path,)) == "pipewire-pulse.socket"
    assert service.find_audio_unit((tmp_path / "none",)) is None


def test_install_enables_lingering_for_the_user() -> None:
    plan = service.plan_install(user="pi")
    assert ("loginctl", "enable-linger", "pi") in plan.commands
    assert plan.commands[-2] == ("systemctl", "--user", "enable", "--now", "hearth.service")


def _hearth(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {"XDG_CONFIG_HOME": str(home), "PATH": "/usr/bin:/bin", "HOME": str(home)}
    return subprocess.run([*HEARTH, *args], capture_output=True, text=True, env=env,
                          timeout=60, check=False)


def test_install_no_enable_writes_the_unit_and_prints_commands(tmp_path: Path) -> None:
    result = _hearth("service", "install", "--no-enable", home=tmp_path)
    assert result.returncode == 0, result.stderr
    unit = tmp_path / "systemd" / "user" / "hearth.service"
    assert unit.read_text().startswith("[Unit]")
    assert "loginctl enable-linger" in result.stdout


def test_install_without_reachable_systemd_says_what_to_run(tmp_path: Path) -> None:
    probe = subprocess.run(["systemctl", "--user", "is-system-running"], capture_output=True,
                           check=False) if Path("/usr/bin/systemctl").exists() else None
    if probe is not None and probe.returncode == 0:
        pytest.skip("a real systemd user manager is running here; not touching it")
    result = _hearth("service", "install", home=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "enabling it failed" in result.stderr and "systemctl --user" in result.stderr
    assert (tmp_path / "systemd" / "user" / "hearth.service").exists()


def test_remove_deletes_the_unit(tmp_path: Path) -> None:
    _hearth("service", "install", "--no-enable", home=tmp_path)
    result = _hearth("service", "remove", home=tmp_path)
    assert result.returncode == 0
    assert not (tmp_path / "systemd" / "user" / "hearth.service").exists()
