"""`hearth doctor`: small checks of everything Hearth needs, each returning one `Check`.

Every check turns the errors a user can cause into a status and a fix, so the doctor
never ends in a traceback. The microphone level helpers are shared with `hearth setup`.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass, replace
from enum import StrEnum
from importlib import metadata
from pathlib import Path

import numpy as np

from assistant import devices, history, portaudio
from assistant.audio import SAMPLE_RATE, Samples, concatenate, rms_dbfs
from assistant.errors import HearthError
from assistant.resources import config_path
from assistant.settings import Settings, load_settings

LISTEN_SECONDS = 2.0
QUIET_DBFS = -60.0  # below this a microphone is muted or far down (a quiet room is ~-55)
CLIP_SHARE = 0.001  # more than this share of samples at full scale is clipping
SAMPLE_PHRASE = "Hello from Hearth."


class Status(StrEnum):
    OK = "ok"
    WARN = "warn"
    FAIL = "FAIL"


@dataclass(frozen=True)
class Check:
    """The result of one check: what was looked at, what was found, what to do about it."""

    name: str
    status: Status
    detail: str
    fix: str = ""


@dataclass(frozen=True)
class Level:
    """How loud a stretch of microphone audio was."""

    rms_dbfs: float
    peak_dbfs: float
    clipped: float  # share of samples at (or within a hair of) full scale
    seconds: float  # how much audio actually arrived


def measure(samples: Samples) -> Level:
    if samples.size == 0:
        return Level(float("-inf"), float("-inf"), 0.0, 0.0)
    magnitude = np.abs(samples.astype(np.int32))
    peak = int(magnitude.max())
    return Level(rms_dbfs(samples), 20 * float(np.log10(peak / 32768)) if peak else float("-inf"),
                 float(np.mean(magnitude >= 32700)), samples.size / SAMPLE_RATE)


def listen(spec: str, seconds: float,
           on_audio: Callable[[Samples], None] | None = None) -> Level:
    """Record `seconds` of audio from the microphone `spec`, counted from when audio starts
    to flow (some devices take a second or two); `on_audio` sees each piece (a live meter)."""
    pieces: list[Samples] = []
    wanted = int(seconds * SAMPLE_RATE)
    with devices.Microphone(spec) as mic:
        deadline = time.monotonic() + seconds + devices.STARTUP_GRACE
        while sum(p.size for p in pieces) < wanted and time.monotonic() < deadline:
            piece = concatenate(mic.chunks(timeout=0.1))
            if piece.size:
                pieces.append(piece)
                if on_audio is not None:
                    on_audio(piece)
    return measure(np.concatenate(pieces)[:wanted] if pieces else np.zeros(0, dtype=np.int16))


def judge(level: Level) -> Check:
    """What a level means for Hearth: too quiet, clipping, or fine."""
    if level.seconds == 0:
        return Check("mic level", Status.FAIL, "The microphone delivered no audio at all.",
                     "Check it is plugged in and not used by another program, then try again.")
    if level.rms_dbfs < QUIET_DBFS:
        heard = "pure silence" if level.rms_dbfs == float("-inf") else (
            f"almost nothing ({level.rms_dbfs:.0f} dBFS)")
        return Check("mic level", Status.WARN, f"The microphone hears {heard}. Is it muted?",
                     "Unmute it or turn its input volume up (pavucontrol or alsamixer), "
                     "then speak while Hearth listens.")
    if level.clipped > CLIP_SHARE:
        return Check("mic level", Status.WARN,
                     f"The microphone is too loud: {level.clipped:.1%} of the sound is clipped.",
                     "Turn its input volume down a little (pavucontrol or alsamixer).")
    return Check("mic level", Status.OK,
                 f"{level.rms_dbfs:.0f} dBFS on average, peaks at {level.peak_dbfs:.0f} dBFS")


def check_config(path: Path | None) -> tuple[Check, Settings]:
    target = path or config_path()
    if path is None and not target.exists():
        return Check("config", Status.WARN, f"No config file yet at {target}; using defaults.",
                     "Run `hearth setup` to set names, devices and voice."), Settings()
    try:
        settings = load_settings(target)
    except HearthError as error:
        return Check("config", Status.FAIL, error.message, error.fix), Settings()
    return Check("config", Status.OK, f"{target} is valid"), settings


def check_audio_server() -> Check:
    if shutil.which("pactl") is None:
        return Check("audio server", Status.OK,
                     "no PulseAudio tools installed; PortAudio uses ALSA directly")
    try:
        result = subprocess.run(["pactl", "info"], capture_output=True, text=True, timeout=5,
                                check=False)
    except (OSError, subprocess.TimeoutExpired):
        result = subprocess.CompletedProcess([], 1, "", "")
    if result.returncode != 0:
        return Check("audio server", Status.WARN, "No PulseAudio or PipeWire server answers.",
                     "Start it with: systemctl --user start pulseaudio (or pipewire-pulse); "
                     "without it Hearth can only use ALSA devices directly.")
    info = dict(line.split(": ", 1) for line in result.stdout.splitlines() if ": " in line)
    return Check("audio server", Status.OK,
                 f"{info.get('Server Name', '')} {info.get('Server Version', '')}, microphone "
                 f"{info.get('Default Source', '?')}, speaker {info.get('Default Sink', '?')}")


def check_device(spec: str, kind: portaudio.Kind) -> Check:
    name = "microphone" if kind == "input" else "speaker"
    try:
        device = portaudio.find_device(spec, kind)
    except HearthError as error:
        fix = error.fix if spec or not error.message.startswith("No ") else (
            f"Plug in a {name} (a USB speakerphone does both) or start the audio server, "
            "then run `hearth doctor` again.")
        return Check(name, Status.FAIL, error.message, fix)
    how = "the system default" if not spec else f"configured as {spec!r}"
    return Check(name, Status.OK, f"{device.index}: {device.name} ({how})")


def run_checks(path: Path | None, listen_seconds: float | None = LISTEN_SECONDS,
               announce: Callable[[str], None] = lambda text: None) -> Iterator[Check]:
    """Every check, in order, as each finishes; `listen_seconds=None` skips the listen."""
    config, settings = check_config(path)
    yield config
    yield _guarded("audio server", check_audio_server)
    microphone = _guarded("microphone", lambda: check_device(settings.input_device, "input"))
    yield microphone
    if listen_seconds is not None and microphone.status is not Status.FAIL:
        seconds = listen_seconds
        announce(f"Listening for {seconds:g} seconds: please say a few words...")
        yield _guarded("mic level", lambda: judge(listen(settings.input_device, seconds)))
    yield _guarded("speaker", lambda: check_device(settings.output_device, "output"))
    for name, check in (("pocketsphinx", check_pocketsphinx), ("vosk", check_vosk),
                        ("vosk models", check_vosk_models)):
        yield _guarded(name, check)
    yield _guarded("engine", lambda: check_engine(settings))
    voice = _guarded("voice", lambda: check_voice(settings))
    yield voice
    speaking = settings if voice.status is Status.OK else replace(settings, voice="")
    yield _guarded("speech output", lambda: check_speech_output(speaking))
    yield _guarded("decks", check_decks)
    yield _guarded("history", lambda: check_history(history.default_path()))


def _guarded(name: str, step: Callable[[], Check]) -> Check:
    """One check whose errors become its result instead of ending the doctor."""
    try:
        return step()
    except HearthError as error:
        return Check(name, Status.FAIL, error.message, error.fix)
    except OSError as error:
        return Check(name, Status.FAIL, f"{error.strerror or error} ({error.filename or name}).",
                     "Check the permissions of that file or device.")


def check_pocketsphinx() -> Check:
    start = time.monotonic()
    try:
        import pocketsphinx

        pocketsphinx.Decoder()  # loads the en-us model its wheel ships
    except (ImportError, OSError, RuntimeError, ValueError) as error:
        return Check("pocketsphinx", Status.FAIL, f"pocketsphinx cannot start ({error}).",
                     "Reinstall Hearth's dependencies: ./install.sh (or pip install pocketsphinx).")
    return Check("pocketsphinx", Status.OK, "loads its built-in English model in "
                 f"{time.monotonic() - start:.1f} s")


def check_vosk() -> Check:
    try:
        import vosk  # noqa: F401
    except (ImportError, OSError) as error:
        return Check("vosk", Status.WARN, f"vosk cannot be imported ({error}).",
                     "Reinstall Hearth's dependencies: ./install.sh (or pip install vosk).")
    return Check("vosk", Status.OK, f"vosk {metadata.version('vosk')} is installed")


def check_vosk_models() -> Check:
    from assistant.model_catalog import installed_models

    models = installed_models()
    listing = ", ".join(f"{m.name} ({m.lang or 'unknown language'})" for m in models)
    if not any(m.lang and m.lang.startswith("en") for m in models):
        found = f" (found: {listing})" if listing else ""
        return Check("vosk models", Status.WARN, f"No English vosk model is installed{found}.",
                     "Run `hearth models install` for the better recognizer; until then "
                     "Hearth uses pocketsphinx.")
    return Check("vosk models", Status.OK, listing)


def check_engine(settings: Settings) -> Check:
    """Which engine `hearth run` will use, and whether it can (vosk needs a model)."""
    from assistant.model_catalog import find_model

    configured = Path(settings.model).expanduser()
    if os.sep in settings.model and not configured.exists():
        return Check("engine", Status.FAIL, f"[speech] model is {settings.model}, which does "
                     "not exist.", "Fix the path, leave it empty to use an installed model, "
                     "or run `hearth models install`.")
    model = find_model("en-us", settings.model or None)
    if settings.engine == "pocketsphinx":
        return Check("engine", Status.OK, "pocketsphinx, as set in the config")
    if model is None and settings.engine == "auto":
        return Check("engine", Status.OK, "auto picks pocketsphinx (no English vosk model yet)")
    if model is None:
        return Check("engine", Status.FAIL, "The engine is set to vosk, but no English vosk "
                     "model is installed.", "Run `hearth models install`, or set "
                     "[speech] engine = \"auto\" in the config.")
    picks = "auto picks vosk" if settings.engine == "auto" else "vosk, as set in the config,"
    return Check("engine", Status.OK, f"{picks} with the model {model}")


def check_voice(settings: Settings) -> Check:
    from assistant.tts import TextToSpeech

    TextToSpeech(settings)  # raises when the configured voice is not installed
    return Check("voice", Status.OK, f"{settings.voice!r} is installed" if settings.voice
                 else "the system default voice")


def check_speech_output(settings: Settings) -> Check:
    from assistant.tts import TextToSpeech

    tts = TextToSpeech(settings)
    start = time.monotonic()
    samples = tts.render(SAMPLE_PHRASE)
    said = (f"{samples.size / SAMPLE_RATE:.1f} s of speech in {time.monotonic() - start:.2f} s"
            f" with {tts.backend}")
    if tts.backend != "pyttsx3":
        return Check("speech output", Status.WARN, f"pyttsx3 could not speak; {said}.",
                     "Reinstall Hearth's dependencies (./install.sh); espeak-ng works meanwhile.")
    return Check("speech output", Status.OK, said)


def check_decks() -> Check:
    from assistant.decks import check_decks as find_problems
    from assistant.decks import load_decks

    problems = find_problems()
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        return Check("decks", Status.FAIL, f"{problems[0]}{more}",
                     "Fix the deck file; `hearth decks check` lists every problem.")
    library = load_decks()
    total = sum(len(deck.prompts) for deck in library.decks)
    return Check("decks", Status.OK, f"{len(library.decks)} decks, {total} prompts")


def check_history(path: Path) -> Check:
    if not path.exists():
        folder = next(p for p in (path, *path.parents) if p.exists())
        if not os.access(folder, os.W_OK):
            return Check("history", Status.FAIL, f"{folder} is not writable, so Hearth cannot "
                         f"keep its history at {path}.",
                         "Make it writable for your user, or set HEARTH_DATA_HOME elsewhere.")
        return Check("history", Status.OK, f"{path} will be created by the first game")
    mode = stat.S_IMODE(path.stat().st_mode)
    try:
        with closing(sqlite3.connect(path, timeout=2)) as db:
            db.execute("BEGIN IMMEDIATE")  # takes the write lock without changing anything
            db.execute("ROLLBACK")
        if not os.access(path, os.W_OK):
            raise sqlite3.OperationalError("no permission to write")
    except sqlite3.Error as error:
        return Check("history", Status.FAIL, f"The history file {path} cannot be written "
                     f"({error}).", "Check its permissions, or move it aside and run Hearth "
                     "again (`hearth forget --yes` starts afresh).")
    if mode & 0o077:
        return Check("history", Status.WARN, f"{path} is not private to you (mode {mode:o}).",
                     f"Make it private: chmod 600 {path}")
    return Check("history", Status.OK, f"{path} is writable and private (mode {mode:o})")


__all__ = ["Check", "Level", "Status", "judge", "listen", "measure", "run_checks"]
