"""`hearth setup` driven by scripted answers; with the PulseAudio daemon for the audio steps."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from pulse import PulseServer, active_spans, pulse

from assistant import portaudio
from assistant.audio import SAMPLE_RATE
from assistant.settings import Settings, load_settings, save_settings
from assistant.setup_wizard import SetupWizard

__all__ = ["pulse"]

Answer = str | Callable[[], str]


class Script:
    """Answers in order, each checked against the question it is meant for; then end of input."""

    def __init__(self, *steps: tuple[str, Answer]) -> None:
        self.steps = list(steps)
        self.questions: list[str] = []

    def __call__(self, question: str) -> str:
        self.questions.append(question)
        if not self.steps:
            raise EOFError
        expected, answer = self.steps.pop(0)
        assert expected in question, f"expected a question about {expected!r}, got {question!r}"
        return answer() if callable(answer) else answer


def _run(script: Script, path: Path, audio: bool = False) -> tuple[Path | None, str]:
    out = io.StringIO()
    saved = SetupWizard(script, out, path, audio_checks=audio, listen_seconds=1.0).run()
    return saved, out.getvalue()


ALL_ANSWERS = (
    ("First partner", "Sam"), ("Second partner", "Alex"), ("Speech engine", "pocketsphinx"),
    ("Voice", "7"), ("rate", "150"), ("Country", "ca"), ("intimacy", "y"), ("wake word", "n"),
)


def test_scripted_answers_write_the_expected_config(tmp_path: Path) -> None:
    path = tmp_path / "hearth" / "config.toml"
    saved, output = _run(Script(*ALL_ANSWERS), path)
    assert saved == path
    written = tomllib.loads(path.read_text(encoding="utf-8"))
    assert written["partners"] == {"names": ["Sam", "Alex"]}
    assert written["speech"]["engine"] == "pocketsphinx"
    assert written["voice"]["voice"] == "gmw/en-us" and written["voice"]["rate"] == 150
    assert written["safety"] == {"country": "CA"}
    assert written["games"] == {"intimacy_enabled": True}
    assert load_settings(path).require_wake_word is False
    assert "--no-audio-checks" in output and "hearth run" in output and str(path) in output


def test_invalid_answers_are_asked_again_with_the_allowed_values(tmp_path: Path) -> None:
    script = Script(
        ("First partner", "R2-D2"), ("First partner", "Sam"), ("Second partner", ""),
        ("Second partner", "Alex"), ("Speech engine", "whisper"), ("Speech engine", ""),
        ("Voice", "99"), ("Voice", "elvish-robot"), ("Voice", ""), ("rate", "fast"),
        ("rate", "400"), ("rate", "120"), ("Country", "FR"), ("Country", "nz"),
        ("intimacy", "maybe"), ("intimacy", ""), ("wake word", "yes"),
    )
    saved, output = _run(script, tmp_path / "config.toml")
    assert saved is not None and not script.steps
    settings = load_settings(saved)
    assert settings.partners == ("Sam", "Alex")
    assert (settings.engine, settings.voice, settings.rate) == ("auto", "", 120)
    assert (settings.country, settings.intimacy_enabled, settings.require_wake_word) == (
        "NZ", False, True)
    assert "Please answer one of US, UK, CA, AU, IE, NZ." in output
    assert "Please answer one of auto, pocketsphinx, vosk." in output
    assert "from 80 to 300" in output and "y (yes) or n (no)" in output


@pytest.mark.parametrize("stop", [EOFError, KeyboardInterrupt])
def test_stopping_midway_leaves_the_existing_config_untouched(
        tmp_path: Path, stop: type[BaseException]) -> None:
    path = save_settings(Settings(partners=("Kim", "Lee"), country="UK"),
                         tmp_path / "config.toml")
    before = path.read_bytes()

    def interrupt() -> str:
        raise stop

    saved, output = _run(Script(("First partner", "Sam"), ("Second partner", "Alex"),
                                ("Speech engine", interrupt)), path)
    assert saved is None
    assert path.read_bytes() == before
    assert "not changed" in output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.toml"]


def test_rerunning_offers_the_existing_values_as_defaults(tmp_path: Path) -> None:
    existing = Settings(partners=("Kim", "Lee"), engine="pocketsphinx", voice="gmw/en",
                        rate=140, country="IE", intimacy_enabled=True, require_wake_word=True,
                        input_device="usb mic")
    path = save_settings(existing, tmp_path / "config.toml")
    script = Script(*((question, "") for question, _ in ALL_ANSWERS))
    saved, _ = _run(script, path)
    assert saved == path and load_settings(path) == existing
    asked = "\n".join(script.questions)
    for default in ("[Kim]", "[Lee]", "[pocketsphinx]", "[gmw/en]", "[140]", "[IE]", "[Y/n]"):
        assert default in asked


def test_the_command_reads_answers_from_standard_input(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    answers = "\n".join(answer for _, answer in ALL_ANSWERS) + "\n"
    result = subprocess.run(
        [sys.executable, "-m", "assistant", "setup", "--no-audio-checks", "--config", str(path)],
        input=answers, capture_output=True, text=True, timeout=60, check=False,
        env={**os.environ, "HEARTH_DATA_HOME": str(tmp_path / "data")})
    assert result.returncode == 0, result.stderr
    assert load_settings(path).partners == ("Sam", "Alex")
    stopped = subprocess.run(
        [sys.executable, "-m", "assistant", "setup", "--no-audio-checks", "--config", str(path)],
        input="Kim\n", capture_output=True, text=True, timeout=60, check=False)
    assert stopped.returncode == 1 and "Traceback" not in stopped.stderr
    assert load_settings(path).partners == ("Sam", "Alex")


@pytest.mark.audio
def test_audio_steps_hear_the_microphone_and_play_on_the_speaker(
        pulse: PulseServer, tmp_path: Path) -> None:
    portaudio.rescan()
    t = np.arange(int(SAMPLE_RATE * 4.0)) / SAMPLE_RATE
    tone = (0.3 * 32767 * np.sin(2 * np.pi * 440 * t)).astype(np.int16)

    players: list[subprocess.Popen[bytes]] = []

    def pick_mic_and_speak() -> str:
        players.append(pulse.play(tone, wait=False))
        return "pulse"

    recording = pulse.record()
    script = Script(
        ("First partner", "Sam"), ("Second partner", "Alex"),
        ("Which microphone", pick_mic_and_speak), ("Which speaker", ""),
        ("Did you hear it", "y"), ("Speech engine", ""), ("Voice", ""), ("rate", ""),
        ("Keep this voice", "y"), ("Country", ""), ("intimacy", ""), ("wake word", ""),
    )
    saved, output = _run(script, tmp_path / "config.toml", audio=True)
    spans = active_spans(recording.stop())
    for player in players:
        player.wait(timeout=30)
    assert saved is not None, output
    assert "Sounds good" in output and "dBFS" in output
    assert "  level [" in output
    assert load_settings(saved).input_device == "pulse"
    assert load_settings(saved).output_device == ""
    assert len(spans) >= 2, "the test sentence and the voice sample were not both heard"
    assert spans[0][1] - spans[0][0] > 1.0
