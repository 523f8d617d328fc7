"""Hearth's answers, ready before they are needed.

While the couple talks, the likely next commands (next, skip, repeat, pause, stop,
help, or which game to start) are run through a throwaway copy of the dialogue,
and what it would say is rendered in the background. The copy starts from the
real dialogue's snapshot (random state included) and reads the real history
without writing to it, so its words are exactly the words the real dialogue
will choose, and the answer can start the moment a command is understood.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from assistant.audio import Samples
from assistant.decks import DeckLibrary
from assistant.dialogue import Dialogue, Heard, Say, State
from assistant.dialogue.events import PromptSource
from assistant.intent import Intent

log = logging.getLogger(__name__)

IN_GAME = (Intent.NEXT, Intent.SKIP, Intent.REPEAT, Intent.PAUSE, Intent.STOP, Intent.HELP)
IDLE = (Intent.HELP, Intent.STOP, Intent.NEXT, Intent.REPEAT)
KEEP = 48
"""Rendered answers kept (a few seconds of audio each)."""


class ReadOnlyHistory:
    """The real history for reading; writes are dropped (the copy only pretends)."""

    def __init__(self, history: PromptSource | None) -> None:
        self._history = history

    def used_prompt_ids(self, deck: str) -> frozenset[str]:
        return self._history.used_prompt_ids(deck) if self._history else frozenset()

    def record_prompt(self, deck: str, prompt_id: str) -> None:
        pass

    def reset_deck(self, deck: str) -> None:
        pass


def likely_answers(dialogue: Dialogue, library: DeckLibrary,
                   history: PromptSource | None) -> list[str]:
    """What the dialogue would say next for each likely command, most urgent first."""
    state = dialogue.state
    commands: list[tuple[Intent, dict[str, str]]]
    if state is State.PAUSED:
        commands = [(Intent.RESUME, {}), (Intent.STOP, {}), (Intent.HELP, {})]
    elif state is State.IDLE:
        games = [deck.name for deck in library.games()]
        commands = [(Intent.START_GAME, {"game": game}) for game in [*games, "evening"]]
        commands += [(intent, {}) for intent in IDLE]
    elif state is State.ENDED:
        return []
    else:
        commands = [(intent, {}) for intent in IN_GAME]
    texts: list[str] = []
    for intent, slots in commands:
        rehearsal = dialogue.rehearsal(ReadOnlyHistory(history))
        for action in rehearsal.handle(Heard(intent.value, intent, slots)):
            if isinstance(action, Say) and action.text not in texts:
                texts.append(action.text)
    return texts


class Answers:
    """Renders speech on one background thread; `speech(text)` waits for it if needed."""

    def __init__(self, render: Callable[[str], Samples]) -> None:
        """`render`: Hearth's voice, text to samples (`TextToSpeech.render`)."""
        self._render = render
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hearth-tts")
        self._ready: OrderedDict[str, Future[Samples]] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def prepare(self, texts: list[str]) -> None:
        """Render these in the background (already rendered ones are kept)."""
        for future in self._ready.values():
            future.cancel()  # only ones not started; their text may be asked for again
        self._ready = OrderedDict(
            (text, future) for text, future in self._ready.items() if not future.cancelled())
        for text in texts:
            if text not in self._ready:
                self._ready[text] = self._worker.submit(self._render, text)
        while len(self._ready) > KEEP:
            self._ready.popitem(last=False)

    def is_ready(self, text: str) -> bool:
        future = self._ready.get(text)
        return future is not None and future.done() and not future.cancelled()

    def speech(self, text: str) -> Samples:
        """The audio for `text`, rendered now unless it is ready or on its way."""
        future = self._ready.get(text)
        if future is None or future.cancelled():
            self.misses += 1
            for pending in self._ready.values():
                pending.cancel()  # the answer needed now goes first
            future = self._worker.submit(self._render, text)
            self._ready[text] = future
        else:
            self.hits += 1
        self._ready.move_to_end(text)
        return future.result()

    def close(self) -> None:
        self._worker.shutdown(wait=False, cancel_futures=True)
