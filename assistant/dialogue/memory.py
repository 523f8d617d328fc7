"""Everything the dialogue remembers during one session, as one plain dataclass so that a
snapshot is JSON and a crash can resume where the couple were."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

SNAPSHOT_VERSION = 1


@dataclass
class Memory:
    state: str = "idle"
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
    last_kind: str = ""
    resume_state: str = "idle"
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

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["version"] = SNAPSHOT_VERSION
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Memory:
        if data.get("version") != SNAPSHOT_VERSION:
            raise ValueError(f"unsupported dialogue snapshot version {data.get('version')!r}")
        known = {f.name for f in fields(cls)}
        return cls(**{key: value for key, value in data.items() if key in known})


def rng_state_to_json(state: tuple[Any, ...]) -> list[Any]:
    version, internal, gauss = state
    return [version, list(internal), gauss]


def rng_state_from_json(data: list[Any]) -> tuple[Any, ...]:
    version, internal, gauss = data
    return (version, tuple(internal), gauss)
