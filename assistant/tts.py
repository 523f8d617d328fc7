"""Hearth's own voice: pyttsx3 (espeak-ng on Linux) rendered to audio Hearth plays itself.

Rendering to samples (instead of letting pyttsx3 play) means the live loop knows
exactly when speech starts and ends, and the demo can mix it into one WAV.
pyttsx3 keeps one engine per process and can stall on repeated `runAndWait`, so
every render runs with a timeout; after a failure Hearth re-creates the engine
once, then falls back to calling espeak-ng directly with the same voice, rate and
volume, and logs which one it uses.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import shutil
import subprocess
import sys
import tempfile
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from assistant.audio import SAMPLE_RATE, Samples, read_audio
from assistant.errors import AudioFormatError, SpeechOutputError
from assistant.settings import Settings

log = logging.getLogger(__name__)

INSTALL_FIX = "Install a voice with: sudo apt-get install espeak-ng (then run `hearth say hello`)."
RENDER_TIMEOUT = 20.0
"""Seconds one render may take before pyttsx3 is given up for this process."""
CACHE_SIZE = 64
_PAD = int(0.02 * SAMPLE_RATE)
"""Kept around trimmed speech so consonants at the edges are not clipped."""

_lock = threading.Lock()
_engine: Any = None
_default_voice = ""
_pyttsx3_broken = False
_pyttsx3_failures = 0


@dataclass(frozen=True)
class VoiceInfo:
    """One installed text-to-speech voice, as `hearth setup` lists them."""

    id: str
    """What goes in the config (`[voice] voice = ...`), e.g. `gmw/en-us`."""
    name: str
    """Human name, e.g. `English (America)`."""
    languages: tuple[str, ...] = ()
    gender: str = ""


class TextToSpeech:
    """Renders text with the configured voice, rate (wpm) and volume to 16 kHz mono int16."""

    def __init__(self, settings: Settings, backend: str = "auto") -> None:
        if backend not in ("auto", "pyttsx3", "espeak-ng"):
            raise ValueError(f"unknown text-to-speech backend {backend!r}")
        self.settings = settings
        self._forced = backend
        self._cache: OrderedDict[str, Samples] = OrderedDict()
        self._cache_lock = threading.Lock()
        self._voice_id = self._resolve_voice(settings.voice)
        self.backend = ""
        """`pyttsx3` or `espeak-ng`: which one rendered the last phrase."""

    @property
    def voice_id(self) -> str:
        """The resolved voice id; empty for the engine's default voice."""
        return self._voice_id

    def voices(self) -> list[VoiceInfo]:
        return list_voices()

    def render(self, text: str) -> Samples:
        """Speech for `text`, trimmed of leading and trailing silence (empty for blank text).

        Safe to call from several threads; renders run one at a time."""
        text = " ".join(text.split())
        if not text:
            return np.zeros(0, dtype=np.int16)
        with self._cache_lock:
            cached = self._cache.get(text)
            if cached is not None:
                self._cache.move_to_end(text)
                return cached
        samples = trim_silence(self._render_uncached(text))
        with self._cache_lock:
            self._cache[text] = samples
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return samples

    def _render_uncached(self, text: str) -> Samples:
        with _lock, tempfile.TemporaryDirectory(prefix="hearth-tts-") as folder:
            out = Path(folder) / "speech.wav"
            if self._forced != "espeak-ng" and not _pyttsx3_broken:
                samples = self._try_pyttsx3(text, out)
                if samples is not None:
                    return samples
            if self._forced == "pyttsx3":
                raise SpeechOutputError("pyttsx3 could not speak.", INSTALL_FIX)
            return self._render_espeak(text, out)

    def _try_pyttsx3(self, text: str, out: Path) -> Samples | None:
        global _pyttsx3_broken, _pyttsx3_failures
        for attempt in (1, 2, 3):
            try:
                # A fresh engine per phrase: the espeak driver's command queue sometimes
                # drops queued properties on a reused engine.
                engine = _pyttsx3_engine(fresh=True)
                engine.setProperty("voice", self._voice_id or _default_voice or None)
                engine.setProperty("rate", self.settings.rate)
                engine.setProperty("volume", self.settings.volume)
                engine.save_to_file(text, str(out))
                if not _run_with_timeout(engine, out):
                    log.warning("pyttsx3 did not finish within %.0f s; using espeak-ng directly",
                                RENDER_TIMEOUT)
                    with contextlib.suppress(Exception):
                        engine.stop()
                    _pyttsx3_broken = True
                    return None
                if not self._took_effect(engine):
                    raise RuntimeError("the voice, rate or volume was not applied")
                samples = read_audio(out)
                if samples.size:
                    self._note_backend("pyttsx3")
                    return samples
                raise RuntimeError("pyttsx3 wrote no audio")
            except (ImportError, RuntimeError, OSError, ValueError, KeyError,
                    AudioFormatError) as error:
                log.info("pyttsx3 failed (attempt %d): %s", attempt, error)
        _pyttsx3_failures += 1
        if _pyttsx3_failures >= 3:
            _pyttsx3_broken = True
            log.warning("text-to-speech: pyttsx3 keeps failing; using espeak-ng directly")
        else:
            log.warning("text-to-speech: pyttsx3 failed; this phrase comes from espeak-ng")
        return None

    def _took_effect(self, engine: Any) -> bool:
        wanted_voice = (self._voice_id or _default_voice).lower()
        return (int(engine.getProperty("rate")) == self.settings.rate
                and abs(float(engine.getProperty("volume")) - self.settings.volume) < 0.02
                and str(engine.getProperty("voice") or "").lower() == wanted_voice)

    def _render_espeak(self, text: str, out: Path) -> Samples:
        if shutil.which("espeak-ng") is None:
            raise SpeechOutputError("No text-to-speech engine works on this computer.",
                                    INSTALL_FIX)
        command = ["espeak-ng", "--stdin", "-s", str(self.settings.rate),
                   "-a", str(round(self.settings.volume * 100)), "-w", str(out)]
        if self._voice_id:
            command += ["-v", self._voice_id]
        try:
            result = subprocess.run(command, input=text, capture_output=True, text=True,
                                    timeout=RENDER_TIMEOUT, check=False)
        except subprocess.TimeoutExpired as error:
            raise SpeechOutputError("espeak-ng did not finish speaking in time.",
                                    INSTALL_FIX) from error
        if result.returncode != 0 or not out.exists():
            raise SpeechOutputError(f"espeak-ng could not speak: {result.stderr.strip()[:200]}",
                                    INSTALL_FIX)
        self._note_backend("espeak-ng")
        return read_audio(out)

    def _note_backend(self, backend: str) -> None:
        if backend != self.backend:
            log.info("text-to-speech: %s, voice %s, %d wpm, volume %.2f", backend,
                     self._voice_id or "default", self.settings.rate, self.settings.volume)
        self.backend = backend

    def _resolve_voice(self, wanted: str) -> str:
        """A voice id for `wanted` (an id, a name or a language, optionally `+variant`)."""
        wanted = wanted.strip()
        if not wanted:
            return ""
        base, plus, variant = wanted.partition("+")
        key = base.strip().lower()
        voices = list_voices()
        for voice in voices:
            if key in (voice.id.lower(), voice.name.lower(), voice.id.lower().split("/")[-1]):
                return voice.id + plus + variant
        for voice in voices:
            if key in (language.lower() for language in voice.languages):
                return voice.id + plus + variant
        english = ", ".join(v.id for v in voices if v.id.split("/")[-1].startswith("en"))
        raise SpeechOutputError(
            f"The text-to-speech voice {wanted!r} is not installed.",
            f"Set [voice] voice in the config to one of: {english or 'gmw/en'} "
            "(or leave it empty for the default), or run `hearth setup`.")


