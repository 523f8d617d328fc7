"""The errors a user can cause. The CLI turns each into one sentence and a fix."""

from __future__ import annotations


class HearthError(Exception):
    """Base error: `message` says what went wrong, `fix` says what to do about it."""

    def __init__(self, message: str, fix: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix

    def __str__(self) -> str:
        return f"{self.message} {self.fix}".strip()


class ConfigError(HearthError):
    """A config file or a config value is wrong."""


class AudioFormatError(HearthError):
    """An audio file cannot be read or is not audio."""


class AudioDeviceError(HearthError):
    """A microphone or speaker is missing, busy or unplugged."""


class ModelError(HearthError):
    """A speech model is missing, corrupt or of the wrong language."""


class EngineError(HearthError):
    """A speech engine cannot be used (not installed, failed to start)."""


class TemplateError(HearthError):
    """An intent template file is malformed; the message names file and line."""


class DeckError(HearthError):
    """A deck file is malformed; the message names file and line."""


class InstallError(HearthError):
    """A model download or install failed; nothing half-installed is left behind."""


class SpeechOutputError(HearthError):
    """Text-to-speech cannot speak (no voice, no engine)."""
