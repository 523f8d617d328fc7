"""Speech engines behind one small interface (`base.SpeechEngine`), and the factory.

`auto` picks vosk when an English vosk model is installed (more accurate) and
otherwise the built-in pocketsphinx, so Hearth works with zero downloads. Engines
are imported lazily: vosk and its model are loaded only when chosen.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from assistant.asr.base import Hypothesis, Recognition, SpeechEngine, Word
from assistant.errors import EngineError, ModelError
from assistant.settings import Settings

ENGINES = ("auto", "pocketsphinx", "vosk")


def choose_engine(name: str, model: str | Path | None = None) -> tuple[str, Path | None]:
    """Which engine `name` means here, with the vosk model folder when it is vosk."""
    from assistant.model_catalog import find_model

    if name not in ENGINES:
        raise EngineError(f"There is no speech engine called {name!r}.",
                          f"Use one of: {', '.join(ENGINES)}.")
    if name == "pocketsphinx":
        return name, None
    found = find_model("en-us", model or None)
    if found is not None:
        return "vosk", found
    if name == "vosk":
        raise ModelError("No English vosk model is installed.",
                         "Run `hearth models install`, or give --model PATH.")
    return "pocketsphinx", None


def create_engine(name: str | Settings | None = None, model: str | Path | None = None,
                  settings: Settings | None = None,
                  commands: Sequence[str] | None = None) -> SpeechEngine:
    """The engine to listen with, ready for Hearth's commands.

    `name` and `model` override the settings (`create_engine(settings)` also works);
    `commands` defaults to every sentence of the intent catalog plus the wake word.
    """
    if isinstance(name, Settings):
        name, settings = None, name
    settings = settings or Settings()
    chosen, folder = choose_engine(name or settings.engine or "auto", model or settings.model)
    engine: SpeechEngine
    if chosen == "vosk" and folder is not None:
        from assistant.asr.vosk_engine import VoskEngine

        engine = VoskEngine(folder)
    else:
        from assistant.asr.pocketsphinx_engine import PocketsphinxEngine

        engine = PocketsphinxEngine()
    if commands is None:
        from assistant.intents import load_intents

        commands = [*load_intents().sentences(), *settings.wake_word.lower().split()[:1]]
    engine.set_commands(commands)
    return engine


__all__ = ["Hypothesis", "Recognition", "SpeechEngine", "Word", "choose_engine",
           "create_engine"]
