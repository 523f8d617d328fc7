"""Shared fixtures: real synthesized speech (cached for the session) and a real
pocketsphinx engine with Hearth's command sentences."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import numpy as np
import pytest

from assistant.asr.pocketsphinx_engine import PocketsphinxEngine
from assistant.audio import SAMPLE_RATE, Samples
from assistant.intents import IntentCatalog, load_intents
from assistant.matching import IntentMatcher
from assistant.pipeline import build_matcher, command_sentences
from assistant.settings import Settings
from assistant.voices import SynthVoice, available, synthesize

SLT = SynthVoice("flite", "slt")
RMS = SynthVoice("flite", "rms")
AWB = SynthVoice("flite", "awb")
ESPEAK = SynthVoice("espeak-ng", "en-us")


@cache
def speech(text: str, voice: SynthVoice = SLT) -> Samples:
    """`text` spoken by `voice` (16 kHz mono int16), synthesized once per session."""
    if not available(voice.synthesizer):
        pytest.skip(f"needs {voice.synthesizer}")
    return synthesize(text, voice)


def silence(seconds: float) -> Samples:
    return np.zeros(round(seconds * SAMPLE_RATE), dtype=np.int16)


def join(*parts: Samples) -> Samples:
    return np.concatenate(parts).astype(np.int16)


@pytest.fixture(scope="session")
def say() -> Callable[..., Samples]:
    return speech


@pytest.fixture(scope="session")
def catalog() -> IntentCatalog:
    return load_intents()


@pytest.fixture(scope="session")
def matcher(catalog: IntentCatalog) -> IntentMatcher:
    return build_matcher(Settings(), catalog)


@pytest.fixture(scope="module")
def engine(catalog: IntentCatalog) -> PocketsphinxEngine:
    """The built-in engine with every command sentence. One per module: the engine adapts
    to the channel (cepstral mean) as it hears, so results depend on what came before."""
    loaded = PocketsphinxEngine()
    loaded.set_commands(command_sentences(catalog, Settings().wake_word))
    return loaded
