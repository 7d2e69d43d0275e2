"""`python -m service` in a subprocess, as external checks start it."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServerProcess:
    """`python -m service` on a loopback port with a SQLite feedback store in ``tmp_path``."""

    def __init__(self, tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.db = tmp_path / "feedback.db"
        full_env = {**os.environ, "MEDCASH_SERVICE_DATABASE_URL": f"sqlite:///{self.db}", **(env or {})}
        self.log = open(tmp_path / "server.log", "wb")  # closed in stop()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "service", "--port", str(self.port), *args],
            stdout=self.log,
            stderr=self.log,
            env=full_env,
        )

    def wait_ready(self, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}")
            try:
                with urllib.request.urlopen(self.url + "/readyz", timeout=2) as resp:
                    if resp.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise TimeoutError("server did not become ready")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


# Debian's chromium (.ci/run installs it); Playwright never downloads a browser here.
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def chromium_browser():
    """A headless Chromium for browser tests (a generator for a module-scoped fixture); skips the
    test when Debian's chromium or Playwright is missing."""
    import pytest

    if CHROMIUM is None:
        pytest.skip("Debian chromium is not installed (.ci/run installs it)")
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync"],
        )  # fmt: skip
        yield browser
        browser.close()
