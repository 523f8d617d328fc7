"""Build the listening benchmark corpus: spoken commands, couple conversation, read speech.

    python benchmarks/make_corpus.py --out corpus/dev --split dev
    python benchmarks/make_corpus.py --out corpus/heldout --split heldout
    python benchmarks/make_corpus.py --out /tmp/tiny --split dev --quick

Everything is seeded, so the same command builds the same corpus. Phrasings,
conversation sentences and voices come from `benchmarks/data/`; dev and
held-out data never overlap. See `common.py` for the manifest format.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import tomllib
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import common
import numpy as np
from common import CorpusFile

from assistant.audio import SAMPLE_RATE, write_wav
from assistant.voices import SynthVoice

DATA = Path(__file__).resolve().with_name("data")
READ_SPEECH = Path("/usr/share/pocketsphinx/test/data")
COMMAND_CONDITIONS = ("clean", "pink15", "babble12", "reverb")
CONVERSATION_CONDITIONS = ("clean", "pink15", "babble12")


@dataclass(frozen=True)
class Phrase:
    """A way to say a command."""

    text: str
    intent: str | None
    slots: dict[str, str]


@dataclass(frozen=True)
class SplitData:
    """Everything `benchmarks/data/` says about one split."""

    phrases: list[Phrase]
    prefixes: list[str]
    prefix_share: float
    voices: list[SynthVoice]
    babble_voices: list[SynthVoice]
    rates: list[float]
    sentences: list[str]
    babble_sentences: list[str]


@dataclass(frozen=True)
class Sizes:
    """How much of each kind to make."""

    command_repeats: int
    """Each phrasing is spoken this many times, by different voices."""
    conversation_files: int
    conversation_seconds: float
    """Target length of each conversation file."""
    babble_seconds: float
    """Length of the looped background-talker recording."""
    read_speech_files: int | None
    phrases_per_entry: int | None
    """Quick mode: only the first phrasings of each intent/slot entry."""


SIZES = {
    "dev": Sizes(2, 10, 395.0, 60.0, None, None),
    "heldout": Sizes(2, 3, 360.0, 60.0, None, None),
}
QUICK = Sizes(1, 1, 25.0, 8.0, 2, 1)


def load_toml(name: str) -> dict[str, Any]:
    with (DATA / name).open("rb") as handle:
        return tomllib.load(handle)


def load_phrases(name: str, limit: int | None) -> tuple[list[Phrase], list[str], float]:
    data = load_toml(name)
    phrases = [
        Phrase(str(text), str(entry["intent"]), {str(k): str(v) for k, v in entry["slots"].items()})
        for entry in data["command"]
        for text in entry["phrases"][:limit]
    ]
    return phrases, [str(p) for p in data["prefixes"]], float(data["prefix_share"])


def expand_sentences(data: dict[str, Any], rng: random.Random) -> list[str]:
    """Hand-written sentences plus `count` combinations drawn from each pattern."""
    sentences = [str(s) for s in data["sentences"]]
    for pattern in data.get("pattern", []):
        parts: dict[str, list[str]] = pattern["parts"]
        names = list(parts)
        combos: list[tuple[str, ...]] = [()]
        for name in names:
            combos = [(*combo, value) for combo in combos for value in parts[name]]
        for combo in rng.sample(combos, min(int(pattern["count"]), len(combos))):
            values = dict(zip(names, combo, strict=True))
            sentences.append(str(pattern["template"]).format(**values))
    return list(dict.fromkeys(sentences))


def to_voice(row: dict[str, str]) -> SynthVoice:
    return SynthVoice(row["synthesizer"], row["voice"])


def load_split(split: str, sizes: Sizes, rng: random.Random) -> SplitData:
    phrases, prefixes, share = load_phrases(f"commands_{split}.toml", sizes.phrases_per_entry)
    voices = load_toml("voices.toml")[split]
    return SplitData(
        phrases=phrases,
        prefixes=prefixes,
        prefix_share=share,
        voices=[to_voice(row) for row in voices["voices"]],
        babble_voices=[to_voice(row) for row in voices["babble"]],
        rates=[float(rate) for rate in voices["rates"]],
        sentences=expand_sentences(load_toml(f"conversation_{split}.toml"), rng),
        babble_sentences=[str(s) for s in load_toml("babble.toml")["sentences"]],
    )


def with_rate(voice: SynthVoice, rates: list[float], rng: random.Random) -> SynthVoice:
    return SynthVoice(voice.synthesizer, voice.voice, rng.choice(rates))


def plan_commands(data: SplitData, sizes: Sizes, rng: random.Random) -> list[common.Line]:
    """Every phrasing `command_repeats` times, each time by another voice and speed."""
    step = max(1, len(data.voices) // max(1, sizes.command_repeats))
    lines: list[common.Line] = []
    for repeat in range(sizes.command_repeats):
        for index, phrase in enumerate(data.phrases):
            voice = data.voices[(index + repeat * step) % len(data.voices)]
            text = phrase.text
            if rng.random() < data.prefix_share:
                text = f"{rng.choice(data.prefixes)} {text}"
            slots = tuple(sorted(phrase.slots.items()))
            lines.append(
                common.Line(text, with_rate(voice, data.rates, rng), phrase.intent, slots)
            )
    rng.shuffle(lines)
    return lines


def plan_conversation(
    data: SplitData, sizes: Sizes, rng: random.Random
) -> list[list[list[common.Line]]]:
    """Files of turns of sentences; two partners alternate, sentences cycle through the pool."""
    pool: list[str] = []
    files = []
    for number in range(sizes.conversation_files):
        partners = rng.sample(data.voices, 2) if len(data.voices) > 1 else data.voices * 2
        turns: list[list[common.Line]] = []
        estimate = 0.0
        while estimate < sizes.conversation_seconds:
            speaker = partners[len(turns) % 2]
            turn = []
            for _ in range(rng.choice((1, 1, 2, 2, 3))):
                if not pool:
                    pool = list(data.sentences)
                    rng.shuffle(pool)
                voice = with_rate(speaker, data.rates, rng)
                turn.append(common.Line(pool.pop(), voice))
                estimate += common.estimated_seconds(turn[-1]) + 0.7
            turns.append(turn)
        print(f"  conversation {number + 1}: {len(turns)} turns, ~{estimate / 60:.1f} min planned")
        files.append(turns)
    return files


def plan_babble(data: SplitData, sizes: Sizes, rng: random.Random) -> list[list[common.Line]]:
    """Per background talker, enough unrelated sentences to fill the babble loop."""
    talkers = []
    for voice in data.babble_voices:
        lines: list[common.Line] = []
        while sum(common.estimated_seconds(line) + 0.4 for line in lines) < sizes.babble_seconds:
            text = rng.choice(data.babble_sentences)
            lines.append(common.Line(text, with_rate(voice, data.rates, rng)))
        talkers.append(lines)
    return talkers


def synthesize_all(lines: list[common.Line], jobs: int) -> dict[common.Line, common.Floats]:
    """Speak every distinct line once, in a process pool."""
    unique = list(dict.fromkeys(lines))
    print(f"synthesizing {len(unique)} utterances with {jobs} processes…", flush=True)
    started = time.monotonic()
    audio: dict[common.Line, common.Floats] = {}
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        speeches = pool.map(common.speak, unique, chunksize=4)
        for done, (line, samples) in enumerate(zip(unique, speeches, strict=True), start=1):
            audio[line] = samples
            if done % 200 == 0 or done == len(unique):
                print(f"  {done}/{len(unique)} ({time.monotonic() - started:.0f} s)", flush=True)
    return audio


def write_condition_files(
    out: Path,
    relative: str,
    kind: str,
    track: common.Track,
    conditions: tuple[str, ...],
    noise: common.NoiseMaker,
) -> list[CorpusFile]:
    """The same clean track in every condition, with its labels next to it."""
    files = []
    for condition in conditions:
        wav = Path(kind) / condition / f"{relative}.wav"
        labels = wav.with_suffix(".jsonl")
        write_wav(out / wav, noise.render(track, condition))
        common.write_labels(out / labels, track.labels)
        files.append(CorpusFile(str(wav), kind, condition, track.duration, str(labels)))
    return files


def read_speech_files(out: Path, limit: int | None) -> list[CorpusFile]:
    """Debian's pocketsphinx-testdata recordings (real people reading) as 16 kHz WAV."""
    sources = sorted([*READ_SPEECH.rglob("*.wav"), *READ_SPEECH.rglob("*.raw")])[:limit]
    if not sources:
        print(f"  no recordings under {READ_SPEECH}: install pocketsphinx-testdata")
    files = []
    for source in sources:
        samples = common.load_recording(source)
        name = "_".join(source.relative_to(READ_SPEECH).with_suffix(".wav").parts)
        wav = Path("read_speech") / "clean" / name
        write_wav(out / wav, samples)
        duration = len(samples) / SAMPLE_RATE
        files.append(CorpusFile(str(wav), "read_speech", "clean", duration, None, str(source)))
    return files


