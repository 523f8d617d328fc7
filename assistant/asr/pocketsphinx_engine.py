"""The built-in engine: pocketsphinx 5 with the en-us model its wheel ships.

Two readings per utterance, as `SpeechEngine` asks:

- transcript: a domain language model built at load time (the command sentences,
  weighted up, plus the few thousand most frequent English words as unigrams), so
  commands are heard well and other talk still comes out as ordinary words;
  decoded chunk by chunk while the person speaks, with word posteriors as
  per-word confidence;
- command: the most likely entry of the same decoding's n-best list that is a whole
  command sentence (after a filler or the wake word); failing that, for a short
  utterance, a second pass over its audio with a commands-only language model (a
  second search of the same decoder, so no second acoustic model in memory), kept
  only when it is acoustically believable: its words must fit the audio nearly as
  well as the free transcript's words did (a likelihood ratio per frame). A closed
  grammar would force talk onto commands; the ratio is what rejects that. Such a
  reading carries its own words (times and posteriors); an n-best reading has none.
  It need not be a whole command sentence ("um repeat that"): the matcher judges it, and
  since it was forced onto command words it must match a command nearly exactly and be
  wholly explained by it (`ListenOptions.strict_min_score`, `strict_min_coverage`).

Before either reading, the background of each utterance is filled up to a faint pink
noise floor 30 dB under the level of speech (`comfort_noise.py`): the model hears words
in silences far quieter than its training data's. Noisy audio is left as it was.
"""

from __future__ import annotations

import itertools
import math
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from assistant.asr.base import Hypothesis, Recognition, Word
from assistant.asr.comfort_noise import ComfortNoise
from assistant.asr.domain_lm import domain_lm
from assistant.audio import SAMPLE_RATE, SAMPLE_WIDTH, AudioChunk
from assistant.errors import EngineError, ModelError

FRAME_SECONDS = 0.01
GENERAL_WORDS = Path(__file__).with_name("general_words.tsv")
COMMAND_SEARCH = "commands"
FILLERS = ("um", "uh", "so", "okay", "well", "hey", "right", "alright", "oh")
"""Words people put before a command; the command reading looks past them."""


def _pocketsphinx() -> Any:
    try:
        import pocketsphinx
    except ImportError as error:
        raise EngineError("The pocketsphinx engine is not installed.",
                          "Reinstall Hearth: pip install 'pocketsphinx>=5'.") from error
    return pocketsphinx


