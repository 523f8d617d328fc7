"""The one place a listening pipeline is built: engine, command sentences, matcher, listener.

`hearth listen`, `hearth demo`, the live listener process, the tests and the benchmarks
all build their listener here, so each hears exactly as the others do. A file is heard
with patient endpointing; a live session ends utterances sooner and finishes sure,
complete commands early (`speculative.SpeculativeListener`).
"""

from __future__ import annotations

from assistant.asr import SpeechEngine, create_engine
from assistant.endpoint import EndpointOptions
from assistant.intents import IntentCatalog, load_intents
from assistant.listening import Listener, ListenOptions
from assistant.matching import IntentMatcher
from assistant.settings import Settings
from assistant.speculative import SpeculativeListener

LIVE_HANGOVER = 0.3
"""Seconds of quiet that end an utterance in a live session (`listen` waits longer)."""

LIVE_EARLY_END = 0.09
"""Seconds of quiet after which a live session finishes the decode of a short utterance:
a sure, complete command is answered there; anything else waits for the hangover."""

LIVE_END_DROP_DB = 35.0
"""Live: a chunk this far below the utterance's loudest is quiet (see `EndpointOptions`)."""


def live_endpointing() -> EndpointOptions:
    """Endpointing for answers that start quickly (see `EndpointOptions`)."""
    return EndpointOptions(hangover=LIVE_HANGOVER, early_end=LIVE_EARLY_END, fast_release=True,
                           end_drop_db=LIVE_END_DROP_DB)


def command_sentences(catalog: IntentCatalog, wake_word: str) -> list[str]:
    """What the engine's command reading may choose from: every command sentence, and the
    wake word's first word (so "hearth, next" is a command sentence too)."""
    return [*catalog.sentences(), *wake_word.lower().split()[:1]]


def build_engine(settings: Settings, catalog: IntentCatalog | None = None) -> SpeechEngine:
    """The configured engine, ready for the catalog's commands."""
    catalog = catalog or load_intents()
    return create_engine(settings.engine, settings.model or None,
                         command_sentences(catalog, settings.wake_word))


def build_matcher(settings: Settings, catalog: IntentCatalog | None = None) -> IntentMatcher:
    return IntentMatcher(catalog or load_intents(), settings.wake_word,
                         settings.require_wake_word)


def build_listener(settings: Settings, *, live: bool = False,
                   engine: SpeechEngine | None = None,
                   catalog: IntentCatalog | None = None) -> Listener:
    """The listening pipeline. `live` tunes it for a microphone; `engine` reuses one that
    is already loaded (it must have been built for the same commands)."""
    catalog = catalog or load_intents()
    engine = engine or build_engine(settings, catalog)
    matcher = build_matcher(settings, catalog)
    if not live:
        return Listener(engine, matcher)
    return SpeculativeListener(engine, matcher, ListenOptions(endpoint=live_endpointing()),
                               slotted=catalog.slotted())
