"""``tsunagari keys`` inside the town line, across two towns: acting as a one-town admin key (``--admin-key``
or ``TSUNAGARI_ADMIN_KEY``) it lists, creates and revokes only keys within that town; as the operator at the
server it manages every key; every creation and revocation lands in the audit log under who did it."""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from graphsvc.bootstrap import build
from graphsvc.cli import app

TOBA, SHIMA = "toba", "shima"


@dataclass
class Env:
    runner: CliRunner
    data: Path
    toba_admin: str  # plain key of the admin of toba only
    toba_admin_id: str
    keys: dict[str, str]  # label → key id

    def run(self, *args: str, admin: str | None = None) -> tuple[int, str]:
        env = {"TSUNAGARI_ADMIN_KEY": admin} if admin else {}
        res = self.runner.invoke(app, list(args), env=env)
        return res.exit_code, res.output

    def audit(self, action: str) -> list[tuple[str | None, str, list[str]]]:
        with build(data_dir=self.data) as c:
            return [(e.town, e.key_id, e.record_ids) for e in c.system().audit.query(action=action)]

    def revoked(self, key_id: str) -> bool:
        with build(data_dir=self.data) as c:
            info = c.system().keys.get(key_id)
            assert info is not None
            return info.revoked_at is not None


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Env]:
    data = tmp_path / "data"
    monkeypatch.setenv("TSUNAGARI_DATA_DIR", str(data))
    monkeypatch.delenv("TSUNAGARI_ADMIN_KEY", raising=False)
    with build(data_dir=data) as c:
        keys = c.system().keys
        toba_admin, info = keys.create(name="鳥羽の管理者", role="admin", towns=[TOBA])
        labels = {
            "toba": keys.create(name="鳥羽の担当", role="coordinator", towns=[TOBA])[1].key_id,
            "shima": keys.create(name="志摩の担当", role="coordinator", towns=[SHIMA])[1].key_id,
            "both": keys.create(name="両方", role="multiagency", towns=[TOBA, SHIMA])[1].key_id,
            "all": keys.create(name="全町の管理者", role="admin")[1].key_id,
        }
    yield Env(CliRunner(), data, toba_admin, info.key_id, labels)


def test_list_as_a_one_town_admin_shows_only_its_keys(env: Env) -> None:
    code, out = env.run("keys", "list", admin=env.toba_admin)
    assert code == 0, out
    assert env.keys["toba"] in out and env.toba_admin_id in out
    for other in ("shima", "both", "all"):
        assert env.keys[other] not in out
    code, out = env.run("keys", "list", "--admin-key", env.toba_admin)  # the option, as the variable
    assert code == 0 and env.keys["shima"] not in out
    code, out = env.run("keys", "list")  # the operator at the server: every key
    assert code == 0 and all(k in out for k in env.keys.values())


@pytest.mark.parametrize("target", ["shima", "both", "all"])
def test_revoke_outside_the_line_is_refused(env: Env, target: str) -> None:
    code, out = env.run("keys", "revoke", env.keys[target], admin=env.toba_admin)
    assert code == 2 and "ありません" in out, out
    assert not env.revoked(env.keys[target]) and env.audit("key_revoke") == []


def test_revoke_inside_the_line_is_done_and_audited(env: Env) -> None:
    code, out = env.run("keys", "revoke", env.keys["toba"], admin=env.toba_admin)
    assert code == 0 and "失効しました" in out, out
    assert env.revoked(env.keys["toba"])
    assert env.audit("key_revoke") == [(TOBA, env.toba_admin_id, [env.keys["toba"]])]
    # the operator revokes a key of the other town, logged as the command line
    code, out = env.run("keys", "revoke", env.keys["shima"])
    assert code == 0, out
    assert env.audit("key_revoke")[-1] == (SHIMA, "cli", [env.keys["shima"]])


@pytest.mark.parametrize(
    ("towns", "ok"), [(TOBA, True), (SHIMA, False), (f"{TOBA},{SHIMA}", False), ("*", False)]
)
def test_create_inside_the_line_only(env: Env, towns: str, ok: bool) -> None:
    code, out = env.run(
        "keys", "create", "--role", "community", "--name", "新しい担当", "--town", towns, admin=env.toba_admin
    )
    created = env.audit("key_create")
    if not ok:
        assert code == 2, out
        assert "範囲" in out or "すべての町" in out, out
        assert created == []
        return
    assert code == 0 and out.strip().splitlines()[-1].startswith("tsk_"), out
    ((town, by, ids),) = created
    assert (town, by) == (TOBA, env.toba_admin_id)
    code, listed = env.run("keys", "list", admin=env.toba_admin)
    assert ids[0] in listed


def test_operator_creates_all_towns_keys_audited_under_its_name(env: Env) -> None:
    code, out = env.run("keys", "create", "--role", "admin", "--name", "新しい全町の管理者")
    assert code == 0, out
    ((town, by, _),) = env.audit("key_create")
    assert (town, by) == (None, "cli")
    with build(data_dir=env.data) as c:
        entry = c.system().audit.query(action="key_create")[0]
    assert getpass.getuser() in entry.key_name


def test_a_key_that_is_not_an_admin_is_refused(env: Env) -> None:
    with build(data_dir=env.data) as c:
        coord = c.system().keys.create(name="担当", role="coordinator", towns=[TOBA])[0]
    for args in (("keys", "list"), ("keys", "revoke", env.keys["toba"])):
        code, out = env.run(*args, admin=coord)
        assert code == 2 and "管理者" in out, out
    code, out = env.run("keys", "list", admin="tsk_nope_nope")
    assert code == 2
    assert not env.revoked(env.keys["toba"])
