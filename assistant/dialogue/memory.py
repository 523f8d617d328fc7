"""Everything the dialogue remembers during one session, as one plain dataclass so that a
snapshot is JSON and a crash can resume where the couple were."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from assistant.dialogue.events import Say, SayKind, State

SNAPSHOT_VERSION = 1
"""The snapshot's JSON form: states and kinds as their strings, "" for no kind."""


@dataclass
class Memory:
    state: State = State.IDLE
    welcomed: bool = False
    game: str | None = None
    """The deck name being played, or "evening"."""
    prompt_id: str | None = None
    """The prompt on the table now."""
    prompts_given: int = 0
    """All prompts read this session; the first speaker alternates on it."""
    game_prompts: int = 0
    """Prompts read in the current game (the depth climbs with it)."""
    handed_over: bool = False
    talk_count: int = 0
    last_text: str = ""
    """What "repeat" says."""
    last_kind: SayKind | None = None
    """What `last_text` is; None until Hearth has said something worth repeating."""
    resume_state: State = State.IDLE
    """Where pause, safety or the consent question return to."""
    evening_decks: list[str] = field(default_factory=list)
    evening_step: int = 0
    session_used: list[str] = field(default_factory=list)
    games_played: list[str] = field(default_factory=list)
    prompt_counts: dict[str, int] = field(default_factory=dict)
    consent_given: list[str] = field(default_factory=list)
    consent_asking: int = 0
    consented: bool = False
    safety_stopped: bool = False
    help_offered: bool = False
    therapist_noted: bool = False
    skips_in_row: int = 0
    depth_floor: int = 0
    depth_cap: int = 2
    rng_state: list[Any] = field(default_factory=list)

    def last_said(self) -> Say:
        """What "repeat" says again. A kind is always remembered with the text; a text
        without one (never written by Hearth) is repeated as plain information."""
        return Say(self.last_text, self.last_kind or SayKind.INFO)

    def to_dict(self) -> dict[str, Any]:
        """The snapshot: JSON-able data, with the enums as their plain strings."""
        data = asdict(self)
        data.update(state=self.state.value, resume_state=self.resume_state.value,
                    last_kind=self.last_kind.value if self.last_kind else "",
                    version=SNAPSHOT_VERSION)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Memory:
        """Read a snapshot of this version, also one written before the states and kinds
        were typed (the JSON is the same); ValueError for anything else."""
        if data.get("version") != SNAPSHOT_VERSION:
            raise ValueError(f"unsupported dialogue snapshot version {data.get('version')!r}")
        known = {f.name for f in fields(cls)}
        values = {key: value for key, value in data.items() if key in known}
        values["state"] = State(values.get("state", State.IDLE))
        values["resume_state"] = State(values.get("resume_state", State.IDLE))
        values["last_kind"] = SayKind(values["last_kind"]) if values.get("last_kind") else None
        return cls(**values)


def rng_state_to_json(state: tuple[Any, ...]) -> list[Any]:
    version, internal, gauss = state
    return [version, list(internal), gauss]


def rng_state_from_json(data: list[Any]) -> tuple[Any, ...]:
    version, internal, gauss = data
    return (version, tuple(internal), gauss)
