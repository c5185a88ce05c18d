"""A throwaway PostgreSQL server for the tests: a temporary data directory, run as an unprivileged user.

``PgServer`` finds Debian's server binaries (``/usr/lib/postgresql/N/bin``, newest first, else ``PATH``), runs
``initdb`` and ``pg_ctl start`` on a free loopback port (as the ``postgres`` system user when the tests run as root:
the server refuses root), and ``stop`` removes it all. ``new_database`` makes an empty database per test.
``$MARSAD_TEST_PG`` (a DSN of a server you run yourself) skips the start. Used by ``tests/conftest.py``.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path


def server_bin() -> Path | None:
    """The folder holding initdb and pg_ctl, or None when PostgreSQL is not installed."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]), reverse=True)
    if found:
        return found[0].parent
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PgServer:
    """One PostgreSQL cluster in a temporary folder, started on ``start`` and removed on ``stop``."""

    def __init__(self, settings: str = "") -> None:
        self.dsn_base = os.environ.get("MARSAD_TEST_PG") or ""
        self.settings = settings          # more server options (``-c name=value ...``), e.g. a benchmark's memory
        self.folder: Path | None = None
        self.port = 0
        self._user: str | None = None

    def _run(self, *args: str | Path) -> None:
        cmd = [str(a) for a in args]
        if self._user:
            cmd = ["runuser", "-u", self._user, "--", *cmd]
        subprocess.run(cmd, check=True, capture_output=True, timeout=120)

    def start(self) -> str:
        """Start the server (unless ``$MARSAD_TEST_PG`` names one) and return the DSN of its ``postgres`` db."""
        if self.dsn_base:
            return self.dsn_base
        bin_dir = server_bin()
        if bin_dir is None:
            raise RuntimeError("PostgreSQL is not installed (apt-get install postgresql; scripts/test.sh does it)")
        self.folder = Path(tempfile.mkdtemp(prefix="marsad-pg-"))
        if os.geteuid() == 0:                       # the server will not run as root
            self._user = "postgres"
            entry = pwd.getpwnam(self._user)
            os.chown(self.folder, entry.pw_uid, entry.pw_gid)
        data = self.folder / "data"
        try:
            self._run(bin_dir / "initdb", "-D", data, "-U", "marsad", "--auth=trust", "-E", "UTF8",
                      "--locale=C.UTF-8")
            self.port = _free_port()
            options = (f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off "
                       "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200 " + self.settings)
            self._run(bin_dir / "pg_ctl", "-D", data, "-o", options, "-l", self.folder / "server.log", "-w", "start")
        except BaseException:
            self.stop()                         # no half-started server or folder left behind
            raise
        self.dsn_base = f"postgresql://marsad@127.0.0.1:{self.port}/postgres"
        return self.dsn_base

    def new_database(self) -> str:
        """An empty database on the server: its DSN."""
        import psycopg

        name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.dsn_base, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.dsn_base.rsplit("/", 1)[0] + f"/{name}"

    def drop_database(self, dsn: str) -> None:
        """Drop a database made by ``new_database`` (its connections are ended first)."""
        import psycopg

        name = dsn.rsplit("/", 1)[1]
        with psycopg.connect(self.dsn_base, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        """Stop the server and remove its folder (nothing for a server given by ``$MARSAD_TEST_PG``)."""
        if self.folder is None:
            return
        bin_dir = server_bin()
        with contextlib.suppress(Exception):
            if bin_dir is not None:
                self._run(bin_dir / "pg_ctl", "-D", self.folder / "data", "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder = None
