"""Start and stop a real Neo4j 5.26 Community server (with the GDS Community plugin) as its own process.

The jars come from Maven Central through the small Maven project in ``tools/neo4j/`` (cached in the local Maven
repository, ``~/.m2``: the first resolution downloads about 160 MB, later ones nothing). The server is started
the way the distribution's ``bin/neo4j`` starts it: ``java -cp <jars> org.neo4j.server.CommunityEntryPoint
--home-dir=… --config-dir=…``, with a generated ``neo4j.conf`` (Bolt only, on a free loopback port; HTTP off;
usage reports off; heap and page cache sized to sit beside the test suite on a 2-core machine) and a generated
password set before the first start (``neo4j-admin dbms set-initial-password``, so the default password is
never live). It is ready when a driver's ``get_server_info().agent`` starts with ``Neo4j/``.

Used by the test session (``tests/conftest.py``), the benchmarks and ``make neo4j`` (``tools/neo4j/neo4jctl.py``).

>>> server = start_neo4j()                      # doctest: +SKIP
>>> server.uri, server.agent                     # doctest: +SKIP
('bolt://127.0.0.1:41234', 'Neo4j/5.26.30')
>>> server.kill(); server.start()                # a crash, then recovery on the same port and data  # doctest: +SKIP
>>> server.stop()                                # SIGTERM, wait, remove the home  # doctest: +SKIP
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import neo4j

__all__ = [
    "INSTALL_HINT",
    "Classpath",
    "Neo4jServer",
    "Neo4jUnavailable",
    "free_port",
    "java_command",
    "missing_tools",
    "neo4j_server",
    "resolve_classpath",
    "start_neo4j",
]

ROOT = Path(__file__).resolve().parents[2]
TOOLS = ROOT / "tools" / "neo4j"
POM = TOOLS / "pom.xml"
TARGET = TOOLS / "target"

INSTALL_HINT = "Java 17 (or 21) and Maven are needed: apt-get install openjdk-17-jre-headless maven"
"""What to install when Java or Maven is missing (one line, printed by skipped tests)."""

DEFAULT_HEAP = "512m"
DEFAULT_PAGECACHE = "128m"
USER = "neo4j"

MAIN_CLASS = "org.neo4j.server.CommunityEntryPoint"
ADMIN_CLASS = "org.neo4j.cli.AdminTool"

# What the distribution's launcher adds (bin/neo4j, server.jvm.additional in the default neo4j.conf), less what
# only matters for big production heaps.
JVM_FLAGS = (
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+ExitOnOutOfMemoryError",
    "-XX:+UnlockExperimentalVMOptions",
    "-XX:+TrustFinalNonStaticFields",
    "-XX:+DisableExplicitGC",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Dlog4j2.disable.jmx=true",
    "-Dfile.encoding=UTF-8",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
    "--enable-native-access=ALL-UNNAMED",
)


class Neo4jUnavailable(RuntimeError):
    """Java or Maven is missing, the jars could not be resolved, or the server did not come up (the message
    says which, with the end of the server's log)."""


# ---------------------------------------------------------------- tools and jars


def java_command() -> str | None:
    """The ``java`` to run Neo4j 5.26 with: ``$JAVA_HOME/bin/java`` or the one on PATH, if it is 17 to 21."""
    home = os.environ.get("JAVA_HOME")
    candidates = [str(Path(home) / "bin" / "java")] if home else []
    on_path = shutil.which("java")
    if on_path:
        candidates.append(on_path)
    for java in candidates:
        if Path(java).exists() and _java_major(java) in range(17, 22):
            return java
    return None


def _java_major(java: str) -> int | None:
    try:
        out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=30).stderr
    except (OSError, subprocess.TimeoutExpired):
        return None
    m = re.search(r'version "(\d+)', out)
    return int(m.group(1)) if m else None


def missing_tools() -> list[str]:
    """What is missing to run the server here: ``["java 17-21", "mvn"]`` or a part of it (empty: all there)."""
    missing = []
    if java_command() is None:
        missing.append("java 17-21")
    if shutil.which("mvn") is None:
        missing.append("mvn")
    return missing


@dataclass(frozen=True)
class Classpath:
    """The server's jars (``jars``, all of them, for ``-cp``) and those of the GDS plugin (``plugins``, the
    procedure jars Neo4j scans in its plugins directory)."""

    jars: tuple[str, ...]
    plugins: tuple[str, ...]
    neo4j_version: str
    gds_version: str


