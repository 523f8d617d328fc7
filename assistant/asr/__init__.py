"""Speech engines behind one small interface (`base.SpeechEngine`), and the factory.

`auto` picks vosk when an English vosk model is installed (more accurate) and
otherwise the built-in pocketsphinx, so Hearth works with zero downloads. Engines
are imported lazily: vosk and its model are loaded only when chosen.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from assistant.asr.base import ENGINES, Hypothesis, Recognition, SpeechEngine, Word
from assistant.errors import EngineError, ModelError


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


def create_engine(name: str = "auto", model: str | Path | None = None,
                  commands: Sequence[str] = ()) -> SpeechEngine:
    """The engine `name` means here (see `choose_engine`), ready for `commands`: the
    sentences its command reading is limited to (lower-case words)."""
    chosen, folder = choose_engine(name, model)
    engine: SpeechEngine
    if chosen == "vosk" and folder is not None:
        from assistant.asr.vosk_engine import VoskEngine

        engine = VoskEngine(folder)
    else:
        from assistant.asr.pocketsphinx_engine import PocketsphinxEngine

        engine = PocketsphinxEngine()
    engine.set_commands(commands)
    return engine


__all__ = ["ENGINES", "Hypothesis", "Recognition", "SpeechEngine", "Word", "choose_engine",
           "create_engine"]
