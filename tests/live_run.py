"""`hearth run` as a subprocess on the PulseAudio test stack, read through its event stream.

The program is started with `--events FILE`; its JSON lines (one per session event,
see `assistant/session_events.py`) are collected as they are written, and so are its
printed lines (stdout and stderr), for messages and failure reports. Shared by the
live tests and the benchmarks that run Hearth for real.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

FAST_VOICE = "[voice]\nrate = 280\n"
"""Hearth talks fast: shorter tests."""
Event = dict[str, Any]
Wanted = object
"""A field's wanted value: the value itself, a tuple of allowed values, or a predicate."""


def fits(event: Event, what: str, fields: Mapping[str, Wanted]) -> bool:
    if event.get("event") != what:
        return False
    for key, wanted in fields.items():
        value = event.get(key)
        if callable(wanted):
            if not wanted(value):
                return False
        elif isinstance(wanted, tuple):
            if value not in wanted:
                return False
        elif value != wanted:
            return False
    return True


class HearthRun:
    """`hearth run` on the virtual devices (`server` is a `pulse.PulseServer`)."""

    def __init__(self, server: Any, data: Path, *extra: str,
                 config: str = FAST_VOICE, engine: str | None = "pocketsphinx") -> None:
        """`config`: the config file's text; `engine`: None for the configured one."""
        data.mkdir(parents=True, exist_ok=True)
        config_file = data / "config.toml"
        config_file.write_text(config)
        self.events_file = data / f"events-{time.monotonic_ns()}.jsonl"
        env = dict(server.env, HEARTH_DATA_HOME=str(data), HEARTH_CONFIG=str(config_file),
                   PYTHONUNBUFFERED="1")
        self.lines: list[str] = []
        """What it printed (stdout and stderr)."""
        self.events: list[Event] = []
        self.arrived: list[float] = []
        """`time.monotonic()` when each event was read."""
        self.process = subprocess.Popen(
            [sys.executable, "-m", "assistant", "run", "--input-device", "pulse",
             "--output-device", "pulse", "--partners", "Sam,Alex",
             *(["--engine", engine] if engine else []), "--events", str(self.events_file),
             *extra],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        self._readers = [threading.Thread(target=self._read_lines, daemon=True),
                         threading.Thread(target=self._read_events, daemon=True)]
        for reader in self._readers:
            reader.start()

    def _read_lines(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def _read_events(self) -> None:
        while not self.events_file.exists():
            if self.process.poll() is not None:
                return
            time.sleep(0.02)
        with self.events_file.open(encoding="utf-8") as file:
            partial = ""
            while True:
                piece = file.readline()
                if piece:
                    partial += piece
                    if partial.endswith("\n"):
                        self.events.append(json.loads(partial))
                        self.arrived.append(time.monotonic())
                        partial = ""
                    continue
                if self.process.poll() is not None:
                    return
                time.sleep(0.01)

    def wait_for(self, what: str, timeout: float = 20.0, since: int = 0,
                 **fields: Wanted) -> int:
        """Index of the first event from index `since` on of type `what` with these fields."""
        found = self.find(what, timeout, since, **fields)
        if found is None:
            raise AssertionError(f"no {what} event with {fields}; got:\n{self.report()}")
        return found

    def find(self, what: str, timeout: float = 20.0, since: int = 0,
             **fields: Wanted) -> int | None:
        """Like `wait_for`, but None when there is none within `timeout`."""
        deadline = time.monotonic() + timeout
        while True:
            for index in range(since, len(self.events)):
                if fits(self.events[index], what, fields):
                    return index
            ended = self.process.poll() is not None and not self._readers[1].is_alive()
            if ended or time.monotonic() >= deadline:
                return None
            time.sleep(0.02)

    def quiet(self, since: int = 0, timeout: float = 30.0) -> int:
        """Wait until Hearth has finished speaking (after event `since`)."""
        return self.wait_for("finished_speaking", timeout, since)

    def matching(self, what: str, since: int = 0, **fields: Wanted) -> list[Event]:
        return [event for event in self.events[since:] if fits(event, what, fields)]

    def report(self) -> str:
        return "\n".join(self.lines)

    def stop(self, sig: int = signal.SIGINT) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        code = self.process.wait(timeout=20)
        for reader in self._readers:
            reader.join(timeout=5)
        return code
