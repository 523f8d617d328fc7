"""How far the acoustic model alone can go: a closed-set ceiling for command acceptance.

    python benchmarks/bench_ceiling.py corpus/dev [--conditions clean,pink15]
        [--padding 0.3] [--by-voice]

For each corpus file of spoken commands, pocketsphinx (Hearth's model, search settings
and comfort noise) decodes every labelled command with a grammar holding *exactly the
sentences spoken in that file* and nothing else. Every utterance is forced onto one of
them: no talk to reject, no phrasing the templates lack, no endpointing. The share it
gets right is an upper bound for what any rejection or matching built on this acoustic
model can reach on that audio; `bench_listen.py` measures what Hearth actually reaches.
It is a measurement: it exits 0 whatever the numbers are.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import common
import numpy as np
import soundfile
from common import CorpusFile, LabelledUtterance

from assistant.asr.comfort_noise import ComfortNoise
from assistant.asr.pocketsphinx_engine import (
    PocketsphinxEngine,
    read_dictionary,
    spell_sentences,
)
from assistant.audio import SAMPLE_RATE

Label = tuple[str, tuple[tuple[str, str], ...]]
"""An intent with its slots, comparable."""


@dataclass(frozen=True)
class Trial:
    """One command decoded against the closed set."""

    condition: str
    voice: str
    right: bool


def label_of(command: LabelledUtterance) -> Label:
    return (command.intent or "", tuple(sorted(command.slots.items())))


def sentence_of(text: str, known: dict[str, list[str]]) -> str:
    """The synthesizer's input as dictionary words ("" when none are known)."""
    spelled = spell_sentences([re.sub(r"[^A-Za-z' -]", " ", text)], known)
    return spelled[0] if spelled else ""


def grammar(sentences: list[str]) -> str:
    alternatives = " | ".join(f"( {sentence} )" for sentence in sentences)
    return f"#JSGF V1.0;\ngrammar spoken;\npublic <command> = {alternatives};\n"


@dataclass(frozen=True)
class Model:
    """pocketsphinx's bundled en-us model, as the engine uses it."""

    folder: Path
    known: dict[str, list[str]]
    """The pronouncing dictionary, read once."""

    @classmethod
    def bundled(cls) -> Model:
        import pocketsphinx

        folder = Path(pocketsphinx.get_model_path()) / "en-us"
        return cls(folder, read_dictionary(folder / "cmudict-en-us.dict"))

    def closed_decoder(self, jsgf: str) -> Any:
        import pocketsphinx

        with tempfile.TemporaryDirectory(prefix="hearth-ceiling-") as folder:
            path = Path(folder) / "spoken.gram"
            path.write_text(jsgf, encoding="utf-8")
            return pocketsphinx.Decoder(
                hmm=str(self.folder / "en-us"), dict=str(self.folder / "cmudict-en-us.dict"),
                jsgf=str(path), loglevel="FATAL", **PocketsphinxEngine.decoder_options)


def decode(decoder: Any, audio: bytes) -> str:
    decoder.start_utt()
    decoder.process_raw(audio, False, True)
    decoder.end_utt()
    hypothesis = decoder.hyp()
    return str(hypothesis.hypstr) if hypothesis is not None else ""


def run_file(root: Path, item: CorpusFile, padding: float, model: Model) -> list[Trial]:
    commands = [c for c in common.read_labels(root / str(item.labels)) if c.intent]
    sentences = {c.text: sentence_of(c.text, model.known) for c in commands}
    labels_of: dict[str, set[Label]] = defaultdict(set)
    for command in commands:
        if sentences[command.text]:  # a sentence of unknown words only counts as missed
            labels_of[sentences[command.text]].add(label_of(command))
    spoken = sorted(labels_of)
    if not spoken:
        return [Trial(item.condition, c.voice.split("@")[0], False) for c in commands]
    decoder = model.closed_decoder(grammar(spoken))
    samples, rate = soundfile.read(str(root / item.path), dtype="int16")
    if rate != SAMPLE_RATE or samples.ndim != 1:
        raise SystemExit(f"{item.path}: expected 16 kHz mono, as make_corpus.py writes.")
    comfort = ComfortNoise()  # the engine's floor: 30 dB under speech
    trials = []
    for command in commands:
        first = max(0, round((command.start - padding) * SAMPLE_RATE))
        last = round((command.end + padding) * SAMPLE_RATE)
        piece = np.ascontiguousarray(samples[first:last])
        comfort.start_utterance()
        audio = comfort.add(piece.tobytes()) + comfort.flush()
        comfort.end_utterance()
        heard = decode(decoder, audio)
        right = label_of(command) in labels_of.get(heard, set())
        trials.append(Trial(item.condition, command.voice.split("@")[0], right))
    return trials


def report(trials: list[Trial], by_voice: bool) -> None:
    conditions = list(dict.fromkeys(t.condition for t in trials))
    print("\nClosed-set ceiling (only the sentences spoken; every utterance forced onto one)")
    print(f"  {'condition':<10} {'right':>6} {'total':>6} {'%':>7}")
    for condition in conditions:
        mine = [t for t in trials if t.condition == condition]
        right = sum(t.right for t in mine)
        print(f"  {condition:<10} {right:>6} {len(mine):>6} {100.0 * right / len(mine):>6.1f}%")
    if not by_voice:
        return
    print(f"\n  {'voice':<32}" + "".join(f"{c:>10}" for c in conditions))
    for voice in sorted({t.voice for t in trials}):
        cells = []
        for condition in conditions:
            mine = [t for t in trials if t.voice == voice and t.condition == condition]
            right = sum(t.right for t in mine)
            cells.append(f"{100.0 * right / len(mine):>9.0f}%" if mine else f"{'-':>10}")
        print(f"  {voice:<32}" + "".join(cells))


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus", type=Path, help="folder written by make_corpus.py")
    parser.add_argument("--conditions", default="",
                        help="comma-separated conditions (default: all)")
    parser.add_argument("--padding", type=float, default=0.3,
                        help="seconds of audio kept around each command (default 0.3)")
    parser.add_argument("--by-voice", action="store_true", help="also show each voice")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    wanted = {c for c in args.conditions.split(",") if c}
    try:
        files = [f for f in common.read_manifest(args.corpus)
                 if f.kind == "commands" and f.labels and (not wanted or f.condition in wanted)]
    except FileNotFoundError:
        print(f"No corpus at {args.corpus}: make one with benchmarks/make_corpus.py.",
              file=sys.stderr)
        return 2
    if not files:
        print(f"No command files for those conditions in {args.corpus}.", file=sys.stderr)
        return 2
    model = Model.bundled()
    trials: list[Trial] = []
    for number, item in enumerate(files, 1):
        began = time.monotonic()
        found = run_file(args.corpus, item, args.padding, model)
        trials += found
        print(f"  [{number}/{len(files)}] {item.path}: {len(found)} commands "
              f"({time.monotonic() - began:.0f} s)", flush=True)
    report(trials, args.by_voice)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
