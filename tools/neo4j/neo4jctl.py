"""Run the project's Neo4j by hand: ``make neo4j`` (start), ``make neo4j-stop``, ``make neo4j-deps``.

``start`` starts Neo4j 5.26 Community + GDS (the same jars and launcher as the tests: tests/support/neo4j_server.py)
in the background, with its home in ``.neo4j/home`` (data kept between runs, password generated on the first run
and kept in ``.neo4j/server.json``, readable by you only), and prints on stdout only::

    export NEO4J_URI=bolt://127.0.0.1:40123 NEO4J_USER=neo4j NEO4J_PASSWORD=...

so ``eval "$(make -s neo4j)"`` sets them (progress goes to stderr). A second ``start`` while it runs prints the
same line. ``stop`` shuts it down cleanly. ``deps`` only resolves the jars (downloads on the first run).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import shlex
import signal
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.support.neo4j_server import (  # noqa: E402
    INSTALL_HINT,
    Neo4jServer,
    Neo4jUnavailable,
    free_port,
    missing_tools,
    resolve_classpath,
)

STATE_DIR = ROOT / ".neo4j"
STATE = STATE_DIR / "server.json"
HOME = STATE_DIR / "home"


def _say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _exports(state: dict[str, object]) -> str:
    pairs = {"NEO4J_URI": state["uri"], "NEO4J_USER": state["user"], "NEO4J_PASSWORD": state["password"]}
    return "export " + " ".join(f"{k}={shlex.quote(str(v))}" for k, v in pairs.items())


def _load() -> dict[str, object] | None:
    try:
        return dict(json.loads(STATE.read_text()))
    except (OSError, ValueError):
        return None


def _alive(pid: object) -> bool:
    if not isinstance(pid, int):
        return False
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    with contextlib.suppress(OSError):  # a reused pid is not our server
        return "CommunityEntryPoint" in Path(f"/proc/{pid}/cmdline").read_text(errors="replace")
    return True


def start(heap: str, pagecache: str) -> int:
    missing = missing_tools()
    if missing:
        _say(f"Neo4j を起動できません: {' と '.join(missing)} がありません。{INSTALL_HINT}")
        return 2
    state = _load()
    if state and _alive(state.get("pid")):
        _say(f"Neo4j は起動済みです (already running, pid {state['pid']}) on {state['uri']}")
        print(_exports(state))
        return 0
    STATE_DIR.mkdir(mode=0o700, exist_ok=True)
    password = str(state["password"]) if state and HOME.exists() else secrets.token_urlsafe(18)
    port = int(state["port"]) if state and HOME.exists() else free_port()  # type: ignore[call-overload]
    _say("Neo4j の jar を確認しています (resolving jars; the first run downloads about 170 MB) ...")
    server = Neo4jServer(
        home=HOME,
        bolt_port=port,
        password=password,
        heap=heap,
        pagecache=pagecache,
        classpath=resolve_classpath(),
    )
    started = time.monotonic()
    try:
        server.start()
    except Neo4jUnavailable as err:
        if "Address already in use" in str(err) or "BindException" in str(err):
            server.bolt_port = free_port()
            server.start()
        else:
            _say(f"Neo4j を起動できませんでした (failed to start):\n{err}")
            return 1
    state = {
        "pid": server.pid,
        "uri": server.uri,
        "port": server.bolt_port,
        "user": server.user,
        "password": password,
        "home": str(HOME),
        "agent": server.agent,
        "gds": server.gds_version,
    }
    STATE.write_text(json.dumps(state, indent=1))
    STATE.chmod(0o600)
    server.process = None  # keep it running after this script exits (it has its own session)
    _say(
        f"{server.agent} + GDS {server.gds_version} を起動しました on {server.uri} "
        f"({time.monotonic() - started:.0f}s; logs: {HOME / 'logs'}; stop: make neo4j-stop)"
    )
    print(_exports(state))
    return 0


def stop() -> int:
    state = _load()
    if not state or not _alive(state.get("pid")):
        _say("Neo4j は起動していません (not running)")
        return 0
    pid = int(state["pid"])  # type: ignore[call-overload]
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and _alive(pid):
        time.sleep(0.3)
    if _alive(pid):
        os.kill(pid, signal.SIGKILL)
    _say(f"Neo4j を停止しました (stopped pid {pid}); data kept in {HOME}")
    return 0


def deps() -> int:
    missing = missing_tools()
    if missing:
        _say(f"{' と '.join(missing)} がありません。{INSTALL_HINT}")
        return 2
    started = time.monotonic()
    cp = resolve_classpath(quiet=False)
    _say(
        f"Neo4j {cp.neo4j_version} + GDS {cp.gds_version}: {len(cp.jars)} jars "
        f"({sum(Path(j).stat().st_size for j in cp.jars) / 1e6:.0f} MB) in {time.monotonic() - started:.1f}s"
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("command", choices=["start", "stop", "deps"])
    ap.add_argument("--heap", default=os.environ.get("NEO4J_HEAP", "1g"))
    ap.add_argument("--pagecache", default=os.environ.get("NEO4J_PAGECACHE", "512m"))
    args = ap.parse_args(argv)
    if args.command == "start":
        return start(args.heap, args.pagecache)
    if args.command == "stop":
        return stop()
    return deps()


if __name__ == "__main__":
    sys.exit(main())
