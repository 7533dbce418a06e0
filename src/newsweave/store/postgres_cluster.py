"""A throw-away PostgreSQL cluster on a unix socket: for the tests and the benchmark.

``initdb`` into a temporary folder, ``pg_ctl start`` listening on a socket in that
folder only (no TCP), one database created, everything removed by :meth:`stop`.
As root the server runs as the ``postgres`` user (PostgreSQL refuses to run as
root). The server gets no pipes of ours: it outlives ``pg_ctl``, and a child that
holds a caller's stdout/stderr makes ``subprocess.run(capture_output=True)`` wait
for it forever.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

SEARCH_DIRS = ("/usr/lib/postgresql/17/bin", "/usr/lib/postgresql/16/bin",
               "/usr/lib/postgresql/15/bin", "/usr/local/bin", "/usr/bin")


class ClusterError(RuntimeError):
    """The cluster could not be started (no binaries, or initdb/pg_ctl failed)."""


def find_binaries() -> Path | None:
    """The folder holding ``initdb`` and ``pg_ctl`` (PG_BIN, PATH, then Debian's folders)."""
    candidates = [os.environ.get("PG_BIN", "")]
    found = shutil.which("pg_ctl")
    if found:
        candidates.append(str(Path(found).resolve().parent))
    candidates += list(SEARCH_DIRS)
    for folder in candidates:
        if folder and (Path(folder) / "initdb").is_file() and (Path(folder) / "pg_ctl").is_file():
            return Path(folder)
    return None


@dataclass
class Cluster:
    """A running throw-away cluster; ``dsn(db)`` is a ``postgresql://`` location."""

    root: Path
    port: int
    bindir: Path
    user: str
    as_postgres: bool

    @property
    def socket_dir(self) -> Path:
        return self.root / "socket"

    def dsn(self, database: str = "postgres") -> str:
        host = quote(str(self.socket_dir), safe="")
        return f"postgresql://{self.user}@{host}:{self.port}/{database}"

    def stop(self, *, remove: bool = True) -> None:
        """Stop the server; remove its folder too unless ``remove`` is false (a kept
        cluster, :func:`open_cluster` starts it again)."""
        _run(self, [str(self.bindir / "pg_ctl"), "-D", str(self.root / "data"), "-m", "fast",
                    "-w", "stop"], check=False)
        if remove:
            shutil.rmtree(self.root, ignore_errors=True)


def create_database(admin: str, name: str) -> str:
    """A new, empty database ``name`` on the server of ``admin`` (the location of another
    of its databases), dropped first if it exists, with its sessions; its location."""
    import psycopg

    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(urlsplit(admin)._replace(path="/" + name))


@contextmanager
def scratch_database(admin: str | None, name: str) -> Iterator[str]:
    """A new, empty database ``name`` (:func:`create_database`) on the server of ``admin``;
    without one, on a throw-away cluster started here and stopped on leaving."""
    cluster = start_cluster() if admin is None else None
    try:
        yield create_database(admin if cluster is None else cluster.dsn(), name)
    finally:
        if cluster is not None:
            cluster.stop()


def start_cluster(port: int | None = None) -> Cluster:
    """initdb + start a cluster in a new temporary folder (see the module's docstring)."""
    root = Path(tempfile.mkdtemp(prefix="newsweave-pg-"))
    try:
        return open_cluster(root, port or _free_port())
    except ClusterError:
        shutil.rmtree(root, ignore_errors=True)
        raise


def open_cluster(root: Path, port: int) -> Cluster:
    """The cluster kept in ``root``, started on ``port`` if it is not running, made with
    initdb first if ``root`` holds none (a run that must outlive its process, as a
    resumable benchmark's; :meth:`Cluster.stop` removes it)."""
    bindir = find_binaries()
    if bindir is None:
        raise ClusterError("PostgreSQL's initdb/pg_ctl were not found (install Debian's "
                           "postgresql package, or set PG_BIN to their folder)")
    as_postgres = os.geteuid() == 0
    (root / "socket").mkdir(parents=True, exist_ok=True)
    user = "postgres" if as_postgres else _login()
    cluster = Cluster(root, port, bindir, user, as_postgres)
    if as_postgres:
        shutil.chown(root, "postgres")
        shutil.chown(root / "socket", "postgres")
    data = root / "data"
    if not (data / "PG_VERSION").exists():
        _run(cluster, [str(bindir / "initdb"), "-D", str(data), "-A", "trust",
                       "-U", user, "-E", "UTF8", "--no-sync"])
    running = _run(cluster, [str(bindir / "pg_ctl"), "-D", str(data), "status"], check=False)
    if running != 0:  # 3: not running (a stale postmaster.pid is pg_ctl start's to judge)
        options = (f"-k {root / 'socket'} -p {port} -c listen_addresses='' -c fsync=off "
                   "-c max_connections=60")
        _run(cluster, [str(bindir / "pg_ctl"), "-D", str(data), "-l",
                       str(root / "server.log"), "-o", options, "-w", "-t", "60", "start"])
    return cluster


def _run(cluster: Cluster, argv: list[str], *, check: bool = True) -> int:
    if cluster.as_postgres:
        argv = ["runuser", "-u", "postgres", "--", *argv]
    # Output to a file, never to a pipe: pg_ctl's server child inherits these handles.
    with open(cluster.root / "commands.log", "ab") as log:
        done = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                              check=False, timeout=120)
    if check and done.returncode != 0:
        tail = ""
        for name in ("commands.log", "server.log"):
            path = cluster.root / name
            if path.exists():
                tail += path.read_text(errors="replace")[-1500:]
        raise ClusterError(f"{Path(argv[-1]).name if argv else ''}: {' '.join(argv)} "
                           f"exited with {done.returncode}: {tail}")
    return done.returncode


def _login() -> str:
    import getpass

    return getpass.getuser()


def _free_port() -> int:
    """A port number no socket in the temp folders uses (unix sockets only: no TCP port
    is opened, the number only names the socket file)."""
    import random

    return random.randint(20000, 60000)


__all__ = ["Cluster", "ClusterError", "find_binaries", "open_cluster", "start_cluster"]
