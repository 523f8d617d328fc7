"""The built-in pocketsphinx engine on real synthesized speech."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import soundfile
from conftest import RMS, SLT, join, silence, speech

from assistant.asr.base import Recognition
from assistant.asr.pocketsphinx_engine import PocketsphinxEngine, spell, spell_sentences
from assistant.audio import Samples, chunk_samples
from assistant.intents import IntentCatalog
from assistant.pipeline import build_matcher, command_sentences
from assistant.settings import Settings

FIXTURES = Path(__file__).with_name("fixtures")


def recognize(engine: PocketsphinxEngine, audio: Samples) -> Recognition:
    engine.start()
    for chunk in chunk_samples(join(silence(0.3), audio, silence(0.3))):
        engine.accept(chunk)
    return engine.finish()


def test_transcript_of_a_command(engine: PocketsphinxEngine) -> None:
    result = recognize(engine, speech("next question", SLT))
    assert result.transcript.text == "next question"


def test_transcript_of_talk_uses_general_words(engine: PocketsphinxEngine) -> None:
    result = recognize(engine, speech("I need to finish the report before Thursday", RMS))
    assert "report" in result.transcript.text.split()


def test_words_have_times_and_confidences(engine: PocketsphinxEngine) -> None:
    audio = speech("skip this one", SLT)
    words = recognize(engine, audio).transcript.words
    assert [w.text for w in words] == ["skip", "this", "one"]
    assert all(0.0 <= w.start < w.end <= len(audio) / 16_000 + 0.6 for w in words)
    assert all(0.0 <= w.confidence <= 1.0 for w in words)
    assert words[0].end <= words[1].start + 0.01


def test_command_reading_is_a_whole_command_sentence(engine: PocketsphinxEngine) -> None:
    result = recognize(engine, speech("repeat that", SLT))
    assert result.command is not None
    assert result.command.text == "repeat that"


def test_talk_has_no_command_reading(engine: PocketsphinxEngine) -> None:
    audio = speech("Your friend Mark told the funniest story at the barbecue", SLT)
    assert recognize(engine, audio).command is None


def test_silence_gives_an_empty_transcript(engine: PocketsphinxEngine) -> None:
    result = recognize(engine, silence(1.0))
    assert result.transcript.text == ""
    assert result.command is None


def test_start_discards_an_unfinished_utterance(engine: PocketsphinxEngine) -> None:
    engine.start()
    for chunk in chunk_samples(speech("we are done for tonight", SLT)):
        engine.accept(chunk)
    result = recognize(engine, speech("pause", SLT))
    assert result.transcript.text == "pause"


def test_unknown_words_are_respelled_or_left_out() -> None:
    known = {"soft": ["soft S AO F T"], "start": ["start S T AA R T"], "up": ["up AH P"],
             "check": ["check CH EH K"], "in": ["in IH N"]}
    assert spell("startup", known) == ["start", "up"]
    assert spell("check-in", known) == ["check", "in"]
    assert spell("zqxj", known) == []
    assert spell_sentences(["soft startup", "zqxj check-in"], known) == [
        "check in", "soft start up"]


def test_engine_without_commands_still_transcribes() -> None:
    bare = PocketsphinxEngine(general_words=500)
    result = recognize(bare, speech("good morning", SLT))
    assert result.transcript.text
    assert result.command is None


@pytest.fixture(scope="module")
def second_pass_only(catalog: IntentCatalog) -> PocketsphinxEngine:
    """No n-best command readings: every command reading comes from the second pass."""
    loaded = PocketsphinxEngine(nbest=0)
    loaded.set_commands(command_sentences(catalog, "hearth"))
    return loaded


def test_second_pass_reads_a_short_command_with_its_words(
        second_pass_only: PocketsphinxEngine) -> None:
    command = recognize(second_pass_only, speech("repeat that", SLT)).command
    assert command is not None and command.text == "repeat that"
    assert [w.text for w in command.words] == ["repeat", "that"]
    assert 0.0 < command.confidence <= 1.0


def test_second_pass_reading_of_talk_is_no_command(
        second_pass_only: PocketsphinxEngine, catalog: IntentCatalog) -> None:
    """The commands-only search forces talk onto command words; the acoustic check or,
    failing that, the matcher must still turn it down."""
    matcher = build_matcher(Settings(), catalog)
    for text, voice in (("the kids were loud at dinner", RMS),
                        ("we should paint the kitchen next spring", SLT)):
        command = recognize(second_pass_only, speech(text, voice)).command
        assert command is None or matcher.match(command.text) is None, command


def test_second_pass_reading_need_not_be_a_whole_sentence(
        second_pass_only: PocketsphinxEngine) -> None:
    """A command with a word around it ("um", "then") comes back as heard, for the
    matcher to judge, rather than being dropped for not being a sentence word for word."""
    command = recognize(second_pass_only, speech("repeat that question then", SLT)).command
    assert command is not None
    assert command.text not in second_pass_only.sentences
    assert "repeat" in command.text.split()


def test_second_pass_reading_must_fit_the_audio(catalog: IntentCatalog) -> None:
    strict = PocketsphinxEngine(nbest=0, max_acoustic_loss=-1e9)
    strict.set_commands(command_sentences(catalog, "hearth"))
    assert recognize(strict, speech("repeat that", SLT)).command is None


def test_long_utterance_gets_no_second_pass(second_pass_only: PocketsphinxEngine) -> None:
    audio = join(speech("next question", SLT), silence(3.0))
    assert recognize(second_pass_only, audio).command is None


class NbestSpy:
    """The real decoder, with the n-best entries it gave kept for the test to see."""

    def __init__(self, decoder: Any) -> None:
        self.decoder = decoder
        self.entries: list[Any] = []

    def nbest(self) -> Iterator[Any]:
        for entry in self.decoder.nbest():
            self.entries.append(entry)
            yield entry

    def __getattr__(self, name: str) -> Any:
        return getattr(self.decoder, name)


def test_alternatives_pocketsphinx_cannot_spell_out_are_skipped(catalog: IntentCatalog) -> None:
    """Over this babble (1.4 s from the dev corpus, noise-suppressed), pocketsphinx's n-best
    list holds a None among its paths; the engine must not fail on it."""
    audio, rate = soundfile.read(str(FIXTURES / "nbest_gap.wav"), dtype="int16")
    assert rate == 16_000
    fresh = PocketsphinxEngine()
    fresh.set_commands(command_sentences(catalog, "hearth"))
    spy = NbestSpy(fresh._decoder)
    fresh._decoder = spy
    fresh.start()
    for chunk in chunk_samples(audio):
        fresh.accept(chunk)
    result = fresh.finish()
    assert None in spy.entries
    assert result.transcript.text
