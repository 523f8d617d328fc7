"""Config file: defaults, round trip, and one clear sentence per bad value."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.errors import ConfigError
from assistant.settings import Settings, load_settings, save_settings, with_overrides


def test_missing_default_config_means_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HEARTH_CONFIG", str(tmp_path / "nowhere.toml"))
    assert load_settings() == Settings()


def test_missing_explicit_config_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(tmp_path / "nowhere.toml")


def test_round_trip_keeps_every_value(tmp_path: Path) -> None:
    settings = Settings(partners=("Sam", "Alex"), input_device="USB", output_device="3",
                        engine="vosk", model="/m", wake_word="hearth", require_wake_word=True,
                        voice="en-gb", rate=150, volume=0.5, country="UK", intimacy_enabled=True,
                        debug_record="/tmp/hearth-debug")
    path = save_settings(settings, tmp_path / "config.toml")
    assert load_settings(path) == settings


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("[speech]\nengine = 'whisper'\n", "speech.engine"),
        ("[voice]\nrate = 1000\n", "voice.rate"),
        ("[voice]\nvolume = 'loud'\n", "voice.volume"),
        ("[safety]\ncountry = 'XX'\n", "safety.country"),
        ("[games]\nintimacy_enabled = 'yes'\n", "games.intimacy_enabled"),
        ("[partners]\nnames = ['A', 'B', 'C']\n", "partners.names"),
        ("[speech]\ncolour = 'red'\n", "speech.colour"),
        ("[debug]\ndebug_record = true\n", "debug.debug_record"),
    ],
)
def test_bad_value_names_the_key(tmp_path: Path, text: str, named: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=named.replace(".", r"\.")):
        load_settings(path)


def test_unknown_section_is_named(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[sound]\nlevel = 3\n")
    with pytest.raises(ConfigError, match=r"\[sound\]"):
        load_settings(path)


def test_broken_toml_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[speech\nengine = 'vosk'\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(path)


def test_partner_names_fall_back_when_unset() -> None:
    assert Settings().partner_names == ("Partner one", "Partner two")
    assert Settings(partners=("Sam",)).partner_names == ("Sam", "Partner two")


def test_overrides_apply_only_given_values() -> None:
    settings = with_overrides(Settings(engine="vosk"), engine=None, input_device="2")
    assert settings.engine == "vosk"
    assert settings.input_device == "2"


def test_debug_recording_is_off_unless_set(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[voice]\nrate = 150\n")
    assert load_settings(path).debug_record == ""
    assert "[debug]" not in save_settings(Settings(), tmp_path / "saved.toml").read_text()


def test_debug_record_folder_is_read(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f"[debug]\ndebug_record = {str(tmp_path / 'rec')!r}\n")
    assert load_settings(path).debug_record == str(tmp_path / "rec")


def test_debug_record_naming_a_file_is_an_error_with_a_fix(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    path = tmp_path / "config.toml"
    path.write_text(f"[debug]\ndebug_record = {str(tmp_path / 'notes.txt')!r}\n")
    with pytest.raises(ConfigError, match=r"debug\.debug_record .* is a file") as caught:
        load_settings(path)
    assert "folder" in caught.value.fix
