"""Downloading, checking, unpacking and removing vosk models.

A download goes to a `.part` file that a later run resumes (HTTP Range). Only a
zip whose size and md5 match the model list is unpacked, into a hidden temporary
folder beside the target, and only a folder that looks like a vosk model is
renamed into place. A cut, corrupt or wrong download never looks installed.
"""

from __future__ import annotations

import errno
import hashlib
import http.client
import json
import logging
import os
import shutil
import socket
import tempfile
import urllib.error
import urllib.request
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

from tqdm import tqdm

from assistant.errors import InstallError, ModelError
from assistant.model_catalog import (
    MARKER,
    CatalogEntry,
    cached_list_path,
    load_catalog,
    lookup,
    missing_model_files,
    parse_model_list,
)
from assistant.resources import data_dir

log = logging.getLogger(__name__)

OFFICIAL_URL = "https://alphacephei.com/vosk/models"
DEFAULT_MODEL = "vosk-model-small-en-us-0.15"
BLOCK = 1 << 16
ATTEMPTS = 3
"""Downloads cut mid-way are resumed this many times before giving up (the .part stays)."""


def models_base_url(configured: str = "") -> str:
    """`HEARTH_MODELS_URL`, else the config's `models_url`, else the official server."""
    return (os.environ.get("HEARTH_MODELS_URL") or configured or OFFICIAL_URL).rstrip("/")


def install_dir() -> Path:
    return data_dir() / "models"


def fetch_model_list(base: str, timeout: float = 15) -> tuple[CatalogEntry, ...]:
    """BASE/model-list.json, also kept as the cached list for offline `hearth models list`."""
    url = f"{base}/model-list.json"
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            raw = response.read()
        entries = parse_model_list(json.loads(raw), url)
    except ValueError as error:
        raise InstallError(f"The model list at {url} is not valid JSON.",
                           "Check the HEARTH_MODELS_URL / models_url mirror.") from error
    except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
        raise _network_error(error, url) from error
    cache = cached_list_path()
    cache.parent.mkdir(parents=True, exist_ok=True)
    partial = cache.with_name(cache.name + ".partial")
    partial.write_bytes(raw)
    partial.replace(cache)
    return entries


def install_model(name: str = DEFAULT_MODEL, base: str | None = None, target: Path | None = None,
                  progress: bool = True) -> Path:
    """Download, verify and unpack `name`; returns its folder (at once if already installed)."""
    base = base or models_base_url()
    target = target or install_dir()
    final = target / name
    if not missing_model_files(final):
        return final
    try:
        entries = fetch_model_list(base)
    except InstallError as error:
        if _is_http_error(error.__cause__):  # a mirror without a list: use our catalog
            log.warning("%s Using Hearth's bundled catalog.", error.message)
            entries = load_catalog()
        else:
            raise
    try:
        entry = lookup(name, entries)
    except ModelError as error:
        raise InstallError(error.message, error.fix) from error
    target.mkdir(parents=True, exist_ok=True)
    _check_space(target, entry)
    archive = target / f".{name}.zip.part"
    try:
        _download(f"{base}/{name}.zip", archive, entry, progress)
        _verify(archive, entry)
        _unpack(archive, final, entry, base)
    except OSError as error:
        if error.errno == errno.ENOSPC:
            raise _disk_full(target, entry) from error
        raise
    archive.unlink(missing_ok=True)
    return final


def remove_model(name: str, target: Path | None = None) -> Path:
    """Delete a model Hearth installed (renamed aside first, so it never looks half there)."""
    target = target or install_dir()
    path = target / name
    if not path.is_dir() or name.startswith(".") or os.sep in name:
        raise ModelError(f"No model called {name} is installed in {target}.",
                         "See `hearth models list`; Hearth removes only models it installed.")
    doomed = Path(tempfile.mkdtemp(prefix=f".{name}.removing-", dir=target))
    path.rename(doomed / name)
    shutil.rmtree(doomed)
    (target / f".{name}.zip.part").unlink(missing_ok=True)
    return path


def _download(url: str, archive: Path, entry: CatalogEntry, progress: bool) -> None:
    if archive.exists() and archive.stat().st_size > entry.size:
        archive.unlink()
    with tqdm(total=entry.size, initial=archive.stat().st_size if archive.exists() else 0,
              unit="B", unit_scale=True, unit_divisor=1024, desc=entry.name,
              disable=not progress, leave=False) as bar:
        for attempt in range(1, ATTEMPTS + 1):
            have = archive.stat().st_size if archive.exists() else 0
            if have == entry.size:
                return
            try:
                _fetch_into(url, archive, have, bar)
            except (urllib.error.HTTPError, http.client.HTTPException, OSError) as error:
                if isinstance(error, OSError) and error.errno == errno.ENOSPC:
                    raise
                if isinstance(error, urllib.error.HTTPError) or attempt == ATTEMPTS:
                    raise _network_error(error, url, archive) from error
                log.info("Download of %s cut (%s); resuming.", entry.name, error)


