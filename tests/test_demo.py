"""`hearth demo`: the real CLI runs a simulated evening; its transcript and WAV are checked."""

from __future__ import annotations

import itertools
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import soundfile

from assistant.demo import load_script, partner_names, stamp
from assistant.intents import load_intents
from assistant.settings import Settings

LINE = re.compile(r"^\[(\d\d):(\d\d\.\d)\] (.+?): (.*)$")
NAMES = ("Sam", "Alex")
REQUIRED = ["start_game(game=remember_when)", "next()", "repeat()", "skip()", "pause()",
            "resume()", "start_game(game=dreams)", "stop()"]


@dataclass(frozen=True)
class Line:
    at: float
    who: str
    text: str


@dataclass(frozen=True)
class DemoRun:
    lines: list[Line]
    stdout: str
    wav: Path


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    folder = tmp_path_factory.mktemp("demo")
    wav = folder / "evening.wav"
    env = {**os.environ, "HEARTH_CONFIG": str(folder / "none.toml"),
           "HEARTH_DATA_HOME": str(folder / "data")}
    result = subprocess.run([sys.executable, "-m", "assistant", "demo", "--out", str(wav)],
                            capture_output=True, text=True, env=env, timeout=240, check=False)
    assert result.returncode == 0, result.stderr
    lines = []
    for raw in result.stdout.splitlines():
        match = LINE.match(raw)
        if match:
            minutes, seconds, who, text = match.groups()
            lines.append(Line(int(minutes) * 60 + float(seconds), who, text))
    return DemoRun(lines, result.stdout, wav)


def _heard(run: DemoRun) -> list[str]:
    return [line.text for line in run.lines if line.who == "heard"]


@pytest.mark.slow
def test_every_required_command_is_heard_in_order(demo_run: DemoRun) -> None:
    heard = iter(_heard(demo_run))
    for command in REQUIRED:
        assert any(text == command for text in heard), f"{command} missing or out of order"


@pytest.mark.slow
def test_commands_are_heard_from_the_partners_audio_not_from_the_script(
    demo_run: DemoRun
) -> None:
    spoken = [line for line in demo_run.lines if line.who in NAMES]
    heard = _heard(demo_run)
    assert len(spoken) >= len(REQUIRED) + 6
    assert any(text.startswith("(talk)") for text in heard), "conversation taken as commands"


@pytest.mark.slow
def test_prompts_alternate_between_the_two_partners(demo_run: DemoRun) -> None:
    prompts = [line.text for line in demo_run.lines if line.who == "Hearth (prompt)"]
    assert len(prompts) >= 4
    first_named = [min(NAMES, key=lambda n: p.find(n) if n in p else len(p)) for p in prompts]
    distinct = [name for i, name in enumerate(first_named)
                if i == 0 or prompts[i] != prompts[i - 1]]
    assert set(distinct) == set(NAMES)
    assert all(a != b for a, b in itertools.pairwise(distinct)), distinct


@pytest.mark.slow
def test_the_evening_ends_with_the_closing_and_a_summary(demo_run: DemoRun) -> None:
    whos = [line.who for line in demo_run.lines]
    last_stop = max(i for i, line in enumerate(demo_run.lines) if line.text == "stop()")
    assert "Hearth (closing)" in whos
    assert any(who.startswith("Hearth") for who in whos[last_stop:])
    assert "Commands spoken:" in demo_run.stdout
    assert str(demo_run.wav.resolve()) in demo_run.stdout


@pytest.mark.slow
def test_the_wav_holds_the_whole_evening(demo_run: DemoRun) -> None:
    info = soundfile.info(str(demo_run.wav))
    assert (info.samplerate, info.channels) == (16000, 1)
    last = demo_run.lines[-1].at
    assert last - 0.1 <= info.duration <= last + 8.0  # stamps are rounded to 0.1 s


def test_the_script_only_expects_commands_hearth_knows() -> None:
    catalog = load_intents()
    games = {value.name for value in catalog.slot_list("game").values}
    for step in load_script().steps:
        if step.expect:
            assert step.expect in catalog.intents()
            assert set(step.slots.values()) <= games


def test_partners_voices_are_not_hearths_voice() -> None:
    voices = load_script().voices
    assert voices[0] != voices[1]
    assert all(voice.synthesizer != "espeak-ng" for voice in voices)


def test_partner_names_come_from_the_config_else_sam_and_alex() -> None:
    assert partner_names(Settings(partners=("Maya", "Jo"))) == ("Maya", "Jo")
    assert partner_names(Settings()) == NAMES
    assert partner_names(Settings(partners=("Alex",))) == ("Alex", "Sam")


def test_transcript_stamps_read_as_minutes_and_seconds() -> None:
    assert stamp(0) == "00:00.0"
    assert stamp(59.96) == "01:00.0"
    assert stamp(187.57) == "03:07.6"


@pytest.mark.slow
def test_run_without_a_microphone_plays_the_demo_instead(tmp_path: Path) -> None:
    """The README's first command (`hearth run --demo-if-no-mic`) on a machine with no
    microphone: one line saying so, then the demo evening, written beside it."""
    env = {**os.environ, "HEARTH_CONFIG": str(tmp_path / "none.toml"),
           "HEARTH_DATA_HOME": str(tmp_path / "data")}
    result = subprocess.run(
        [sys.executable, "-m", "assistant", "run", "--demo-if-no-mic", "--input-device",
         "no such microphone"], capture_output=True, text=True, env=env, timeout=240,
        check=False, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    first = result.stdout.splitlines()[0]
    assert first.startswith("No usable microphone (") and first.endswith("the demo instead.")
    assert "Commands spoken:" in result.stdout
    assert (tmp_path / "hearth-demo.wav").stat().st_size > 0
    assert "Traceback" not in result.stderr