def _pom_versions() -> tuple[str, str]:
    text = POM.read_text(encoding="utf-8")
    neo = re.search(r"<neo4j\.version>([^<]+)</neo4j\.version>", text)
    gds = re.search(r"<gds\.version>([^<]+)</gds\.version>", text)
    if not neo or not gds:
        raise Neo4jUnavailable(f"{POM} names no neo4j.version / gds.version")
    return neo.group(1), gds.group(1)


def resolve_classpath(*, offline: bool = False, quiet: bool = True) -> Classpath:
    """Ask Maven for the classpaths of ``tools/neo4j/pom.xml`` (downloading into ``~/.m2`` what is missing).

    The answer is kept in ``tools/neo4j/target/`` with the pom's hash; it is reused while the pom is unchanged
    and every jar it names still exists, so only the first call (or one after a version change) runs Maven.
    """
    TARGET.mkdir(parents=True, exist_ok=True)
    stamp = TARGET / "pom.sha256"
    all_file, gds_file = TARGET / "classpath.txt", TARGET / "gds-classpath.txt"
    digest = hashlib.sha256(POM.read_bytes()).hexdigest()
    neo, gds = _pom_versions()
    if stamp.exists() and stamp.read_text().strip() == digest and all_file.exists() and gds_file.exists():
        cp = _read_classpath(all_file, gds_file, neo, gds)
        if all(Path(j).exists() for j in cp.jars):
            return cp
    if shutil.which("mvn") is None:
        raise Neo4jUnavailable(f"Maven (mvn) is not on PATH. {INSTALL_HINT}")
    cmd = ["mvn", "-B", "-Dstyle.color=never", "-f", str(POM), "validate"]
    if quiet:
        cmd.insert(1, "-q")
    if offline:
        cmd.insert(1, "-o")
    started = time.monotonic()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=TOOLS, timeout=3600)
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-30:])
        raise Neo4jUnavailable(f"Maven could not resolve the Neo4j jars ({' '.join(cmd)}):\n{tail}")
    cp = _read_classpath(all_file, gds_file, neo, gds)
    stamp.write_text(digest + "\n")
    if not quiet:
        print(f"resolved {len(cp.jars)} jars in {time.monotonic() - started:.1f}s")
    return cp


def _read_classpath(all_file: Path, gds_file: Path, neo: str, gds: str) -> Classpath:
    jars = tuple(j for j in all_file.read_text().strip().split(os.pathsep) if j)
    plugins = tuple(j for j in gds_file.read_text().strip().split(os.pathsep) if j)
    if not jars or not plugins:
        raise Neo4jUnavailable(f"empty classpath in {all_file} / {gds_file}: delete {TARGET} and retry")
    return Classpath(jars, plugins, neo, gds)


# ---------------------------------------------------------------- ports


def _port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.2)
        return s.connect_ex((host, port)) == 0


