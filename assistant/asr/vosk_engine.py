"""The vosk (Kaldi) speech engine: two recognizers fed the same audio.

One decodes with the model's whole vocabulary (the transcript), the other only
the command sentences plus vosk's unknown-word path `[unk]` (the command reading).
A command reading counts only when it is exactly one command sentence: vosk's
grammar lets phrases repeat and mix, and some models (the small Korean one) have
no `[unk]`, so out-of-grammar talk comes back as a string of command words.
Small vosk models compile a grammar at run time; big static-graph models cannot,
and then the command reading is the transcript when it is exactly a command.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from assistant.asr.base import Hypothesis, Recognition, Word
from assistant.audio import SAMPLE_RATE, SAMPLE_WIDTH, AudioChunk
from assistant.errors import EngineError, ModelError
from assistant.model_catalog import missing_model_files

log = logging.getLogger(__name__)

UNKNOWN = "[unk]"


class VoskEngine:
    """`SpeechEngine` on a vosk model folder."""

    name = "vosk"

    def __init__(self, model_path: Path | str, sample_rate: int = SAMPLE_RATE) -> None:
        self.model_path = Path(model_path)
        self.sample_rate = sample_rate
        missing = missing_model_files(self.model_path)
        if missing:
            what = "does not exist" if not self.model_path.is_dir() else (
                f"is not a vosk model (it has no {missing[0]})")
            raise ModelError(f"The vosk model folder {self.model_path} {what}.",
                             "Run `hearth models install`, or give --model the folder that "
                             "holds am/ and conf/.")
        self._vosk = _import_vosk()
        self._vosk.SetLogLevel(-1)
        try:
            self._model = self._vosk.Model(str(self.model_path))
            self._full = self._recognizer(None)
        except Exception as error:  # vosk raises bare Exception for unreadable model files
            raise ModelError(f"The vosk model in {self.model_path} is damaged and cannot be "
                             "loaded.", "Remove it and install it again with "
                             "`hearth models install`.") from error
        self.grammar_supported = _has_runtime_graph(self.model_path)
        self._has_unknown = self._model.vosk_model_find_word(UNKNOWN) >= 0
        self._grammar: Any = None
        self.commands: tuple[str, ...] = ()
        self._fed: dict[int, int] = {}
        self._utterance_start: dict[int, int] = {}
        self._segments: dict[int, list[dict[str, Any]]] = {}
        self.start()

    def set_commands(self, sentences: Sequence[str]) -> None:
        """Limit the command reading to `sentences`; ones with words the model does not know
        are left out (vosk would silently drop the word and misrecognize the rest)."""
        kept: list[str] = []
        unknown: set[str] = set()
        for sentence in sentences:
            words = sentence.lower().split()
            missing = [w for w in words if self._model.vosk_model_find_word(w) < 0]
            unknown.update(missing)
            text = " ".join(words)
            if words and not missing and text not in kept:
                kept.append(text)
        if unknown:
            log.warning("The vosk model %s does not know %s; command sentences with them are "
                        "left out.", self.model_path.name, ", ".join(sorted(unknown)))
        self.commands = tuple(kept)
        self._grammar = None
        if not kept:
            return
        if not self.grammar_supported:
            log.warning("The vosk model %s cannot restrict decoding to command sentences (it "
                        "has a static graph); commands are read from the transcript.",
                        self.model_path.name)
            return
        grammar = [*kept, UNKNOWN] if self._has_unknown else kept
        self._grammar = self._recognizer(json.dumps(grammar, ensure_ascii=False))
        self._fed[id(self._grammar)] = 0
        self.start()

    def start(self) -> None:
        for recognizer in self._recognizers():
            recognizer.Reset()
            self._utterance_start[id(recognizer)] = self._fed.get(id(recognizer), 0)
            self._segments[id(recognizer)] = []

    def accept(self, chunk: AudioChunk) -> None:
        if chunk.rate != self.sample_rate or chunk.channels != 1:
            raise EngineError(f"The vosk engine takes {self.sample_rate} Hz mono audio, not "
                              f"{chunk.rate} Hz with {chunk.channels} channels.",
                              "Convert the audio first (assistant.audio.Rechunker).")
        for recognizer in self._recognizers():
            key = id(recognizer)
            self._fed[key] = self._fed.get(key, 0) + len(chunk.audio) // SAMPLE_WIDTH
            if recognizer.AcceptWaveform(chunk.audio):  # vosk found a pause: keep that part
                self._segments[key].append(json.loads(recognizer.Result()))

    def finish(self) -> Recognition:
        transcript = self._hypothesis(self._full)
        command = transcript if self._grammar is None else self._hypothesis(self._grammar)
        self.start()
        if not command.text or command.text not in self.commands:
            # [unk], silence, or several command words strung together: not one command.
            return Recognition(transcript, None)
        lowest = min((w.confidence for w in command.words), default=command.confidence)
        return Recognition(transcript, Hypothesis(command.text, command.words, lowest))

    def _hypothesis(self, recognizer: Any) -> Hypothesis:
        key = id(recognizer)
        results = [*self._segments[key], json.loads(recognizer.FinalResult())]
        offset = self._utterance_start[key] / self.sample_rate
        words = tuple(
            Word(str(item["word"]).lower(), _seconds(float(item["start"]) - offset),
                 _seconds(float(item["end"]) - offset), float(item.get("conf", 1.0)))
            for result in results for item in result.get("result", [])
            if item.get("word") != UNKNOWN)
        if any(UNKNOWN in result.get("text", "").split() for result in results):
            return Hypothesis("", words, 0.0)
        confidence = sum(w.confidence for w in words) / len(words) if words else 0.0
        return Hypothesis(" ".join(w.text for w in words), words, confidence)

    def _recognizers(self) -> list[Any]:
        return [self._full] if self._grammar is None else [self._full, self._grammar]

    def _recognizer(self, grammar: str | None) -> Any:
        if grammar is None:
            recognizer = self._vosk.KaldiRecognizer(self._model, self.sample_rate)
        else:
            recognizer = self._vosk.KaldiRecognizer(self._model, self.sample_rate, grammar)
        recognizer.SetWords(True)
        return recognizer


def _seconds(value: float) -> float:
    return round(max(0.0, value), 3)


def _has_runtime_graph(path: Path) -> bool:
    """Lookahead models (HCLr.fst + Gr.fst) take a grammar at run time; HCLG.fst ones do not."""
    return any((path / graph / "HCLr.fst").is_file() and (path / graph / "Gr.fst").is_file()
               for graph in ("graph", "."))


def _import_vosk() -> Any:
    try:
        import vosk
    except ImportError as error:
        raise EngineError("The vosk speech engine is not installed.",
                          "Install it with: pip install vosk") from error
    return vosk