def _fetch_into(url: str, archive: Path, have: int, bar: tqdm) -> None:
    request = urllib.request.Request(url, headers={"Range": f"bytes={have}-"} if have else {})
    with urllib.request.urlopen(request, timeout=30) as response:
        mode = "ab" if have and response.status == 206 else "wb"
        if mode == "wb":
            bar.reset(total=bar.total)
        with archive.open(mode) as out:
            while block := response.read(BLOCK):
                out.write(block)
                bar.update(len(block))
        if response.length:  # http.client does not raise when the server closes early
            raise http.client.IncompleteRead(b"", response.length)


def _verify(archive: Path, entry: CatalogEntry) -> None:
    size = archive.stat().st_size
    digest = hashlib.md5(usedforsecurity=False)
    with archive.open("rb") as data:
        while block := data.read(1 << 20):
            digest.update(block)
    if size != entry.size or digest.hexdigest() != entry.md5:
        archive.unlink()
        what = "size" if size != entry.size else "checksum"
        raise InstallError(
            f"The download of {entry.name} is corrupt ({what} does not match the model list).",
            "Run the same command again; if it keeps failing, the server or mirror serves a "
            "different file.")


def _unpack(archive: Path, final: Path, entry: CatalogEntry, base: str) -> None:
    work = Path(tempfile.mkdtemp(prefix=f".{entry.name}.unpack-", dir=final.parent))
    try:
        try:
            with zipfile.ZipFile(archive) as zipped:
                for member in zipped.namelist():
                    if not (work / member).resolve().is_relative_to(work.resolve()):
                        raise zipfile.BadZipFile(f"unsafe path {member}")
                zipped.extractall(work)
        except (zipfile.BadZipFile, EOFError) as error:
            archive.unlink()
            raise InstallError(f"The download of {entry.name} is not a readable zip ({error}).",
                               "Run the same command again.") from error
        inner = [p for p in work.iterdir() if p.is_dir()]
        root = inner[0] if len(inner) == 1 and not (work / "am").is_dir() else work
        missing = missing_model_files(root)
        if missing:
            archive.unlink()
            raise InstallError(f"The download of {entry.name} is not a vosk model "
                               f"(it has no {missing[0]}).", "Check the mirror's zip files.")
        (root / MARKER).write_text(json.dumps(
            {"name": entry.name, "lang": entry.lang, "md5": entry.md5, "from": base}),
            encoding="utf-8")
        if final.exists():  # an incomplete leftover (a complete one returned early)
            final.rename(work / ".leftover")
        root.rename(final)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _check_space(target: Path, entry: CatalogEntry) -> None:
    # Zip plus unpacked model; vosk zips unpack to at most about twice their size.
    if shutil.disk_usage(target).free < entry.size * 3:
        raise _disk_full(target, entry)


def _disk_full(target: Path, entry: CatalogEntry) -> InstallError:
    return InstallError(f"There is not enough free disk space in {target} for {entry.name} "
                        f"({entry.size_text or entry.size} download, about three times that "
                        "while unpacking).", "Free some space and run the command again.")


def _is_http_error(error: BaseException | None) -> bool:
    return isinstance(error, urllib.error.HTTPError) and error.code == 404


def _network_error(error: BaseException, url: str, archive: Path | None = None) -> InstallError:
    host = urlsplit(url).netloc or url
    resume = (" It resumes the part already downloaded."
              if archive is not None and archive.exists() else "")
    if isinstance(error, urllib.error.HTTPError):
        what = "does not have" if error.code == 404 else f"failed to send (HTTP {error.code})"
        return InstallError(f"The model server {host} {what} {url.rsplit('/', 1)[-1]}.",
                            "Check the model name and HEARTH_MODELS_URL / models_url, or try "
                            "again later." + resume)
    reason = getattr(error, "reason", error)
    if isinstance(reason, http.client.IncompleteRead):
        reason = "the connection closed early"
    if isinstance(reason, socket.gaierror | ConnectionRefusedError | TimeoutError):
        return InstallError(f"Cannot reach the model server {host} ({reason}).",
                            "Check the network connection (or HEARTH_MODELS_URL / models_url) "
                            "and run the command again." + resume)
    return InstallError(f"The download from {host} was interrupted ({reason}).",
                        "Run the same command again." + resume)
