"""What the network between a host and its mirror can hand it, for the hostile scenarios: an
https mirror that wants a login, and `cuda-keyring` packages holding chosen keys."""

from __future__ import annotations

import base64
import http.server
import shutil
import ssl
import subprocess
import threading
from pathlib import Path
from types import TracebackType

KEYRINGS = Path(__file__).resolve().parents[1] / "unit" / "tasks" / "keyrings"
KEY_FILES = {"nvidia": KEYRINGS / "nvidia-3bf863cc.gpg", "attacker": KEYRINGS / "not-nvidia.gpg"}
POSTINST_MARKER = "/var/tmp/keyring-postinst-ran"


def keyring_package(folder: Path, keys: tuple[str, ...]) -> Path:
    """A `cuda-keyring_1.1-1_all.deb` whose keyring holds `keys` (names of `KEY_FILES`), in
    NVIDIA's layout, with a postinst that leaves `POSTINST_MARKER` if it ever runs."""
    root = folder / "root"
    keyring = root / "usr/share/keyrings/cuda-archive-keyring.gpg"
    keyring.parent.mkdir(parents=True)
    keyring.write_bytes(b"".join(KEY_FILES[key].read_bytes() for key in keys))
    control = root / "DEBIAN"
    control.mkdir()
    (control / "control").write_text(
        "Package: cuda-keyring\nVersion: 1.1-1\nArchitecture: all\n"
        "Maintainer: cudatools <cudatools@nvidia.com>\n"
        "Description: Enrolls public key: 3bf863cc (2022) and enables repo: debian12/x86_64\n"
    )
    postinst = control / "postinst"
    postinst.write_text(f"#!/bin/sh\ntouch {POSTINST_MARKER}\n")
    postinst.chmod(0o755)
    package = folder / "cuda-keyring_1.1-1_all.deb"
    subprocess.run(["dpkg-deb", "--root-owner-group", "-b", str(root), str(package)],
                   check=True, capture_output=True)  # fmt: skip
    return package


def upload_command(data: bytes, path: str) -> str:
    """A shell line that writes `data` to `path` (through base64, so no stdin is needed)."""
    return f"echo {base64.b64encode(data).decode()} | base64 -d > {path}"


class LoginMirror:
    """An https server on 127.0.0.1 with a throwaway certificate, serving `files` only to
    a request that carries the login `user`/`password`; `logins` records what came."""

    def __init__(self, folder: Path, files: dict[str, bytes], *, user: str, password: str) -> None:
        folder.mkdir(parents=True)
        openssl = shutil.which("openssl")
        assert openssl is not None, "scripts/setup-machine installs openssl"
        self._key, certificate = folder / "key.pem", folder / "certificate.pem"
        subprocess.run(
            [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
             "-keyout", str(self._key), "-out", str(certificate), "-subj", "/CN=127.0.0.1",
             "-addext", "subjectAltName=IP:127.0.0.1"],
            check=True, capture_output=True,
        )  # fmt: skip
        self.certificate = certificate.read_bytes()
        self._certificate_path = certificate
        self.logins: set[tuple[str, str]] = set()
        expected = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        mirror = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                given = self.headers.get("Authorization", "")
                if given.startswith("Basic "):
                    name, _, word = base64.b64decode(given[6:]).decode().partition(":")
                    mirror.logins.add((name, word))
                body = files.get(self.path)
                if given != expected:
                    self.send_response(401)
                    self.send_header("WWW-Authenticate", 'Basic realm="mirror"')
                    self.end_headers()
                elif body is None:
                    self.send_error(404)
                else:
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)

            def log_message(self, format: str, *arguments: object) -> None:
                return

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(str(self._certificate_path), str(self._key))
        self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> LoginMirror:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)