def build(out: Path, split: str, quick: bool, seed: int, jobs: int) -> list[CorpusFile]:
    sizes = QUICK if quick else SIZES[split]
    rng = random.Random(f"{seed}-{split}")
    data = load_split(split, sizes, rng)
    print(
        f"{split}: {len(data.phrases)} command phrasings, {len(data.sentences)} conversation "
        f"sentences, {len(data.voices)} voices",
        flush=True,
    )
    commands = plan_commands(data, sizes, rng)
    conversations = plan_conversation(data, sizes, rng)
    babble = plan_babble(data, sizes, rng)
    everything = [*commands, *(line for talker in babble for line in talker)]
    everything += [line for turns in conversations for turn in turns for line in turn]
    audio = synthesize_all(everything, jobs)

    noise = common.NoiseMaker(np.random.default_rng(rng.randrange(2**32)), babble, audio)
    print("mixing commands…", flush=True)
    track = common.command_track(commands, audio, rng)
    files = write_condition_files(out, "commands", "commands", track, COMMAND_CONDITIONS, noise)
    for number, turns in enumerate(conversations, start=1):
        print(f"mixing conversation {number}/{len(conversations)}…", flush=True)
        track = common.conversation_track(turns, audio, rng)
        name = f"conversation_{number:02d}"
        files += write_condition_files(
            out, name, "conversation", track, CONVERSATION_CONDITIONS, noise
        )
    print("copying read speech…", flush=True)
    files += read_speech_files(out, sizes.read_speech_files)
    info = {
        "split": split,
        "seed": seed,
        "quick": quick,
        "made_by": "benchmarks/make_corpus.py",
        "contains_commands": {"commands": True, "conversation": False, "read_speech": False},
        "command_phrasings": len(data.phrases),
        "conversation_sentences": len(data.sentences),
        "voices": [voice.label for voice in data.voices],
        "conditions": {
            "clean": "speech only",
            "pink15": "pink noise at 15 dB SNR over speech-active parts",
            "babble12": f"{len(data.babble_voices)} other talkers at 12 dB SNR",
            "reverb": "synthetic room response, RT60 0.45 s, equal direct and diffuse energy",
        },
        "microphone_floor_db": -common.MICROPHONE_SNR_DB,
    }
    common.write_manifest(out, files, info)
    return files


def report(files: list[CorpusFile]) -> None:
    for kind, per_condition in common.totals(files).items():
        text = ", ".join(f"{name} {secs / 60:.1f} min" for name, secs in per_condition.items())
        print(f"  {kind}: {text}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, required=True, help="corpus folder to write")
    parser.add_argument("--split", choices=sorted(SIZES), default="dev")
    parser.add_argument("--quick", action="store_true", help="a tiny subset, for tests")
    parser.add_argument("--seed", type=int, default=20_240)
    parser.add_argument("--jobs", type=int, default=2, help="synthesizer processes")
    args = parser.parse_args(argv)
    started = time.monotonic()
    files = build(args.out, args.split, args.quick, args.seed, max(1, args.jobs))
    print(f"wrote {len(files)} files to {args.out} in {time.monotonic() - started:.0f} s")
    report(files)
    return 0


if __name__ == "__main__":
    sys.exit(main())
