"""The model installer against a real HTTP server on 127.0.0.1.

The zips are built here and laid out like vosk models (packaging tests): vosk
itself is exercised on a real model in test_vosk_engine.py.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from modelserver import ModelServer, fake_model_zip, free_port_url

from assistant import model_install
from assistant.cli import main
from assistant.errors import InstallError, ModelError
from assistant.model_catalog import MARKER, installed_models, looks_like_model

NAME = "vosk-model-small-test-0.1"


@pytest.fixture
def data_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HEARTH_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("VOSK_MODEL_PATH", raising=False)
    monkeypatch.delenv("HEARTH_MODELS_URL", raising=False)
    return tmp_path / "data"


@pytest.fixture
def server() -> Iterator[ModelServer]:
    running = ModelServer().start()
    yield running
    running.stop()


def models_folder(data_home: Path) -> Path:
    return data_home / "models"


def assert_nothing_installed(data_home: Path, allow_part: bool = False) -> None:
    folder = models_folder(data_home)
    leftovers = sorted(p.name for p in folder.iterdir()) if folder.exists() else []
    allowed = {"model-list.json"} | ({f".{NAME}.zip.part"} if allow_part else set())
    assert set(leftovers) <= allowed, leftovers
    assert NAME not in [model.name for model in installed_models()]


def install(server: ModelServer, name: str = NAME) -> Path:
    return model_install.install_model(name, base=server.base, progress=False)


def zip_requests(server: ModelServer) -> list[Any]:
    return [r for r in server.requests if r.path == f"/{NAME}.zip"]


def test_packaging_install_unpacks_a_model_into_the_data_folder(
        data_home: Path, server: ModelServer) -> None:
    server.add_model(NAME, fake_model_zip(NAME), lang="en-us")
    path = install(server)
    assert path == models_folder(data_home) / NAME
    assert looks_like_model(path)
    assert json.loads((path / MARKER).read_text())["lang"] == "en-us"
    [found] = [m for m in installed_models() if m.name == NAME]
    assert (found.lang, found.place) == ("en-us", "Hearth data folder")
    assert_nothing_installed_but(data_home, NAME)


def assert_nothing_installed_but(data_home: Path, name: str) -> None:
    assert sorted(p.name for p in models_folder(data_home).iterdir()) == sorted(
        [name, "model-list.json"])


def test_packaging_install_accepts_a_zip_without_a_top_folder(
        data_home: Path, server: ModelServer) -> None:
    server.add_model(NAME, fake_model_zip(NAME, top_folder=False))
    assert looks_like_model(install(server))
    assert_nothing_installed_but(data_home, NAME)


def test_packaging_resumes_with_range_after_a_cut_connection(
        data_home: Path, server: ModelServer) -> None:
    archive = fake_model_zip(NAME)
    server.add_model(NAME, archive)
    server.cut_next[f"/{NAME}.zip"] = 1
    assert looks_like_model(install(server))
    first, second = zip_requests(server)
    assert first.range is None
    assert second.range == f"bytes={len(archive) // 2}-"


def test_packaging_download_cut_every_time_keeps_the_part_and_the_next_run_resumes(
        data_home: Path, server: ModelServer) -> None:
    server.add_model(NAME, fake_model_zip(NAME))
    server.cut_next[f"/{NAME}.zip"] = model_install.ATTEMPTS
    with pytest.raises(InstallError, match="interrupted") as error:
        install(server)
    assert "resumes" in error.value.fix
    assert_nothing_installed(data_home, allow_part=True)
    assert (models_folder(data_home) / f".{NAME}.zip.part").exists()

    assert looks_like_model(install(server))
    assert zip_requests(server)[-1].range is not None
    assert_nothing_installed_but(data_home, NAME)


def test_packaging_wrong_checksum_installs_nothing(data_home: Path, server: ModelServer) -> None:
    server.add_model(NAME, fake_model_zip(NAME), md5="0" * 32)
    with pytest.raises(InstallError, match="checksum"):
        install(server)
    assert_nothing_installed(data_home)


def test_packaging_wrong_size_installs_nothing(data_home: Path, server: ModelServer) -> None:
    archive = fake_model_zip(NAME)
    server.add_model(NAME, archive, size=len(archive) + 10)
    with pytest.raises(InstallError, match="size"):
        install(server)
    assert_nothing_installed(data_home)


def test_packaging_truncated_zip_installs_nothing(data_home: Path, server: ModelServer) -> None:
    whole = fake_model_zip(NAME)
    server.add_model(NAME, whole[: len(whole) * 2 // 3])  # the list matches the broken file
    with pytest.raises(InstallError, match="not a readable zip"):
        install(server)
    assert_nothing_installed(data_home)


def test_packaging_zip_that_is_not_a_vosk_model_installs_nothing(
        data_home: Path, server: ModelServer, tmp_path: Path) -> None:
    folder = tmp_path / "notamodel" / NAME
    folder.mkdir(parents=True)
    (folder / "README").write_text("just a readme\n")
    archive = shutil.make_archive(str(tmp_path / "plain"), "zip", folder.parent)
    server.add_model(NAME, Path(archive).read_bytes())
    with pytest.raises(InstallError, match="not a vosk model"):
        install(server)
    assert_nothing_installed(data_home)


def test_unknown_name_suggests_close_names(data_home: Path, server: ModelServer) -> None:
    server.add_model(NAME, fake_model_zip(NAME))
    with pytest.raises(InstallError, match="no vosk model called") as error:
        install(server, "vosk-model-smal-test-0.1")
    assert NAME in error.value.fix
    assert zip_requests(server) == []


def test_server_down_says_it_cannot_reach_the_server(data_home: Path) -> None:
    with pytest.raises(InstallError, match="Cannot reach"):
        model_install.install_model(NAME, base=free_port_url(), progress=False)
    assert_nothing_installed(data_home)


def test_server_error_is_named(data_home: Path, server: ModelServer) -> None:
    server.add_model(NAME, fake_model_zip(NAME))
    del server.files[f"/{NAME}.zip"]
    with pytest.raises(InstallError, match="does not have"):
        install(server)
    assert_nothing_installed(data_home)


def test_too_little_disk_space_is_refused_before_downloading(
        data_home: Path, server: ModelServer, monkeypatch: pytest.MonkeyPatch) -> None:
    server.add_model(NAME, fake_model_zip(NAME))
    nearly_full = SimpleNamespace(total=10**9, used=10**9 - 10, free=10)
    monkeypatch.setattr(shutil, "disk_usage", lambda _path: nearly_full)
    with pytest.raises(InstallError, match="disk space"):
        install(server)
    assert zip_requests(server) == []


def test_cli_installs_from_hearth_models_url_and_removes(
        data_home: Path, server: ModelServer, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    server.add_model(NAME, fake_model_zip(NAME))
    monkeypatch.setenv("HEARTH_MODELS_URL", server.base)
    assert main(["models", "install", NAME]) == 0
    assert main(["models", "list"]) == 0
    listing = capsys.readouterr().out
    assert str(models_folder(data_home) / NAME) in listing
    assert main(["models", "path", NAME]) == 0
    assert capsys.readouterr().out.strip() == str(models_folder(data_home) / NAME)
    assert main(["models", "remove", NAME]) == 0
    assert_nothing_installed(data_home)


def test_removing_a_model_hearth_did_not_install_is_refused(data_home: Path) -> None:
    with pytest.raises(ModelError, match="No model called"):
        model_install.remove_model("vosk-model-small-en-us-0.15")
