"""The benchmark corpus generator runs and writes consistent manifests (quick subset)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "benchmarks" / "make_corpus.py"
INTENTS = {"start_game", "next", "repeat", "skip", "pause", "resume", "stop", "help"}

pytestmark = pytest.mark.skipif(
    not (shutil.which("flite") and shutil.which("espeak-ng")),
    reason="needs the flite and espeak-ng speech synthesizers",
)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("corpus")
    subprocess.run(
        [sys.executable, str(SCRIPT), "--out", str(out), "--split", "dev", "--quick"],
        check=True, capture_output=True, text=True, timeout=120,
    )
    return out


def manifest(corpus: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))
    return data


def labels(corpus: Path, entry: dict[str, Any]) -> list[dict[str, Any]]:
    text = (corpus / entry["labels"]).read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines()]


def test_every_listed_file_exists_with_its_duration(corpus: Path) -> None:
    for entry in manifest(corpus)["files"]:
        info = soundfile.info(str(corpus / entry["path"]))
        assert info.samplerate == 16_000 and info.channels == 1
        assert info.duration == pytest.approx(entry["duration"], abs=0.01)
        assert entry["duration"] > 0


def test_commands_have_intents_and_times_inside_their_file(corpus: Path) -> None:
    commands = [e for e in manifest(corpus)["files"] if e["kind"] == "commands"]
    assert {e["condition"] for e in commands} >= {"clean", "pink15", "babble12"}
    for entry in commands:
        spoken = labels(corpus, entry)
        assert spoken
        for command in spoken:
            assert command["intent"] in INTENTS
            assert 0 <= command["start"] < command["end"] <= entry["duration"]
            if command["intent"] == "start_game":
                assert command["slots"]["game"]


def test_conversation_holds_no_commands(corpus: Path) -> None:
    data = manifest(corpus)
    assert data["contains_commands"]["conversation"] is False
    talk = [e for e in data["files"] if e["kind"] == "conversation"]
    assert talk
    for entry in talk:
        assert all(u["intent"] is None for u in labels(corpus, entry))


def test_same_seed_gives_the_same_commands(corpus: Path, tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, str(SCRIPT), "--out", str(tmp_path), "--split", "dev", "--quick"],
        check=True, capture_output=True, text=True, timeout=120,
    )
    first = (corpus / "commands" / "clean" / "commands.jsonl").read_text(encoding="utf-8")
    again = (tmp_path / "commands" / "clean" / "commands.jsonl").read_text(encoding="utf-8")
    assert first == again


CEILING = REPO / "benchmarks" / "bench_ceiling.py"


def ceiling(corpus: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(CEILING), str(corpus), *args],
                          capture_output=True, text=True, timeout=300)


def ceiling_row(output: str, condition: str) -> tuple[int, int]:
    for line in output.splitlines():
        cells = line.split()
        if cells[:1] == [condition] and len(cells) == 4 and cells[3].endswith("%"):
            return int(cells[1]), int(cells[2])
    raise AssertionError(f"no {condition} row in:\n{output}")


def test_ceiling_benchmark_picks_the_spoken_sentence(corpus: Path) -> None:
    run = ceiling(corpus, "--conditions", "clean", "--by-voice")
    assert run.returncode == 0, run.stderr
    right, total = ceiling_row(run.stdout, "clean")
    entry = next(e for e in manifest(corpus)["files"]
                 if e["kind"] == "commands" and e["condition"] == "clean")
    assert total == len(labels(corpus, entry))
    assert right >= 0.8 * total  # the dev corpus measures 99% clean


def test_ceiling_benchmark_hears_the_audio_not_the_labels(corpus: Path, tmp_path: Path) -> None:
    """Noise in place of the speech: forced onto some sentence, few come out right."""
    copy = tmp_path / "corpus"
    shutil.copytree(corpus, copy)
    wav = copy / "commands" / "clean" / "commands.wav"
    length = soundfile.info(str(wav)).frames
    noise = np.random.default_rng(7).normal(0.0, 0.02, length)
    soundfile.write(str(wav), noise, 16_000, subtype="PCM_16")
    run = ceiling(copy, "--conditions", "clean")
    assert run.returncode == 0, run.stderr
    right, total = ceiling_row(run.stdout, "clean")
    assert right <= 0.4 * total


def test_ceiling_benchmark_without_a_corpus_says_how_to_make_one(tmp_path: Path) -> None:
    run = ceiling(tmp_path / "nowhere")
    assert run.returncode == 2
    assert "make_corpus.py" in run.stderr and "Traceback" not in run.stderr