def trim_silence(samples: Samples, floor: int = 64) -> Samples:
    """Cut leading and trailing silence, keeping a short pad at each end."""
    if samples.size == 0:
        return samples
    threshold = max(floor, int(np.abs(samples.astype(np.int32)).max()) // 50)
    loud = np.flatnonzero(np.abs(samples.astype(np.int32)) > threshold)
    if loud.size == 0:
        return np.zeros(0, dtype=np.int16)
    start = max(0, int(loud[0]) - _PAD)
    end = min(samples.size, int(loud[-1]) + 1 + _PAD)
    return samples[start:end].copy()


def list_voices() -> list[VoiceInfo]:
    """Installed voices, from pyttsx3, else from `espeak-ng --voices`."""
    with _lock:
        if not _pyttsx3_broken:
            try:
                return [_voice_info(v) for v in _pyttsx3_engine().getProperty("voices")]
            except (ImportError, RuntimeError, OSError) as error:
                log.warning("pyttsx3 cannot list voices (%s); asking espeak-ng", error)
    if shutil.which("espeak-ng") is None:
        raise SpeechOutputError("No text-to-speech engine is installed.", INSTALL_FIX)
    listing = subprocess.run(["espeak-ng", "--voices"], capture_output=True, text=True,
                             timeout=RENDER_TIMEOUT, check=False).stdout
    voices = []
    for line in listing.splitlines()[1:]:
        parts = line.split()
        if len(parts) >= 5:
            gender = {"M": "Male", "F": "Female"}.get(parts[2][-1:], "")
            voices.append(VoiceInfo(parts[4].lower(), parts[3].replace("_", " "),
                                    (parts[1],), gender))
    return voices


def _voice_info(voice: Any) -> VoiceInfo:
    languages = tuple(str(language) for language in (voice.languages or ()))
    return VoiceInfo(str(voice.id), str(voice.name), languages, str(voice.gender or ""))


def _pyttsx3_engine(fresh: bool = False) -> Any:
    global _engine, _default_voice
    if fresh and _engine is not None:
        # The old driver must be gone before a new one installs its synth callback.
        _engine = None
        gc.collect()
    if _engine is None:
        import pyttsx3

        _engine = pyttsx3.init()
        _quiet_driver_prints()
        if not _default_voice:
            _default_voice = str(_engine.getProperty("voice") or "")
    return _engine


def _quiet_driver_prints() -> None:
    """The espeak driver prints "Audio saved to …" for every file. Swapping sys.stdout would
    also swallow other threads' output (the session prints while answers render in the
    background), so only that module's `print` is silenced."""
    driver = sys.modules.get("pyttsx3.drivers.espeak")
    if driver is not None:
        driver.print = lambda *args, **kwargs: None  # type: ignore[attr-defined]


def _run_with_timeout(engine: Any, out: Path) -> bool:
    """`runAndWait`, then wait for the file; False when either did not finish in time.

    The espeak driver synthesizes asynchronously and may return from `runAndWait`
    before the WAV is written, so completion is taken from its finished-utterance event.
    """
    failures: list[BaseException] = []
    finished = threading.Event()

    def run() -> None:
        try:
            engine.runAndWait()
        except Exception as error:  # re-raised in the caller's thread below
            failures.append(error)

    token = engine.connect("finished-utterance", lambda **_: finished.set())
    try:
        worker = threading.Thread(target=run, name="hearth-tts", daemon=True)
        worker.start()
        worker.join(RENDER_TIMEOUT)
        done = not worker.is_alive() and finished.wait(RENDER_TIMEOUT)
    finally:
        engine.disconnect(token)
    if failures:
        raise RuntimeError(str(failures[0]))
    return done and out.exists()
