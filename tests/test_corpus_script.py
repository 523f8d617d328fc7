"""The benchmark corpus generator runs and writes consistent manifests (quick subset)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

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
