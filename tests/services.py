"""A real redis-server and a real PostgreSQL for a test: private instances on free loopback ports in
temporary directories, stopped afterwards. They are the Debian packages `.ci/run` installs; without
them the tests that need them skip, unless ZWGK_REQUIRE_SERVICES is set (CI sets it)."""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _missing(what: str):
    if os.environ.get("ZWGK_REQUIRE_SERVICES"):
        pytest.fail(f"{what} is required here (ZWGK_REQUIRE_SERVICES) but not installed")
    pytest.skip(f"{what} not installed")


def _wait(ready, what: str, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if ready():
            return
        time.sleep(0.1)
    raise AssertionError(f"{what} did not start within {seconds} s")


@contextlib.contextmanager
def redis_server():
    """redis://127.0.0.1:PORT/0 of a private redis-server (no persistence)."""
    binary = shutil.which("redis-server")
    if binary is None:
        _missing("redis-server")
    port = free_port()
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def ready() -> bool:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    try:
        _wait(ready, "redis-server")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextlib.contextmanager
def postgres_server():
    """postgresql://zwgk@127.0.0.1:PORT/zwgk of a private cluster (initdb, trust on loopback). As root
    the cluster runs as the `postgres` user the Debian package creates (PostgreSQL refuses root)."""
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
    data = os.path.join(base, "data")
    port = free_port()
    proc = None  # the data directory once the server runs
    try:
        subprocess.run([*run_as, f"{bindir}/initdb", "-D", data, "-A", "trust", "-U", "zwgk", "-E", "UTF8", "--no-sync"],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        subprocess.run([*run_as, f"{bindir}/pg_ctl", "-D", data, "-w", "-t", "60", "-l", os.path.join(base, "log"),
                        "-o", f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off", "start"],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        proc = data
        import psycopg

        def ready() -> bool:
            try:
                psycopg.connect(f"postgresql://zwgk@127.0.0.1:{port}/postgres", connect_timeout=2).close()
                return True
            except psycopg.Error:
                return False

        _wait(ready, "postgres")
        with psycopg.connect(f"postgresql://zwgk@127.0.0.1:{port}/postgres", autocommit=True) as conn:
            conn.execute("create database zwgk")
        yield f"postgresql://zwgk@127.0.0.1:{port}/zwgk"
    finally:
        if proc is not None:
            subprocess.run([*run_as, f"{bindir}/pg_ctl", "-D", data, "-m", "immediate", "-w", "-t", "30", "stop"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
        shutil.rmtree(base, ignore_errors=True)
