"""What the benchmark scripts share: their HTTP server in a process of its own (started with its
listening sockets, waited for until it answers, stopped on exit — also on failure —, its CPU
seconds on demand), a bad argument said in one line (exit 2), and SIGTERM stopping like Ctrl-C."""

from __future__ import annotations

import argparse
import multiprocessing
import signal
import socket
import sys
import time
import urllib.request


def listening() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(1024)
    return sock


class ServerProcess:
    """``target(*args)`` serves on ``socks`` (bound by :func:`listening`) in a forked process."""

    def __init__(self, target, args: tuple, socks: list[socket.socket], probe_path: str = "/"):
        self.ctx = multiprocessing.get_context("fork")
        self.socks = socks
        self.ports = [s.getsockname()[1] for s in socks]
        self.probe = f"http://127.0.0.1:{self.ports[0]}{probe_path}"
        self.target, self.args = target, args

    def __enter__(self):
        import psutil

        self.proc = self.ctx.Process(target=self.target, args=self.args, daemon=True)
        self.proc.start()
        for s in self.socks:  # the child holds them now
            s.close()
        try:
            for _ in range(100):  # bounded wait for the first answer
                try:
                    with urllib.request.urlopen(self.probe, timeout=5) as answer:
                        answer.read()
                    break
                except OSError:
                    time.sleep(0.1)
            else:
                raise RuntimeError("the benchmark's server did not answer")
            self.ps = psutil.Process(self.proc.pid)
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.proc.terminate()
        self.proc.join(timeout=10)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join(timeout=5)

    def cpu(self) -> float:
        t = self.ps.cpu_times()
        return t.user + t.system


class OneLineParser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2
        print(f"{self.prog}: 参数错误 bad argument: {message}", file=sys.stderr)
        sys.exit(2)


def stop_on_sigterm() -> None:
    """``kill PID`` stops the benchmark (its server, its crawls) as Ctrl-C does."""

    def interrupt(signum, frame) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)
