"""Hearth's settings: a TOML file in the user's config folder, read into one frozen dataclass.

Every key is optional; a bare `hearth run` works on built-in defaults. Every bad
value gets one sentence naming the key and what is allowed.
"""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

import tomli_w

from assistant.asr.base import ENGINES
from assistant.errors import ConfigError
from assistant.resources import config_path

COUNTRIES = ("US", "UK", "CA", "AU", "IE", "NZ")


@dataclass(frozen=True)
class Settings:
    """Everything a user can configure. The TOML section of each field is in `SECTIONS`."""

    partners: tuple[str, ...] = ()
    """The two partners' first names, as Hearth should say them; empty until `hearth setup`."""
    input_device: str = ""
    """Microphone: a sounddevice name (or part of it) or index; empty for the system default."""
    output_device: str = ""
    """Speaker: a sounddevice name (or part of it) or index; empty for the system default."""
    engine: str = "auto"
    """Speech engine: auto (vosk when an English vosk model is installed, else pocketsphinx),
    pocketsphinx or vosk."""
    model: str = ""
    """Path to a vosk model folder; empty to find an installed one."""
    models_url: str = ""
    """Base address of a vosk model mirror (serving model-list.json and NAME.zip)."""
    wake_word: str = "hearth"
    """A word that may start a command ("Hearth, next"); it is always optional unless
    `require_wake_word` is true."""
    require_wake_word: bool = False
    """Accept commands only when they start with the wake word (fewer false triggers)."""
    voice: str = ""
    """Text-to-speech voice id or name (see `hearth setup`); empty for the system default."""
    rate: int = 165
    """Speaking rate in words per minute (80–300)."""
    volume: float = 0.9
    """Speaking volume from 0.0 to 1.0."""
    country: str = "US"
    """Country for help lines: US, UK, CA, AU, IE or NZ."""
    intimacy_enabled: bool = False
    """Offer the intimacy deck at all (each partner must still say yes by voice, each time)."""
    debug_record: str = ""
    """A folder for debug recordings of live sessions (the audio the recognizer got and
    every utterance heard); empty, the default, records nothing."""

    @property
    def partner_names(self) -> tuple[str, str]:
        """The two names to address, with spoken fallbacks when unset."""
        names = [name for name in self.partners if name.strip()]
        first = names[0] if names else "Partner one"
        second = names[1] if len(names) > 1 else "Partner two"
        return first, second


SECTIONS: dict[str, tuple[str, ...]] = {
    "partners": ("partners",),
    "audio": ("input_device", "output_device"),
    "speech": ("engine", "model", "models_url", "wake_word", "require_wake_word"),
    "voice": ("voice", "rate", "volume"),
    "safety": ("country",),
    "games": ("intimacy_enabled",),
    "debug": ("debug_record",),
}
"""TOML section → keys. `partners` is written as `[partners] names = [...]`."""


def load_settings(path: Path | None = None) -> Settings:
    """Read the config file; a missing file (when no path was given explicitly) means defaults."""
    explicit = path is not None
    path = path or config_path()
    if not path.exists():
        if explicit:
            raise ConfigError(f"The config file {path} does not exist.",
                              "Run `hearth setup` to create one, or check the path.")
        return Settings()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"The config file {path} is not valid TOML ({error}).",
                          "Fix the line it names, or run `hearth setup` again.") from error
    except OSError as error:
        raise ConfigError(f"The config file {path} cannot be read ({error.strerror}).",
                          "Check its permissions.") from error
    return _parse(raw, path)


def _parse(raw: dict[str, Any], path: Path) -> Settings:
    values: dict[str, Any] = {}
    for section, table in raw.items():
        if section not in SECTIONS or not isinstance(table, dict):
            raise ConfigError(f"{path}: unknown section [{section}].",
                              f"Allowed sections: {', '.join(SECTIONS)}.")
        for key, value in table.items():
            name = "partners" if section == "partners" and key == "names" else key
            if name not in SECTIONS[section]:
                allowed = "names" if section == "partners" else ", ".join(SECTIONS[section])
                raise ConfigError(f"{path}: unknown key {section}.{key}.", f"Allowed: {allowed}.")
            values[name] = _check(f"{section}.{key}", name, value, path)
    return Settings(**values)


def _check(key: str, name: str, value: Any, path: Path) -> Any:
    def bad(allowed: str) -> ConfigError:
        return ConfigError(f"{path}: {key} = {value!r} is not allowed.", f"Use {allowed}.")

    if name == "partners":
        if not (isinstance(value, list) and len(value) <= 2
                and all(isinstance(v, str) and v.strip() for v in value)):
            raise bad('a list of one or two names, like ["Sam", "Alex"]')
        return tuple(v.strip() for v in value)
    if name in ("input_device", "output_device"):
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise bad("a device name (text) or index (number); see `hearth doctor`")
        return str(value)
    if name == "engine":
        if value not in ENGINES:
            raise bad(" or ".join(ENGINES))
        return value
    if name in ("require_wake_word", "intimacy_enabled"):
        if not isinstance(value, bool):
            raise bad("true or false")
        return value
    if name == "rate":
        if isinstance(value, bool) or not isinstance(value, int) or not 80 <= value <= 300:
            raise bad("a whole number of words per minute from 80 to 300")
        return value
    if name == "volume":
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
            raise bad("a number from 0.0 to 1.0")
        return float(value)
    if name == "country":
        if not isinstance(value, str) or value.upper() not in COUNTRIES:
            raise bad(" or ".join(COUNTRIES))
        return value.upper()
    if not isinstance(value, str):
        raise bad("text in quotes")
    if name == "debug_record" and value and Path(value).expanduser().is_file():
        raise ConfigError(f"{path}: {key} = {value!r} is a file, not a folder.",
                          'Use a folder for debug recordings, or "" to record nothing.')
    return value


def save_settings(settings: Settings, path: Path | None = None) -> Path:
    """Write the config atomically (a crash never leaves half a file)."""
    path = path or config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    defaults = Settings()
    document: dict[str, dict[str, Any]] = {}
    for section, keys in SECTIONS.items():
        table: dict[str, Any] = {}
        for key in keys:
            value = getattr(settings, key)
            if key == "partners":
                table["names"] = list(value)
            elif value != getattr(defaults, key) or section in ("speech", "voice", "safety"):
                table[key] = value
        if table:
            document[section] = table
    partial = path.with_name(path.name + ".partial")
    partial.write_text(tomli_w.dumps(document), encoding="utf-8")
    partial.replace(path)
    return path


def with_overrides(settings: Settings, **overrides: Any) -> Settings:
    """Apply command-line options that were given (None means not given)."""
    given = {key: value for key, value in overrides.items() if value is not None}
    known = {f.name for f in fields(Settings)}
    unknown = set(given) - known
    if unknown:
        raise ValueError(f"unknown settings: {sorted(unknown)}")
    return replace(settings, **given)


def describe(settings: Settings) -> dict[str, Any]:
    return asdict(settings)


__all__ = ["Settings", "load_settings", "save_settings",
           "with_overrides"]
