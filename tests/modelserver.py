"""A real HTTP model server on 127.0.0.1 for the installer tests.

It serves `model-list.json` and `NAME.zip` files from memory, honours HTTP Range
requests like a real static file server, records every request, and can be told
to cut a file's download half-way (sending the full Content-Length, then closing).
"""

from __future__ import annotations

import hashlib
import http.server
import io
import json
import re
import threading
import zipfile
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Request:
    path: str
    range: str | None


@dataclass
class ModelServer:
    """Start with `start()`; `base` is the URL to give HEARTH_MODELS_URL."""

    files: dict[str, bytes] = field(default_factory=dict)
    cut_next: dict[str, int] = field(default_factory=dict)
    """path → how many of the next responses for it are cut after half their body."""
    requests: list[Request] = field(default_factory=list)
    _server: http.server.ThreadingHTTPServer | None = None

    @property
    def base(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def add_model(self, name: str, archive: bytes, **overrides: Any) -> dict[str, Any]:
        """Serve `archive` as NAME.zip and list it in model-list.json (official format)."""
        entry: dict[str, Any] = {
            "lang": "en-us", "lang_text": "US English", "md5": hashlib.md5(archive).hexdigest(),
            "name": name, "obsolete": "false", "size": len(archive),
            "size_text": f"{len(archive) / 1024:.1f}KiB", "type": "small",
            "url": f"https://example.invalid/{name}.zip", "version": "0.1"}
        entry.update(overrides)
        listing = json.loads(self.files.get("/model-list.json", b"[]"))
        listing = [item for item in listing if item["name"] != name] + [entry]
        self.files["/model-list.json"] = json.dumps(listing).encode()
        self.files[f"/{name}.zip"] = archive
        return entry

    def start(self) -> ModelServer:
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                owner.requests.append(Request(self.path, self.headers.get("Range")))
                body = owner.files.get(self.path)
                if body is None:
                    self.send_error(404)
                    return
                start = 0
                match = re.fullmatch(r"bytes=(\d+)-", self.headers.get("Range") or "")
                if match and int(match.group(1)) < len(body):
                    start = int(match.group(1))
                    self.send_response(206)
                    self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
                else:
                    self.send_response(200)
                part = body[start:]
                self.send_header("Content-Length", str(len(part)))
                self.end_headers()
                if owner.cut_next.get(self.path, 0) > 0:
                    owner.cut_next[self.path] -= 1
                    self.wfile.write(part[: len(part) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.wfile.write(part)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


def fake_model_zip(name: str, filler: int = 200_000, top_folder: bool = True) -> bytes:
    """A zip laid out like a vosk model (am/, conf/, graph/) with random-looking filler, so the
    download is big enough to cut half-way. Only for packaging tests: vosk cannot load it."""
    prefix = f"{name}/" if top_folder else ""
    noise = hashlib.sha256(name.encode()).digest() * (filler // 32 + 1)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr(f"{prefix}am/final.mdl", noise[:filler])
        archive.writestr(f"{prefix}conf/mfcc.conf", "--sample-frequency=16000\n")
        archive.writestr(f"{prefix}conf/model.conf", "--beam=10.0\n")
        archive.writestr(f"{prefix}graph/HCLr.fst", b"fst")
        archive.writestr(f"{prefix}graph/Gr.fst", b"fst")
        archive.writestr(f"{prefix}README", "Packaging test model\n")
    return buffer.getvalue()


def free_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens (the server is down)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"
