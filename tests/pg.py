"""A throwaway PostgreSQL server for the tests: `initdb` + `pg_ctl` in a temporary folder.

Unix socket only (no TCP port, so parallel runs never collide), trust authentication, no fsync.
As root the server runs as the `postgres` user. Tests that need it skip with the reason when no
PostgreSQL binaries or no psycopg are installed (`.ci/run` installs Debian's `postgresql`).
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path


def find_bin() -> Path | None:
    """The folder holding `initdb` and `pg_ctl` (PATH first, then Debian's layout)."""
    found = shutil.which("pg_ctl")
    if found and shutil.which("initdb"):
        return Path(found).parent
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if (Path(folder) / "pg_ctl").exists() and (Path(folder) / "initdb").exists():
            return Path(folder)
    return None


def skip_reason() -> str | None:
    """Why PostgreSQL tests cannot run here, or None."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed (pip install -e '.[postgres]')"
    if find_bin() is None:
        return "no PostgreSQL binaries (initdb, pg_ctl): apt-get install postgresql"
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return "running as root without runuser to start PostgreSQL as its own user"
    return None


class TempPostgres:
    """A running throwaway server; `new_url()` gives a fresh empty database's URL."""

    def __init__(self) -> None:
        bin_dir = find_bin()
        assert bin_dir is not None
        self.dir = Path(tempfile.mkdtemp(prefix="toolkit-pg-"))
        self.data = self.dir / "data"
        self._as = []
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
            self._as = ["runuser", "-u", "postgres", "--"]
        self._pg_ctl = str(bin_dir / "pg_ctl")
        self._run([str(bin_dir / "initdb"), "-D", str(self.data), "-A", "trust", "-U",
                   "postgres", "-E", "UTF8", "--no-sync", "--no-instructions"])
        self.start()

    def start(self) -> None:
        """Start the server (initialised in `__init__`); returns once it accepts connections."""
        opts = (f"-k {self.dir} -c listen_addresses='' -p 5432 -F -c max_connections=200 "
                "-c synchronous_commit=off -c full_page_writes=off")
        self._run([self._pg_ctl, "-D", str(self.data), "-l", str(self.dir / "log"), "-o", opts,
                   "-w", "-t", "30", "start"])

    def restart(self) -> None:
        """Stop the server (fast: every connection is cut, committed data kept), then start it."""
        self._run([self._pg_ctl, "-D", str(self.data), "-m", "fast", "-w", "stop"])
        self.start()

    def _run(self, cmd: list[str]) -> None:
        done = subprocess.run([*self._as, *cmd], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{cmd[0]} failed: {done.stdout}{done.stderr}")

    def url(self, db: str = "postgres") -> str:
        """The URL of database `db` on this server (unix socket)."""
        return f"postgresql://postgres@/{db}?host={self.dir}"

    def new_url(self) -> str:
        """Create an empty database and return its URL."""
        import psycopg

        name = "t_" + uuid.uuid4().hex[:12]
        with psycopg.connect(f"host={self.dir} user=postgres dbname=postgres",
                             autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return self.url(name)

    def stop(self) -> None:
        """Stop the server at once and remove its folder."""
        try:
            self._run([self._pg_ctl, "-D", str(self.data), "-m", "immediate", "stop"])
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)
