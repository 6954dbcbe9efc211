"""A private, throw-away PostgreSQL cluster a test may stop and start at will.

The shared server on 5432 serves other people, so the outage tests never touch it: they
``initdb`` their own cluster into a temporary directory, on a free port, with its unix socket in
that directory. Where the PostgreSQL server binaries are missing (a laptop), the tests skip.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.faults.processes import free_port

_OWNER = "postgres"
_START_TIMEOUT_S = 30


def _bin_dir() -> Path | None:
    """The newest installed server's bin directory (Debian layout), or one on PATH."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_major_version)
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("initdb")
    return Path(on_path).parent if on_path else None


def _major_version(initdb: str) -> int:
    version = Path(initdb).parent.parent.name
    return int(version) if version.isdigit() else 0


class PostgresCluster:
    """One cluster: ``start()``, ``stop(mode)``, ``url``; removed by ``destroy()``."""

    def __init__(self, bin_dir: Path, data_dir: Path, port: int) -> None:
        self.bin_dir = bin_dir
        self.data_dir = data_dir
        self.port = port
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres?connect_timeout=2"

    @classmethod
    def create(cls) -> PostgresCluster:
        bin_dir = _bin_dir()
        if bin_dir is None:
            pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
        # pytest's tmp_path is private to root; the server runs as the postgres OS user.
        root = Path(tempfile.mkdtemp(prefix="lens-pg-"))
        root.chmod(0o755)
        data_dir = root / "data"
        cluster = cls(bin_dir, data_dir, free_port())
        cluster._as_owner(
            "initdb",
            "-D",
            str(data_dir),
            "-A",
            "trust",
            "-U",
            "postgres",
            "--no-sync",
            "-E",
            "UTF8",
            "--locale",
            "C.UTF-8",
        )
        return cluster

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.data_dir} -c listen_addresses=127.0.0.1 "
            # fsync off is safe against a server crash (the OS keeps the writes); asynchronous
            # commit would not be, and would lose acknowledged work on `stop("immediate")`.
            "-c fsync=off -c full_page_writes=off"
        )
        self._as_owner(
            "pg_ctl",
            "start",
            "-D",
            str(self.data_dir),
            "-w",
            "-t",
            str(_START_TIMEOUT_S),
            "-l",
            str(self.data_dir / "server.log"),
            "-o",
            options,
        )
        self._wait_until_ready()

    def stop(self, mode: str = "fast") -> None:
        """``immediate`` is a crash: connections drop with no goodbye, as in a power cut."""
        self._as_owner("pg_ctl", "stop", "-D", str(self.data_dir), "-w", "-m", mode)

    def is_running(self) -> bool:
        status = subprocess.run(
            self._command("pg_ctl", "status", "-D", str(self.data_dir)),
            capture_output=True,
            check=False,
        )
        return status.returncode == 0

    def destroy(self) -> None:
        if self.is_running():
            self.stop("immediate")
        shutil.rmtree(self.data_dir.parent, ignore_errors=True)

    def _wait_until_ready(self) -> None:
        engine = create_engine(self.url)
        deadline = time.monotonic() + _START_TIMEOUT_S
        try:
            while True:
                try:
                    with engine.connect() as connection:
                        connection.execute(text("SELECT 1"))
                    return
                except Exception:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.1)
        finally:
            engine.dispose()

    def _command(self, program: str, *args: str) -> list[str]:
        command = [str(self.bin_dir / program), *args]
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            command = ["runuser", "-u", _OWNER, "--", *command]
        return command

    def _as_owner(self, program: str, *args: str) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.data_dir.parent, user=_OWNER)
        result = subprocess.run(
            self._command(program, *args), capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            log = self.data_dir / "server.log"
            tail = log.read_text()[-2000:] if log.exists() else ""
            raise RuntimeError(f"{program} failed: {result.stderr or result.stdout}\n{tail}")