def read_dictionary(path: Path) -> dict[str, list[str]]:
    """CMU dictionary: word → its pronunciation lines (alternates as `word(2)`)."""
    entries: dict[str, list[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        head, _, _ = line.partition(" ")
        entries.setdefault(head.split("(", 1)[0], []).append(line)
    return entries


def spell(word: str, known: dict[str, list[str]]) -> list[str]:
    """Dictionary words that say `word`: itself, its hyphenated parts, or a compound split
    into two known words ("startup" → "start up"); empty when none is found."""
    if word in known:
        return [word]
    parts = [part for part in re.split(r"[-_]", word) if part]
    if len(parts) > 1 and all(part in known for part in parts):
        return parts
    for cut in range(2, len(word) - 1):
        if word[:cut] in known and word[cut:] in known:
            return [word[:cut], word[cut:]]
    return []


def spell_sentences(sentences: Sequence[str], known: dict[str, list[str]]) -> list[str]:
    """Command sentences in dictionary words; unknown words are respelled or left out."""
    spelled: dict[str, list[str]] = {}
    result: set[str] = set()
    for sentence in sentences:
        spoken: list[str] = []
        for word in re.sub(r"[^a-z' -]", " ", sentence.lower()).split():
            if word not in spelled:
                spelled[word] = spell(word.strip("'"), known)
            spoken += spelled[word]
        if spoken:
            result.add(" ".join(spoken))
    return sorted(result)


class PocketsphinxEngine:
    """Incremental pocketsphinx decoding of one utterance at a time."""

    name = "pocketsphinx"
    decoder_options: dict[str, Any] = {  # noqa: RUF012
        "fwdflat": False, "maxhmmpf": 2000, "wip": 0.2}
    """Search settings. The second (flat) pass costs much more time for little gain here;
    capping the active HMMs per frame keeps noisy speech (babble) from costing several
    times what clean speech does.
    A smaller word insertion reward (default 0.65) keeps noise from becoming strings of
    short words. A heavier language weight (lw 9) was faster on babble but turned babble
    into command-like sentences: more wrong commands."""

    def __init__(self, general_words: int = 3000, general_share: float = 0.75,
                 nbest: int = 10, max_command_seconds: float = 5.0,
                 second_pass_seconds: float = 3.0, max_acoustic_loss: float = 0.6,
                 comfort_below_speech_db: float | None = 30.0) -> None:
        self._ps = _pocketsphinx()
        self._model = Path(self._ps.get_model_path()) / "en-us"
        if not (self._model / "en-us" / "mdef").exists():
            raise ModelError(f"The pocketsphinx model is missing from {self._model}.",
                             "Reinstall Hearth: pip install --force-reinstall pocketsphinx.")
        self._dictionary = read_dictionary(self._model / "cmudict-en-us.dict")
        self._general = self._read_general(general_words)
        self._general_share = general_share
        self._nbest = nbest
        self._max_command_seconds = max_command_seconds
        self._second_pass_bytes = round(second_pass_seconds * SAMPLE_RATE) * SAMPLE_WIDTH
        self._max_acoustic_loss = max_acoustic_loss
        """Most log-likelihood per frame the commands-only reading may lose to the free one."""
        self._comfort = (ComfortNoise(comfort_below_speech_db)
                         if comfort_below_speech_db is not None else None)
        """A faint noise floor this many dB under speech in quiet rooms (see
        comfort_noise.py); None for none."""
        self._audio: list[bytes] = []
        self._audio_bytes = 0
        self._default_search = ""
        self.sentences: list[str] = []
        self._sentence_set: frozenset[str] = frozenset()
        self._decoder: Any = None
        self._in_utterance = False

    def set_commands(self, sentences: Sequence[str]) -> None:
        self.sentences = spell_sentences(sentences, self._dictionary)
        self._sentence_set = frozenset(self.sentences)
        self._decoder = self._build(self.sentences)
        self._in_utterance = False

    def start(self) -> None:
        if self._decoder is None:
            self._decoder = self._build(self.sentences)
        if self._in_utterance:
            self._decoder.end_utt()
        self._decoder.start_utt()
        self._in_utterance = True
        self._audio, self._audio_bytes = [], 0
        if self._comfort is not None:
            self._comfort.start_utterance()

    def accept(self, chunk: AudioChunk) -> None:
        if not self._in_utterance:
            self.start()
        self._decode(self._comfort.add(chunk.audio) if self._comfort is not None
                     else chunk.audio)

    def _decode(self, audio: bytes) -> None:
        if not audio:
            return
        self._decoder.process_raw(audio, False, False)
        if self._audio_bytes <= self._second_pass_bytes:
            self._audio.append(audio)
            self._audio_bytes += len(audio)

    def finish(self) -> Recognition:
        if not self._in_utterance:
            self.start()
        if self._comfort is not None:
            self._decode(self._comfort.flush())
            self._comfort.end_utterance()
        self._decoder.end_utt()
        self._in_utterance = False
        transcript = _reading(self._decoder)
        command = self._command_reading(transcript)
        if command is None and transcript.text and self._audio_bytes <= self._second_pass_bytes:
            command = self._second_pass(_acoustic_score(self._decoder))
        self._audio, self._audio_bytes = [], 0
        return Recognition(transcript=transcript, command=command)

    def _second_pass(self, free_score: float) -> Hypothesis | None:
        """The commands-only reading of the stored audio, if it fits the audio nearly as
        well as the free reading did (log-likelihood per frame); the matcher decides
        whether it is a command."""
        if not self._sentence_set or not self._default_search:
            return None
        decoder = self._decoder
        decoder.activate_search(COMMAND_SEARCH)
        try:
            decoder.start_utt()
            decoder.process_raw(b"".join(self._audio), False, True)
            decoder.end_utt()
            frames = max(1, decoder.n_frames())
            reading = _reading(decoder)
            loss = (free_score - _acoustic_score(decoder)) / frames
        finally:
            decoder.activate_search(self._default_search)
        words = list(reading.words)
        while len(words) > 1 and words[0].text in FILLERS:
            words = words[1:]
        text = " ".join(word.text for word in words)
        if loss > self._max_acoustic_loss or not text:
            return None
        return Hypothesis(text, tuple(words), sum(w.confidence for w in words) / len(words))

    def _command_reading(self, transcript: Hypothesis) -> Hypothesis | None:
        if (not self._sentence_set or not transcript.text
                or self._decoder.n_frames() * FRAME_SECONDS > self._max_command_seconds):
            return None  # an n-best list of a long utterance is costly, and it is talk
        for rank, entry in enumerate(itertools.islice(self._decoder.nbest(), self._nbest)):
            if entry is None:
                continue  # pocketsphinx gives None for a path it cannot spell out
            words = [w for w in (entry.hypstr or "").split() if not w.startswith(("<", "["))]
            while len(words) > 1 and words[0] in FILLERS:
                words = words[1:]
            text = " ".join(words)
            if text in self._sentence_set:
                # Lower ranks in the n-best are less likely readings.
                return Hypothesis(text, (), transcript.confidence / (1.0 + 0.15 * rank))
        return None

    def _read_general(self, count: int) -> list[tuple[str, float]]:
        words: list[tuple[str, float]] = []
        for line in GENERAL_WORDS.read_text(encoding="utf-8").splitlines():
            if line.startswith("#") or not line.strip():
                continue
            word, logprob = line.split("\t")
            if word in self._dictionary:
                words.append((word, 10.0 ** float(logprob)))
        return words[:count]

    def _build(self, sentences: list[str]) -> Any:
        """Write the domain LM and the lexicon it needs to a scratch folder; load the decoder."""
        arpa = domain_lm(sentences, self._general, self._general_share)
        commands_arpa = domain_lm(sentences, self._general, 0.02) if sentences else ""
        vocabulary = {word for sentence in sentences for word in sentence.split()}
        vocabulary |= {word for word, _ in self._general} | set(FILLERS)
        with tempfile.TemporaryDirectory(prefix="hearth-ps-") as folder:
            lm_path, dict_path = Path(folder) / "domain.lm", Path(folder) / "domain.dict"
            lm_path.write_text(arpa, encoding="utf-8")
            lines = [line for word in sorted(vocabulary) for line in self._dictionary.get(word, [])]
            dict_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
            try:
                decoder = self._ps.Decoder(hmm=str(self._model / "en-us"), dict=str(dict_path),
                                           lm=str(lm_path), loglevel="FATAL",
                                           **self.decoder_options)
                self._default_search = decoder.current_search()
                if commands_arpa:
                    commands_path = Path(folder) / "commands.lm"
                    commands_path.write_text(commands_arpa, encoding="utf-8")
                    decoder.add_lm_file(COMMAND_SEARCH, str(commands_path))
                return decoder
            except RuntimeError as error:
                raise EngineError(f"pocketsphinx could not start ({error}).",
                                  "Reinstall Hearth, or try --engine vosk.") from error


def _acoustic_score(decoder: Any) -> float:
    """Log acoustic likelihood of the decoder's best path (silences and fillers included)."""
    return sum(math.log(max(float(segment.ascore), 1e-300))
               for segment in decoder.seg() or () if segment.word != "</s>")


def _reading(decoder: Any) -> Hypothesis:
    """The decoder's result as words with posteriors; fillers and silences left out."""
    hypothesis = decoder.hyp()
    if hypothesis is None:
        return Hypothesis("")
    words = []
    for segment in decoder.seg() or ():
        text = re.sub(r"\(\d+\)$", "", segment.word)
        if text.startswith(("<", "[")) or text in ("", "++"):
            continue
        words.append(Word(text, segment.start_frame * FRAME_SECONDS,
                          (segment.end_frame + 1) * FRAME_SECONDS,
                          min(1.0, max(0.0, float(segment.prob)))))
    text = " ".join(word.text for word in words)
    confidence = sum(w.confidence for w in words) / len(words) if words else 0.0
    return Hypothesis(text, tuple(words), confidence)
