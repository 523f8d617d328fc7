"""`hearth doctor` as users run it: a real subprocess, a temp config and data folder, and
(for devices) the private PulseAudio daemon from `tests/pulse.py`."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from pulse import PulseServer, pulse

from assistant import doctor
from assistant.audio import SAMPLE_RATE, Samples

__all__ = ["pulse"]

GOOD_CONFIG = """\
[partners]
names = ["Sam", "Alex"]

[audio]
input_device = "pulse"
output_device = "pulse"

[voice]
rate = 150
"""


def _tone(seconds: float, level: float, frequency: float = 440.0) -> Samples:
    t = np.arange(int(SAMPLE_RATE * seconds)) / SAMPLE_RATE
    return (level * 32767 * np.sin(2 * np.pi * frequency * t)).astype(np.int16)


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "HEARTH_DATA_HOME": str(tmp_path / "data")}


def _doctor(tmp_path: Path, config: Path, *options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "assistant", "doctor", "--config", str(config), *options],
        env=_env(tmp_path), capture_output=True, text=True, timeout=60, check=False)


def _line(output: str, name: str) -> str:
    """The status line of one check."""
    found = [line for line in output.splitlines() if line[6:].startswith(name + " ")]
    assert found, f"no {name!r} line in:\n{output}"
    return found[0]


@pytest.mark.audio
def test_a_good_config_passes(pulse: PulseServer, tmp_path: Path) -> None:
    result = _doctor(tmp_path, _config(tmp_path, GOOD_CONFIG), "--no-listen")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "FAIL" not in result.stdout
    for name in ("config", "microphone", "speaker", "pocketsphinx", "engine", "voice",
                 "speech output", "decks", "history"):
        assert _line(result.stdout, name).startswith(("ok", "warn"))
    assert "pulse" in _line(result.stdout, "microphone")
    assert "prompts" in _line(result.stdout, "decks")
    assert "Traceback" not in result.stderr


def test_a_bad_config_value_names_the_key_and_fails(tmp_path: Path) -> None:
    result = _doctor(tmp_path, _config(tmp_path, "[voice]\nrate = 500\n"), "--no-listen")
    assert result.returncode == 1
    line = _line(result.stdout, "config")
    assert line.startswith("FAIL") and "voice.rate" in line
    lines = result.stdout.splitlines()
    fix = lines[lines.index(line) + 1]
    assert "fix:" in fix and "80 to 300" in fix
    assert "Traceback" not in result.stderr


def test_a_missing_voice_fails_but_speech_is_still_checked_with_the_default(
        tmp_path: Path) -> None:
    result = _doctor(tmp_path, _config(tmp_path, '[voice]\nvoice = "elvish-robot"\n'),
                     "--no-listen")
    assert result.returncode == 1
    line = _line(result.stdout, "voice")
    assert line.startswith("FAIL") and "elvish-robot" in line
    assert "gmw/en-us" in result.stdout.splitlines()[result.stdout.splitlines().index(line) + 1]
    assert _line(result.stdout, "speech output").startswith(("ok", "warn"))


def test_a_missing_config_file_fails_with_a_fix(tmp_path: Path) -> None:
    result = _doctor(tmp_path, tmp_path / "nowhere.toml", "--no-listen")
    assert result.returncode == 1
    assert _line(result.stdout, "config").startswith("FAIL")
    assert "hearth setup" in result.stdout


@pytest.mark.audio
def test_a_missing_microphone_fails_and_lists_the_devices(pulse: PulseServer,
                                                          tmp_path: Path) -> None:
    config = _config(tmp_path, GOOD_CONFIG.replace('input_device = "pulse"',
                                                   'input_device = "usb speakerphone"'))
    result = _doctor(tmp_path, config, "--no-listen")
    assert result.returncode == 1
    line = _line(result.stdout, "microphone")
    assert line.startswith("FAIL") and "usb speakerphone" in line
    lines = result.stdout.splitlines()
    fix = lines[lines.index(line) + 1]
    assert "fix:" in fix and "pulse" in fix and "--input-device" in fix
    assert _line(result.stdout, "speaker").startswith("ok")
    assert "Traceback" not in result.stderr


def _listen_while(pulse: PulseServer, tmp_path: Path, sound: Samples | None) -> str:
    """Run the doctor with its listen, playing `sound` into the virtual mic once it listens."""
    process = subprocess.Popen(
        [sys.executable, "-m", "assistant", "doctor", "--config",
         str(_config(tmp_path, GOOD_CONFIG))],
        env=_env(tmp_path), stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    output, player = [], None
    for line in process.stdout:
        output.append(line)
        if "Listening" in line:
            if sound is not None:
                time.sleep(0.2)
                player = pulse.play(sound, wait=False)
            break
    output.append(process.stdout.read())
    process.wait(timeout=60)
    if player is not None:
        player.wait(timeout=30)  # the next test must not hear the end of this sound
    return "".join(output)


@pytest.mark.audio
def test_the_level_check_hears_a_tone_played_into_the_microphone(pulse: PulseServer,
                                                                  tmp_path: Path) -> None:
    output = _listen_while(pulse, tmp_path, _tone(3.0, 0.3))
    line = _line(output, "mic level")
    assert line.startswith("ok") and "dBFS" in line


@pytest.mark.audio
def test_the_level_check_asks_about_mute_when_it_hears_nothing(pulse: PulseServer,
                                                               tmp_path: Path) -> None:
    line = _line(_listen_while(pulse, tmp_path, None), "mic level")
    assert line.startswith("warn") and "muted" in line


def test_levels_are_judged_quiet_clipping_or_fine() -> None:
    assert doctor.judge(doctor.measure(_tone(1.0, 0.0005))).status is doctor.Status.WARN
    assert "muted" in doctor.judge(doctor.measure(np.zeros(16_000, np.int16))).detail
    overdriven = np.clip(_tone(1.0, 1.0).astype(np.int32) * 2, -32768, 32767).astype(np.int16)
    clipped = doctor.judge(doctor.measure(overdriven))
    assert clipped.status is doctor.Status.WARN and "clipped" in clipped.detail
    assert doctor.judge(doctor.measure(_tone(1.0, 0.2))).status is doctor.Status.OK
    assert doctor.judge(doctor.measure(np.zeros(0, np.int16))).status is doctor.Status.FAIL


def test_history_must_be_private(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    assert doctor.check_history(path).status is doctor.Status.OK  # created later
    path.touch(mode=0o644)
    path.chmod(0o644)
    check = doctor.check_history(path)
    assert check.status is doctor.Status.WARN and f"chmod 600 {path}" in check.fix
    path.chmod(0o600)
    assert doctor.check_history(path).status is doctor.Status.OK
