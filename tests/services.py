"""A real redis-server and a real PostgreSQL for a test: private instances on free loopback ports in
temporary directories, stopped afterwards. They are the Debian packages `.ci/run` installs; without
them the tests that need them skip, unless ZWGK_REQUIRE_SERVICES is set (CI sets it)."""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _missing(what: str):
    if os.environ.get("ZWGK_REQUIRE_SERVICES"):
        pytest.fail(f"{what} is required here (ZWGK_REQUIRE_SERVICES) but not installed")
    pytest.skip(f"{what} not installed")


def wait_until(ready, what: str, seconds: float = 30.0) -> None:
    """Poll ``ready`` until it is true; an AssertionError naming ``what`` after ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if ready():
            return
        time.sleep(0.1)
    raise AssertionError(f"{what} did not happen within {seconds} s")


class Redis:
    """A private redis-server on a fixed loopback port that a test may kill and start again."""

    def __init__(self, binary: str):
        self.binary, self.port, self.proc = binary, free_port(), None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def ready(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def start(self) -> None:
        self.proc = subprocess.Popen([self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                      "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until(self.ready, "redis-server starting")

    def kill(self) -> None:
        """SIGKILL: a crash; without persistence every message it held is lost."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@contextlib.contextmanager
def redis_instance():
    """A :class:`Redis` (no persistence), stopped afterwards."""
    binary = shutil.which("redis-server")
    if binary is None:
        _missing("redis-server")
    server = Redis(binary)
    try:
        server.start()
        yield server
    finally:
        server.stop()


@contextlib.contextmanager
def redis_server():
    """redis://127.0.0.1:PORT/0 of a private redis-server (no persistence)."""
    with redis_instance() as server:
        yield server.url


class Postgres:
    """A private PostgreSQL cluster on a fixed loopback port that a test may stop and start again;
    ``url`` is its ``zwgk`` database, ``root`` the server (append /DATABASE); zwgk is the superuser."""

    def __init__(self, bindir: str, run_as: list[str], base: str):
        self.bindir, self.run_as, self.base = bindir, run_as, base
        self.data, self.port = os.path.join(base, "data"), free_port()
        self.root = f"postgresql://zwgk@127.0.0.1:{self.port}"
        self.url = self.root + "/zwgk"
        self.running = False

    def start(self) -> None:
        subprocess.run([*self.run_as, f"{self.bindir}/pg_ctl", "-D", self.data, "-w", "-t", "60", "-l",
                        os.path.join(self.base, "log"), "-o",
                        f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 -c fsync=off", "start"],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.running = True

    def stop(self, mode: str = "fast") -> None:
        """``fast``: as a service manager stops it (sessions ended); ``immediate``: a crash."""
        if self.running:
            subprocess.run([*self.run_as, f"{self.bindir}/pg_ctl", "-D", self.data, "-m", mode, "-w", "-t", "30", "stop"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
            self.running = False


@contextlib.contextmanager
def postgres_cluster():
    """A :class:`Postgres` (initdb, trust on loopback) with an empty ``zwgk`` database. As root the
    cluster runs as the `postgres` user the Debian package creates (PostgreSQL refuses root)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        _missing("PostgreSQL (initdb)")
    bindir = os.path.dirname(found[-1])
    run_as: list[str] = []
    owner = None
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            _missing("the postgres user")
        run_as = ["runuser", "-u", "postgres", "--"]
    base = tempfile.mkdtemp(prefix="zwgk-pg-", dir="/tmp")
    if owner is not None:
        os.chown(base, owner.pw_uid, owner.pw_gid)
    cluster = Postgres(bindir, run_as, base)
    try:
        subprocess.run([*run_as, f"{bindir}/initdb", "-D", cluster.data, "-A", "trust", "-U", "zwgk", "-E", "UTF8", "--no-sync"],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        cluster.start()
        import psycopg

        def ready() -> bool:
            try:
                psycopg.connect(cluster.root + "/postgres", connect_timeout=2).close()
                return True
            except psycopg.Error:
                return False

        wait_until(ready, "postgres starting")
        with psycopg.connect(cluster.root + "/postgres", autocommit=True) as conn:
            conn.execute("create database zwgk")
        yield cluster
    finally:
        cluster.stop("immediate")
        shutil.rmtree(base, ignore_errors=True)


@contextlib.contextmanager
def postgres_server():
    """postgresql://zwgk@127.0.0.1:PORT/zwgk of a private cluster (see :func:`postgres_cluster`)."""
    with postgres_cluster() as cluster:
        yield cluster.url


def stop_groups(procs) -> None:
    """Stop processes started with start_new_session=True, their children too: SIGTERM, then SIGKILL
    after 30 s."""
    for proc in procs:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def hosts_of(pid: int) -> list[int]:
    """The site-host processes (zwgk.site_host) among the children of ``pid``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == pid and b"zwgk.site_host" in cmdline:
            found.append(int(entry.name))
    return found
