"""No traceback reaches a user: every ``tsunagari`` command, given binary, empty, huge, deeply nested or wrongly
encoded input (and bad option values), ends with exit status 0 or 2, a Japanese message when it fails, and leaves
no store behind that it created empty.

Commands run in-process through the real entry point's boundary (:func:`graphsvc.cli.app.run`); a few also run as
the installed ``tsunagari`` program to prove the boundary is what ``main`` uses. The list of commands is read from
the Typer app, so a new command is fuzzed too (with its option values) and a command whose file input is not
listed in :data:`FILE_INPUTS` fails the completeness check.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from graphsvc.bootstrap import build
from graphsvc.cli import app
from graphsvc.cli.app import run
from loaders import load_file

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "examples"
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
TOWN = "testtown"

# Commands that read a file: (command words, option or None for the positional argument, suffix of the file).
FILE_INPUTS: list[tuple[tuple[str, ...], str | None, str]] = [
    *[(("load", kind), None, ".csv") for kind in ("persons", "agencies", "ties", "kaigo-opendata", "cases")],
    (("load", "opportunities"), None, ".xlsx"),
    (("load", "hsds"), None, ".json"),
    (("match",), "--profile", ".json"),
    (("match",), "--opportunities", ".json"),
    (("match",), "--vocabulary", ".json"),
]
# Commands that write to a path given on the command line.
OUTPUTS: list[tuple[tuple[str, ...], str | None]] = [
    (("export", "hsds"), None),
    (("assign",), "--out"),
    (("gaps",), "--out"),
    (("map",), "--out"),
]
# Commands never run with valid values here (they start a server or take minutes).
NOT_RUN = {("serve",), ("evaluate",), ("demo",)}


def _commands() -> dict[tuple[str, ...], object]:
    import typer.main

    out: dict[tuple[str, ...], object] = {}

    def walk(c: object, path: tuple[str, ...]) -> None:
        subs = getattr(c, "commands", None)
        if subs:
            for name, sub in subs.items():
                walk(sub, (*path, name))
        else:
            out[path] = c

    walk(typer.main.get_command(app), ())
    return out


def _bad_inputs(tmp_path: Path, suffix: str) -> Iterator[tuple[str, Path]]:
    d = tmp_path / "inputs"
    d.mkdir(exist_ok=True)
    variants = {
        "binary": bytes(range(256)) * 64,
        "empty": b"",
        "huge": ("x," * 1000 + "\n").encode() * 3000 + b"y" * 2_000_000,
        "nested": b"[" * 200_000 + b"]" * 200_000,
        "nested_object": b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
        "cp932_json": '{"id": "P-1", "名前": "鳥羽", "備考": "日中独居"}\n'.encode("cp932"),
        "utf16_no_bom": "個人ID,氏名\nP-1,鳥羽\n".encode("utf-16-le"),
        "utf8_then_cp932": "個人ID,氏名\nP-1,鳥羽\n".encode() + "P-2,志摩\n".encode("cp932"),
    }
    for name, data in variants.items():
        p = d / f"{name}{suffix}"
        p.write_bytes(data)
        yield name, p
    yield "folder", d
    yield "missing", d / f"nothing{suffix}"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    data = tmp_path / "data"
    monkeypatch.chdir(
        tmp_path
    )  # an option value such as "-" or "nowhere" may name an output file: keep it here
    monkeypatch.setenv("TSUNAGARI_DATA_DIR", str(data))
    monkeypatch.setenv("TSUNAGARI_OUT_DIR", str(tmp_path / "out"))
    monkeypatch.delenv("TSUNAGARI_DEBUG", raising=False)
    with build(data_dir=data) as c:
        store = c.store(TOWN)
        for kind, name in [("areas", "areas.csv"), ("agencies", "agencies.csv"), ("persons", "persons.csv")]:
            load_file(store, kind, EXAMPLES / name)
    return data


def _stores(data: Path) -> set[str]:
    return {p.name for p in data.glob("*.sqlite3")} if data.is_dir() else set()


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        run(argv)
        code = 0
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    out = capsys.readouterr()
    return code, out.out, out.err


def _check(argv: list[str], capsys: pytest.CaptureFixture[str], data: Path, stores_before: set[str]) -> int:
    code, out, err = _run(argv, capsys)
    text = out + err
    assert "Traceback" not in text, (argv, text[-2000:])
    assert code in (0, 2), (argv, code, text[-2000:])
    if code == 2:
        assert JAPANESE.search(err), (argv, err[-500:])
    assert _stores(data) == stores_before, (argv, "a store was left behind", _stores(data) - stores_before)
    return code


def test_every_file_input_is_listed() -> None:
    commands = _commands()
    file_opts = {"--profile", "--opportunities", "--vocabulary"}
    for path, cmd in commands.items():
        for p in cmd.params:  # type: ignore[attr-defined]
            if set(p.opts) & file_opts:
                assert (path, p.opts[0], ".json") in FILE_INPUTS, (path, p.opts)
    assert {c[0] for c, _o, _s in FILE_INPUTS} | {c[0] for c, _o in OUTPUTS} <= {p[0] for p in commands}


def test_file_inputs_damaged_every_way(env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = _stores(env)
    failures = 0
    for words, option, suffix in FILE_INPUTS:
        for _name, path in _bad_inputs(tmp_path, suffix):
            argv = [*words, *([option, str(path)] if option else [str(path)])]
            if words[0] == "load":
                argv += ["--town", TOWN]
            failures += _check(argv, capsys, env, before) == 2
    assert failures >= len(FILE_INPUTS) * 8  # every damaged input is refused (the folder may be an input)


def test_loads_into_a_new_town_that_fail_leave_no_store(
    env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _stores(env)
    for _name, path in _bad_inputs(tmp_path, ".csv"):
        assert _check(["load", "persons", str(path), "--town", "newtown"], capsys, env, before) == 2
    ok = tmp_path / "ok.csv"
    ok.write_text("個人ID,氏名\nP-1,鳥羽\n", encoding="utf-8")
    assert _check(["load", "persons", str(ok), "--town", "newtown", "--dry-run"], capsys, env, before) == 0


def test_bad_option_values_on_every_command(
    env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _stores(env)
    weird_strings = ["", "../../etc/passwd", "x" * 20_000, "町\x00名", "\udcff", "-", "nowhere"]
    bad_ints = ["abc", "1e99", "99999999999999999999999", "-5", ""]
    for path, cmd in _commands().items():
        params = cmd.params  # type: ignore[attr-defined]
        for p in params:
            if p.param_type_name != "option" or p.is_flag:
                continue
            numeric = "int" in str(getattr(p, "type", "")).lower() or p.name in (
                "seed", "households", "top", "k", "max_per_host", "limit", "port", "workers", "people",
                "openings", "explain",
            )  # fmt: skip
            for value in bad_ints if numeric else weird_strings:
                if path in NOT_RUN and not (numeric and value in ("abc", "")):
                    continue  # only values that stop before the command's own work
                if path == ("load",) and p.name != "town":
                    continue
                argv = [*path, p.opts[0], value]
                if path == ("load",):
                    argv = ["load", "persons", str(EXAMPLES / "persons.csv"), p.opts[0], value, "--dry-run"]
                _check(argv, capsys, env, before)
    # a command with no value for a required option, an unknown option, an unknown command
    for argv in (["gaps"], ["match", "--nope"], ["nonesuch"], ["load"], ["export"], ["keys", "revoke"]):
        assert _check(argv, capsys, env, before) in (0, 2)


def test_output_paths_that_cannot_be_written(
    env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _stores(env)
    a_file = tmp_path / "a-file"
    a_file.write_text("x", encoding="utf-8")
    for words, option in OUTPUTS:
        for target in (a_file / "sub", Path("/proc/tsunagari-cannot-write/x")):
            argv = [*words, *([option, str(target)] if option else [str(target)]), "--town", TOWN]
            assert _check(argv, capsys, env, before) == 2, argv


def test_demo_with_an_unknown_town_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "fresh-data"
    monkeypatch.setenv("TSUNAGARI_DATA_DIR", str(data))
    monkeypatch.setenv("TSUNAGARI_OUT_DIR", str(tmp_path / "out"))
    code, _out, err = _run(["demo", "--town", "nowhere"], capsys)
    assert code == 2 and "nowhere" in err and "デモの町" in err
    assert not data.exists() and not (tmp_path / "out").exists()


@pytest.mark.e2e
def test_the_installed_program_uses_the_boundary(tmp_path: Path) -> None:
    exe = shutil.which("tsunagari") or str(Path(sys.executable).parent / "tsunagari")
    bad = tmp_path / "p.json"
    bad.write_bytes(b"[" * 100_000)
    env = {"TSUNAGARI_DATA_DIR": str(tmp_path / "data"), "PATH": str(Path(sys.executable).parent)}
    for argv in (
        ["match", "--profile", str(bad)],
        ["demo", "--town", "nowhere"],
        ["load", "persons", str(bad)],
    ):
        res = subprocess.run([exe, *argv], capture_output=True, text=True, env=env, timeout=120)
        assert res.returncode == 2 and "Traceback" not in res.stderr + res.stdout, (argv, res.stderr)
        assert JAPANESE.search(res.stderr)
    assert not (tmp_path / "data").exists() or not list((tmp_path / "data").glob("*.sqlite3"))
