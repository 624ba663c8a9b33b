"""A throwaway PostgreSQL server for the history tests: Debian's server binaries
(/usr/lib/postgresql/*/bin, installed by `scripts/dev.sh test`), a data directory in a temp folder,
run as the `postgres` user when the tests run as root (PostgreSQL refuses root), on a free port."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from itertools import count
from pathlib import Path

import psycopg


def server_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    return Path(found[-1]).parent if found else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    bin: Path
    data: Path
    port: int
    as_postgres: bool
    numbers = count(1)

    def _run(self, *args: str) -> subprocess.CompletedProcess:
        command = [*(["runuser", "-u", "postgres", "--"] if self.as_postgres else []), *args]
        return subprocess.run(command, capture_output=True, text=True, timeout=120)

    def start(self) -> None:
        init = self._run(str(self.bin / "initdb"), "-D", str(self.data / "db"), "-U", "postgres",
                         "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8")  # fmt: skip
        if init.returncode:
            raise RuntimeError(f"initdb failed: {init.stderr}")
        options = (
            f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50"
        )
        started = self._run(str(self.bin / "pg_ctl"), "-D", str(self.data / "db"), "-o", options,
                            "-l", str(self.data / "server.log"), "-w", "-t", "60", "start")  # fmt: skip
        if started.returncode:
            log = (self.data / "server.log").read_text(errors="replace")
            raise RuntimeError(f"pg_ctl start failed: {started.stderr}\n{log}")

    def stop(self) -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data / "db"), "-m", "immediate", "-w", "stop")

    def new_database(self) -> str:
        """A fresh, empty schema in the server's test database, as the SQLAlchemy URL of a database whose
        search path is that schema (schemas, unlike databases, cost a few files each to make and remove)."""
        number = next(self.numbers)
        dsn = f"host=127.0.0.1 port={self.port} user=postgres"
        if number == 1:
            with psycopg.connect(f"{dsn} dbname=postgres", autocommit=True) as c:
                c.execute("CREATE DATABASE kpi_test")
        with psycopg.connect(f"{dsn} dbname=kpi_test", autocommit=True) as c:
            c.execute(f"CREATE SCHEMA t{number}")
        return (
            f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/kpi_test?options=-csearch_path%3Dt{number}"
        )


def start_server() -> tuple[Server | None, str]:
    """A running server, or None and why not (the message a skipped test shows)."""
    binaries = server_bin()
    if binaries is None:
        return None, (
            "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): "
            "`apt-get install postgresql` (scripts/dev.sh test does) to run the history tests on it"
        )
    as_postgres = os.getuid() == 0
    data = Path(tempfile.mkdtemp(prefix="kpi-pg-"))
    if as_postgres:
        shutil.chown(data, "postgres", "postgres")
    server = Server(binaries, data, free_port(), as_postgres)
    try:
        server.start()
    except (RuntimeError, OSError, subprocess.TimeoutExpired, LookupError) as exc:
        shutil.rmtree(data, ignore_errors=True)
        return None, f"PostgreSQL could not be started from {binaries}: {exc}"
    return server, ""