def free_port() -> int:
    """A loopback TCP port nothing listens on right now (the kernel's choice)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# ---------------------------------------------------------------- the server


def _config(port: int, pagecache: str, extra: Mapping[str, str]) -> str:
    settings = {
        "server.default_listen_address": "127.0.0.1",
        "server.default_advertised_address": "127.0.0.1",
        "server.bolt.enabled": "true",
        "server.bolt.listen_address": f"127.0.0.1:{port}",
        "server.bolt.advertised_address": f"127.0.0.1:{port}",
        "server.bolt.tls_level": "DISABLED",
        "server.http.enabled": "false",
        "server.https.enabled": "false",
        "server.memory.pagecache.size": pagecache,
        "server.directories.plugins": "plugins",
        "dbms.security.procedures.unrestricted": "gds.*",
        "dbms.usage_report.enabled": "false",
        "db.tx_log.rotation.retention_policy": "2 files",
        **extra,
    }
    lines = ["# Generated by tests/support/neo4j_server.py: do not edit (rewritten at every start)."]
    lines += [f"{k}={v}" for k, v in settings.items()]
    return "\n".join(lines) + "\n"


@dataclass
class Neo4jServer:
    """A Neo4j server process on ``127.0.0.1:bolt_port`` with its own home directory.

    ``start`` runs it (and sets the password on the first start), ``kill`` is a crash (SIGKILL, data kept),
    ``terminate`` a clean shutdown (data kept), ``stop`` a clean shutdown that also removes the home
    directory when this object created it.
    """

    home: Path
    bolt_port: int
    password: str
    heap: str = DEFAULT_HEAP
    pagecache: str = DEFAULT_PAGECACHE
    settings: dict[str, str] = field(default_factory=dict)
    user: str = USER
    process: subprocess.Popen[bytes] | None = None
    agent: str | None = None
    gds_version: str | None = None
    started_in: float | None = None
    owns_home: bool = False
    classpath: Classpath | None = None

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.bolt_port}"

    @property
    def auth(self) -> tuple[str, str]:
        return (self.user, self.password)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    @property
    def log_path(self) -> Path:
        return self.home / "logs" / "neo4j.log"

    def env(self) -> dict[str, str]:
        """``NEO4J_URI``, ``NEO4J_USER``, ``NEO4J_PASSWORD`` of this server."""
        return {"NEO4J_URI": self.uri, "NEO4J_USER": self.user, "NEO4J_PASSWORD": self.password}

    # -- lifecycle

    def start(self, *, timeout: float = 240.0) -> Neo4jServer:
        """Start the server (on this object's port and home) and wait until Bolt answers as Neo4j."""
        if self.running:
            return self
        java = java_command()
        if java is None:
            raise Neo4jUnavailable(f"no Java 17-21 found (JAVA_HOME or java on PATH). {INSTALL_HINT}")
        cp = self.classpath = self.classpath or resolve_classpath()
        for sub in ("conf", "data", "logs", "plugins", "import", "run"):
            (self.home / sub).mkdir(parents=True, exist_ok=True)
        (self.home / "conf" / "neo4j.conf").write_text(
            _config(self.bolt_port, self.pagecache, self.settings), encoding="utf-8"
        )
        plugins = self.home / "plugins"
        for old in plugins.iterdir():
            old.unlink()
        for jar in cp.plugins:
            (plugins / Path(jar).name).symlink_to(jar)
        classpath = os.pathsep.join(cp.jars)
        env = {**os.environ, "NEO4J_HOME": str(self.home), "NEO4J_CONF": str(self.home / "conf")}
        if (
            not (self.home / "data" / "dbms" / "auth.ini").exists()
            and not (self.home / "data" / "databases" / "system").exists()
        ):
            self._set_initial_password(java, classpath, env)
        started = time.monotonic()
        console = open(self.home / "logs" / "console.log", "ab")  # noqa: SIM115 - the child keeps it
        try:
            self.process = subprocess.Popen(
                [
                    java,
                    f"-Xms{self.heap}",
                    f"-Xmx{self.heap}",
                    *JVM_FLAGS,
                    "-cp",
                    classpath,
                    MAIN_CLASS,
                    f"--home-dir={self.home}",
                    f"--config-dir={self.home / 'conf'}",
                ],
                stdout=console,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=env,
                cwd=self.home,
                start_new_session=True,  # its own process group: a Ctrl-C in the test run reaches us, not it
            )
        finally:
            console.close()
        try:
            self.wait_ready(timeout=timeout)
        except BaseException:
            self.kill()
            raise
        self.started_in = time.monotonic() - started
        return self

    def _set_initial_password(self, java: str, classpath: str, env: dict[str, str]) -> None:
        proc = subprocess.run(
            [java, "-Xmx128m", "-cp", classpath, ADMIN_CLASS, "dbms", "set-initial-password", self.password],
            capture_output=True,
            text=True,
            env=env,
            cwd=self.home,
            timeout=300,
        )
        if proc.returncode != 0:
            out = (proc.stdout + proc.stderr).replace(self.password, "***")
            raise Neo4jUnavailable(f"neo4j-admin dbms set-initial-password failed:\n{out[-2000:]}")

    def wait_ready(self, *, timeout: float = 240.0) -> None:
        """Block until a driver session answers over Bolt and the server says it is Neo4j (with GDS)."""
        import neo4j

        deadline = time.monotonic() + timeout
        last: Exception | None = None
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise Neo4jUnavailable(
                    f"Neo4j exited with code {self.process.returncode}:\n{self.log_tail()}"
                )
            if _port_open(self.bolt_port):
                try:
                    with neo4j.GraphDatabase.driver(
                        self.uri, auth=self.auth, connection_timeout=5.0, connection_acquisition_timeout=5.0
                    ) as drv:
                        agent = drv.get_server_info().agent
                        if not agent.startswith("Neo4j/"):
                            raise Neo4jUnavailable(f"{self.uri} is not Neo4j: agent {agent!r}")
                        records, _, _ = drv.execute_query("RETURN gds.version() AS v")
                    self.agent = agent
                    self.gds_version = str(records[0]["v"])
                    return
                except Neo4jUnavailable:
                    raise
                except Exception as err:  # not ready yet (the port opens before the databases are up)
                    last = err
            time.sleep(0.25)
        raise Neo4jUnavailable(
            f"Neo4j did not answer on {self.uri} within {timeout:.0f}s: {last}\n{self.log_tail()}"
        )

    def kill(self) -> None:
        """Stop the process now (SIGKILL), keeping the data: a crash."""
        if self.process is None:
            return
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=60)
        self.process = None

    def terminate(self, *, timeout: float = 90.0) -> None:
        """Shut down cleanly (SIGTERM: Neo4j checkpoints and closes), SIGKILL after ``timeout``; data kept."""
        if self.process is None:
            return
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        self.process = None

    def restart(self, *, timeout: float = 240.0) -> Neo4jServer:
        """A clean shutdown, then a start on the same port with the same data."""
        self.terminate()
        return self.start(timeout=timeout)

    def stop(self) -> None:
        """Shut down, and remove the home directory if this object created it."""
        self.terminate()
        if self.owns_home:
            shutil.rmtree(self.home, ignore_errors=True)

    def driver(self, **config: Any) -> neo4j.Driver:
        import neo4j

        return neo4j.GraphDatabase.driver(self.uri, auth=self.auth, **config)

    def log_tail(self, lines: int = 40) -> str:
        out = []
        for path in (self.home / "logs" / "console.log", self.log_path):
            with contextlib.suppress(OSError):
                text = path.read_text(errors="replace").replace(self.password, "***")
                out.append(f"--- {path.name}\n" + "\n".join(text.splitlines()[-lines:]))
        return "\n".join(out)

    def __enter__(self) -> Neo4jServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_neo4j(
    *,
    home: str | Path | None = None,
    heap: str | None = None,
    pagecache: str | None = None,
    settings: Mapping[str, str] | None = None,
    timeout: float = 240.0,
    attempts: int = 3,
    stop_at_exit: bool = True,
) -> Neo4jServer:
    """Start a fresh Neo4j on a free loopback port with a new password; returns once Bolt answers as Neo4j.

    ``heap`` / ``pagecache`` default to ``NEO4J_TEST_HEAP`` / ``NEO4J_TEST_PAGECACHE`` or 512m / 128m. Retries on
    another port if the chosen one was taken between choosing and binding it.
    """
    heap = heap or os.environ.get("NEO4J_TEST_HEAP", DEFAULT_HEAP)
    pagecache = pagecache or os.environ.get("NEO4J_TEST_PAGECACHE", DEFAULT_PAGECACHE)
    cp = resolve_classpath()
    last: Exception | None = None
    for _ in range(attempts):
        owns = home is None
        path = Path(tempfile.mkdtemp(prefix="neo4j-")) if home is None else Path(home)
        server = Neo4jServer(
            home=path,
            bolt_port=free_port(),
            password="t" + secrets.token_urlsafe(18),  # never "-…" (neo4j-admin would take it for an option)
            heap=heap,
            pagecache=pagecache,
            settings=dict(settings or {}),
            owns_home=owns,
            classpath=cp,
        )
        try:
            server.start(timeout=timeout)
        except Neo4jUnavailable as err:
            last = err
            server.stop()
            if "Address already in use" not in str(err) and "BindException" not in str(err):
                raise
            continue
        if stop_at_exit:
            atexit.register(server.stop)  # a crashed run must not leave a JVM behind
        return server
    raise Neo4jUnavailable(f"could not start Neo4j after {attempts} attempts: {last}")


@contextlib.contextmanager
def neo4j_server(**kwargs: Any) -> Iterator[Neo4jServer]:
    """``with neo4j_server() as server: ...``: started, then stopped and its home removed."""
    server = start_neo4j(**kwargs)
    try:
        yield server
    finally:
        server.stop()
