"""`hearth setup`: a short terminal questionnaire that writes the config file once.

Questions come through an `ask` function and text goes to an `out` stream, so tests
script the answers. Every question shows its default in brackets (the existing
config's value on a re-run) and Enter accepts it; a wrong answer is asked again with
the allowed values. Nothing is written until the end, so Ctrl-C or end of input
leaves the existing config as it was.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from assistant import devices, doctor, portaudio
from assistant.asr.base import ENGINES
from assistant.audio import SAMPLE_RATE, Samples, rms_dbfs
from assistant.errors import ConfigError, HearthError
from assistant.resources import config_path
from assistant.settings import COUNTRIES, Settings, load_settings, save_settings

Ask = Callable[[str], str]
"""Shows a question and returns the answer; raises EOFError or KeyboardInterrupt to stop."""

LISTEN_SECONDS = 3.0
SHOWN_VOICES = 8
METER_WIDTH = 30
NAME_CHARACTERS = frozenset(" -'.")


class Questions:
    """Asking with defaults in brackets and re-asking until the answer is allowed."""

    def __init__(self, ask: Ask, out: TextIO) -> None:
        self.ask = ask
        self.out = out

    def say(self, text: str = "") -> None:
        print(text, file=self.out, flush=True)

    def text(self, question: str, default: str,
             convert: Callable[[str], str | None], allowed: str) -> str:
        """`convert` turns an answer into the value to keep, or None when it is not allowed.
        With no default an answer is required."""
        shown = f" [{default}]" if default else ""
        while True:
            answer = self.ask(f"{question}{shown}: ").strip()
            if not answer and default:
                return default
            if not answer:
                self.say(f"  Please answer {allowed}.")
                continue
            value = convert(answer)
            if value is not None:
                return value
            self.say(f"  Sorry, that is not one of the choices. Please answer {allowed}.")

    def choice(self, question: str, options: Sequence[str], default: str) -> str:
        by_key = {option.lower(): option for option in options}
        return self.text(f"{question} ({', '.join(options)})", default,
                         lambda answer: by_key.get(answer.lower()),
                         f"one of {', '.join(options)}")

    def yes_no(self, question: str, default: bool) -> bool:
        answers = {"": default, "y": True, "yes": True, "n": False, "no": False}
        hint = "Y/n" if default else "y/N"
        while (answer := self.ask(f"{question} [{hint}]: ").strip().lower()) not in answers:
            self.say("  Please answer y (yes) or n (no).")
        return answers[answer]

    def number(self, question: str, default: int, low: int, high: int) -> int:
        return int(self.text(question, str(default),
                             lambda answer: answer if answer.isdigit()
                             and low <= int(answer) <= high else None,
                             f"a whole number from {low} to {high}"))


class SetupWizard:
    """The questionnaire; `audio_checks=False` skips everything that needs a device."""

    def __init__(self, ask: Ask, out: TextIO, path: Path, audio_checks: bool = True,
                 listen_seconds: float = LISTEN_SECONDS) -> None:
        self.q = Questions(ask, out)
        self.path = path
        self.audio_checks = audio_checks
        self.listen_seconds = listen_seconds
        self.settings = self._existing()
        self.speaker_works = False
        """True once someone heard the test sentence: only then is the voice sample played."""

    def _existing(self) -> Settings:
        if not self.path.exists():
            return Settings()
        try:
            return load_settings(self.path)
        except ConfigError as error:
            self.q.say(f"Your config file could not be read: {error.message}\nStarting from "
                       "the built-in defaults; it is replaced only when you finish.\n")
            return Settings()

    def run(self) -> Path | None:
        """Ask everything, then save; None (and nothing written) when stopped early."""
        try:
            self.q.say("Welcome to Hearth. A few questions, once; press Enter to keep the "
                       "answer in brackets.\n")
            self.ask_names()
            self.ask_devices()
            self.ask_engine()
            self.ask_voice()
            self.ask_safety_and_games()
        except (EOFError, KeyboardInterrupt):
            self.q.say("\nSetup stopped; your settings were not changed.")
            return None
        saved = save_settings(self.settings, self.path)
        self.q.say(f"\nAll set. Your settings are saved in {saved}.")
        option = "" if saved == config_path() else f" --config {saved}"
        self.q.say(f"Start Hearth with: hearth run{option}   (and `hearth doctor{option}` if "
                   "anything seems off)")
        return saved

    def ask_names(self) -> None:
        self.q.say("Who is playing? Hearth says your names when it is your turn.")
        current = [*self.settings.partners, "", ""]
        names = [self.q.text(f"{which} partner's first name", current[i], _name,
                             "with a first name (letters, up to 30)")
                 for i, which in enumerate(("First", "Second"))]
        self.settings = replace(self.settings, partners=tuple(names))
        self.q.say()

    def ask_devices(self) -> None:
        if not self.audio_checks:
            self.q.say("Skipping the microphone, speaker and voice checks (--no-audio-checks); "
                       "the devices stay as they are.\n")
            return
        mic = self._device_step("input", self.settings.input_device, self._check_microphone)
        speaker = self._device_step("output", self.settings.output_device, self._check_speaker)
        self.settings = replace(self.settings, input_device=mic, output_device=speaker)

    def _device_step(self, kind: portaudio.Kind, current: str,
                     check: Callable[[str], bool]) -> str:
        word = "microphone" if kind == "input" else "speaker"
        while True:
            try:
                found = [d for d in portaudio.list_devices()
                         if (d.inputs if kind == "input" else d.outputs) > 0]
            except HearthError as error:
                self.q.say(f"{error.message} {error.fix}")
                found = []
            if not found:
                self.q.say(f"No {word} was found, so this step is skipped; run `hearth setup` "
                           f"again once one is plugged in.\n")
                return current
            default = _default_index(kind)
            self.q.say(f"{word.capitalize()}s:")
            for device in found:
                mark = "   (system default)" if device.index == default else ""
                self.q.say(f"  {device.index}: {device.name}{mark}")
            choice = self.q.text(f"Which {word}? Number or name", current or "system default",
                                 lambda answer: _device_choice(answer, kind),
                                 "a number or a name from the list, or 'default'")
            spec = "" if choice == "system default" else choice
            if check(spec):
                self.q.say()
                return spec

    def _check_microphone(self, spec: str) -> bool:
        self.q.say(f"Say something for {self.listen_seconds:g} seconds...")
        try:
            level = doctor.listen(spec, self.listen_seconds, self._meter)
        except HearthError as error:
            self.q.say(f"\n{error.message} {error.fix}")
            return not self.q.yes_no("Choose the microphone again?", True)
        result = doctor.judge(level)
        self.q.say()
        if result.status is doctor.Status.OK:
            self.q.say(f"Sounds good ({result.detail}).")
            return True
        self.q.say(f"{result.detail} {result.fix}")
        return not self.q.yes_no("Choose the microphone again?", True)

    def _meter(self, piece: Samples) -> None:
        level = max(-60.0, rms_dbfs(piece))
        filled = round((level + 60) / 60 * METER_WIDTH)
        bar = "#" * filled + "-" * (METER_WIDTH - filled)
        self.q.out.write(f"\r  level [{bar}] {level:4.0f} dBFS")
        self.q.out.flush()

    def _check_speaker(self, spec: str) -> bool:
        first, second = self.settings.partner_names
        phrase = f"Hello {first} and {second}. This is Hearth. Can you hear me?"
        self.q.say("Playing a test sentence...")
        if not self._play(spec, phrase):
            return not self.q.yes_no("Choose the speaker again?", True)
        if self.q.yes_no("Did you hear it?", True):
            self.speaker_works = True
            return True
        self.q.say("Check that the speaker is on and its volume is up.")
        return not self.q.yes_no("Choose the speaker again?", True)

    def _play(self, spec: str, text: str) -> bool:
        from assistant.tts import TextToSpeech

        try:
            samples = TextToSpeech(self.settings).render(text)
            with devices.Speaker(spec) as speaker:
                speaker.play(samples, SAMPLE_RATE)
                time.sleep(speaker.busy_for() + 0.2)  # keep the stream open until heard
        except HearthError as error:
            self.q.say(f"{error.message} {error.fix}")
            return False
        return True

    def ask_engine(self) -> None:
        from assistant.model_catalog import find_model

        self.q.say("Speech recognition: pocketsphinx is built in; vosk with an English model "
                   "understands you better.")
        model = find_model("en-us")
        if model:
            self.q.say(f"An English vosk model is installed ({model.name}); auto uses it.")
        else:
            self.q.say("No English vosk model is installed yet, so auto uses pocketsphinx. "
                       "`hearth models install` gets the better model.")
        engine = self.q.choice("Speech engine", ENGINES, self.settings.engine)
        if engine == "vosk" and not model and not self.settings.model:
            self.q.say("Note: run `hearth models install` before `hearth run` to use vosk.")
        self.settings = replace(self.settings, engine=engine)
        self.q.say()

    def ask_voice(self) -> None:
        from assistant.tts import list_voices

        try:
            shown = [v for v in list_voices()
                     if v.id.split("/")[-1].startswith("en")][:SHOWN_VOICES]
        except HearthError as error:
            self.q.say(f"{error.message} {error.fix}\n")
            return
        ids = [info.id for info in shown]
        while True:
            self.q.say("Hearth's voice. Some English voices (add +f3 to an id for a higher "
                       "voice, e.g. gmw/en-us+f3):")
            for number, info in enumerate(shown, 1):
                self.q.say(f"  {number}: {info.name}  ({info.id})")
            voice = self.q.text("Voice: number or id", self.settings.voice or "system default",
                                lambda answer: self._voice_choice(answer, ids),
                                "a number from the list, a voice id, or 'default'")
            rate = self.q.number("Speaking rate in words per minute", self.settings.rate,
                                 80, 300)
            self.settings = replace(self.settings, rate=rate,
                                    voice="" if voice == "system default" else voice)
            if not self.speaker_works:
                break
            self._play(self.settings.output_device, "This is how I sound. Shall we begin?")
            if self.q.yes_no("Keep this voice?", True):
                break
        self.q.say()

    def _voice_choice(self, answer: str, ids: list[str]) -> str | None:
        from assistant.tts import TextToSpeech

        if answer.isdigit():
            index = int(answer) - 1
            return ids[index] if 0 <= index < len(ids) else None
        if answer.lower() in ("default", "system default"):
            return "system default"
        try:
            TextToSpeech(replace(self.settings, voice=answer))
        except HearthError:
            return None
        return answer

    def ask_safety_and_games(self) -> None:
        self.q.say("If someone mentions a crisis, Hearth pauses and reads help lines for your "
                   "country.")
        country = self.q.choice("Country for help lines", COUNTRIES, self.settings.country)
        self.q.say("\nThe intimacy deck talks openly about your physical closeness. Even when "
                   "enabled, Hearth\noffers it only after both of you say yes, by voice, "
                   "each time.")
        intimacy = self.q.yes_no("Enable the intimacy deck?", self.settings.intimacy_enabled)
        word = self.settings.wake_word.capitalize()
        self.q.say(f"\nWith the wake word required, every command starts with \"{word}\" "
                   f"(\"{word}, next\"):\nfewer mistakes while you talk, one more word to say.")
        wake = self.q.yes_no("Require the wake word?", self.settings.require_wake_word)
        self.settings = replace(self.settings, country=country, intimacy_enabled=intimacy,
                                require_wake_word=wake)


def _name(answer: str) -> str | None:
    ok = len(answer) <= 30 and all(c.isalpha() or c in NAME_CHARACTERS for c in answer)
    return answer if ok and any(c.isalpha() for c in answer) else None


def _default_index(kind: portaudio.Kind) -> int:
    try:
        return portaudio.find_device("", kind).index
    except HearthError:
        return -1


def _device_choice(answer: str, kind: portaudio.Kind) -> str | None:
    """The device name to keep (names outlast indexes), 'system default', or None."""
    if answer.lower() in ("default", "system default"):
        return "system default"
    try:
        return portaudio.find_device(answer, kind).name
    except HearthError:
        return None


__all__ = ["Ask", "Questions", "SetupWizard"]
