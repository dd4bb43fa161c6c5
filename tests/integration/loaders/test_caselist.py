"""``tsunagari load caselist --agency ID FILE`` on the ingestion contract, on both stores: rows kept as they
came, atomic, idempotent, and every refusal in Japanese naming the file, row and column."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from graphsvc.bootstrap import Container, build
from graphsvc.cli import app
from graphsvc.domain import NodeLabel, to_props, validate_node
from graphsvc.domain.errors import DomainValidationError
from graphsvc.services.caselists import latest_files, load_caselist, record_id
from graphsvc.store.port import GraphStore, NodeRow, WriteBatch

pytestmark = pytest.mark.usefixtures("store_backend")  # embedded and the real Neo4j (tests/conftest.py)

TOWN = "caselisttown"
GOOD = (
    "ケース番号,氏名,フリガナ,生年月日,性別,住所,電話番号\r\n"
    "HK000001,髙橋 和子,タカハシ カズコ,S15.4.1,女,三重県鳥羽市鳥羽3丁目4番6号,0599-25-1234\r\n"
    "HK000002,ｻｲﾄｳ ｷﾖｼ,ｻｲﾄｳ ｷﾖｼ,昭和8年2月3日,男,鳥羽市安楽島町１２３,\r\n"
    "HK000003,山田　花子,ヤマダ ハナコ,1950/03/04,２,鳥羽市答志町1-2,090-1111-2222\r\n"
)


@pytest.fixture
def container(tmp_path: Path, store_backend: str) -> Iterator[Container]:
    with build(data_dir=tmp_path / "data") as c:
        store = c.store(TOWN)
        store.clear()
        rows = []
        for aid, name in (("AG-HK", "地域包括支援センター"), ("AG-SK", "社会福祉協議会")):
            rec = validate_node(NodeLabel.AGENCY, {"id": aid, "name": name, "address": "三重県鳥羽市鳥羽1-1"})
            rows.append(NodeRow(NodeLabel.AGENCY, rec.id, to_props(rec)))
        store.write(WriteBatch(nodes=rows))
        yield c


def _write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


def _records(store: GraphStore) -> list[NodeRow]:
    return list(store.iter_nodes(NodeLabel.CASELIST_RECORD))


def test_rows_are_kept_as_they_came_and_a_second_load_changes_nothing(
    container: Container, tmp_path: Path
) -> None:
    store = container.store(TOWN)
    path = _write(tmp_path, "houkatsu.csv", GOOD, "cp932")
    rep = load_caselist(store, "AG-HK", path)
    assert rep.rows_read == 3 and len(rep.changes.created) == 3
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    recs = {r.id: r.props for r in _records(store)}
    first = recs[record_id("AG-HK", sha, 2)]
    assert first["cells"] == ["HK000001", "髙橋 和子", "タカハシ カズコ", "S15.4.1", "女",
                              "三重県鳥羽市鳥羽3丁目4番6号", "0599-25-1234"]  # fmt: skip
    assert first["headers"][:2] == ["ケース番号", "氏名"]
    assert (first["agency_id"], first["case_id"], first["row"], first["file_sha256"], first["file_name"]) == (
        "AG-HK", "HK000001", 2, sha, "houkatsu.csv",
    )  # fmt: skip
    assert recs[record_id("AG-HK", sha, 3)]["cells"][1] == "ｻｲﾄｳ ｷﾖｼ"  # half-width kept, not normalised
    before = {r.id: (r.props, r.modified) for r in _records(store)}
    again = load_caselist(store, "AG-HK", path)
    assert again.changes.empty and again.changes.unchanged == 3
    assert any("読み込み済み" in w for w in again.warnings)
    assert {r.id: (r.props, r.modified) for r in _records(store)} == before
    assert latest_files(store) == {"AG-HK": sha}


def test_dry_run_writes_nothing(container: Container, tmp_path: Path) -> None:
    store = container.store(TOWN)
    rep = load_caselist(store, "AG-HK", _write(tmp_path, "a.csv", GOOD), dry_run=True)
    assert rep.dry_run and len(rep.changes.created) == 3
    assert _records(store) == []


def _refused(store: GraphStore, agency: str, path: Path) -> DomainValidationError:
    with pytest.raises(DomainValidationError) as e:
        load_caselist(store, agency, path)
    assert _records(store) == []  # nothing half-written
    return e.value


def test_unknown_agency_is_refused(container: Container, tmp_path: Path) -> None:
    err = _refused(container.store(TOWN), "AG-NONE", _write(tmp_path, "a.csv", GOOD))
    p = err.problems[0]
    assert p.field == "--agency" and "AG-NONE" in p.message_ja and "登録されていません" in p.message_ja


def test_no_identifying_column_is_refused(container: Container, tmp_path: Path) -> None:
    text = "ケース番号,生年月日,住所\r\nA1,S15.4.1,鳥羽市鳥羽1-1\r\n"
    err = _refused(container.store(TOWN), "AG-HK", _write(tmp_path, "noname.csv", text))
    assert any("識別できる列" in p.message_ja and p.file == "noname.csv" for p in err.problems)


def test_shifted_column_is_refused_naming_the_column(container: Container, tmp_path: Path) -> None:
    text = "ケース番号,氏名,生年月日,性別\r\n" + "".join(
        f"A{i},{d},{n},男\r\n" for i, (n, d) in enumerate([("佐藤 清", "S8.2.3"), ("鈴木 一", "S9.1.1"),
                                                        ("田中 二郎", "S10.5.5")])
    )  # fmt: skip
    err = _refused(container.store(TOWN), "AG-HK", _write(tmp_path, "shift.csv", text))
    p = err.problems[0]
    assert "列がずれて" in p.message_ja and p.column == "生年月日" and p.file == "shift.csv"


def test_impossible_date_is_refused_with_file_row_and_column(container: Container, tmp_path: Path) -> None:
    text = GOOD.replace("昭和8年2月3日", "昭和8年2月30日")
    err = _refused(container.store(TOWN), "AG-HK", _write(tmp_path, "bad.csv", text))
    p = err.problems[0]
    assert (p.file, p.row, p.column) == ("bad.csv", 3, "生年月日")  # row 3 of the file (row 1 is the header)
    assert p.value == "昭和8年2月30日"


def test_repeated_case_id_and_damaged_file_are_refused(container: Container, tmp_path: Path) -> None:
    store = container.store(TOWN)
    dup = GOOD.replace("HK000002", "HK000001")
    err = _refused(store, "AG-HK", _write(tmp_path, "dup.csv", dup))
    assert any("重複" in p.message_ja and p.row == 3 for p in err.problems)
    cut = GOOD.rstrip("\r\n")[:-5]  # cut short: no final line break
    err = _refused(store, "AG-HK", _write(tmp_path, "cut.csv", cut))
    assert "改行" in err.problems[0].message_ja


def test_a_new_version_of_a_list_adds_records_and_becomes_the_latest(
    container: Container, tmp_path: Path
) -> None:
    store = container.store(TOWN)
    load_caselist(store, "AG-HK", _write(tmp_path, "v1.csv", GOOD))
    v2 = _write(tmp_path, "v2.csv", GOOD + "HK000004,伊藤 誠,イトウ マコト,H2.1.1,男,鳥羽市鳥羽2-2,\r\n")
    load_caselist(store, "AG-HK", v2)
    assert len(_records(store)) == 7  # the first file's rows stay as they were
    assert latest_files(store)["AG-HK"] == hashlib.sha256(v2.read_bytes()).hexdigest()


def test_cli_load_caselist(container: Container, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TSUNAGARI_DATA_DIR", str(tmp_path / "data"))
    runner = CliRunner()
    path = _write(tmp_path, "houkatsu.csv", GOOD, "cp932")
    res = runner.invoke(app, ["load", "caselist", "--agency", "AG-HK", str(path), "-t", TOWN])
    assert res.exit_code == 0, res.output
    assert "読み込み結果" in res.output and "3 / 0" in res.output
    res = runner.invoke(app, ["load", "caselist", "--agency", "AG-HK", str(path), "-t", TOWN])
    assert res.exit_code == 0 and "0 / 0" in res.output
    res = runner.invoke(app, ["load", "caselist", str(path), "-t", TOWN])
    assert res.exit_code != 0 and "--agency" in res.output
    res = runner.invoke(app, ["load", "caselist", "--agency", "AG-X", str(path), "-t", TOWN])
    assert res.exit_code != 0 and "AG-X" in res.output and "Traceback" not in res.output


def test_excel_with_a_title_row_and_dates_as_cells(container: Container, tmp_path: Path) -> None:
    import datetime as dt

    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "受給者一覧"
    ws.append(["障害福祉サービス 受給者台帳 (令和3年8月末)"])
    ws.append(["受給者証番号", "氏名", "ふりがな", "生年月日", "性別", "住所"])
    ws.append(["2400000001", "齋藤 清", "さいとう きよし", dt.datetime(1950, 3, 4), "男", "鳥羽市鳥羽1-2-3"])
    ws.append(["2400000002", "渡邉 和子", "わたなべ かずこ", "S25.12.1", "女", "鳥羽市安楽島町45"])
    path = tmp_path / "shougai.xlsx"
    wb.save(path)
    store = container.store(TOWN)
    rep = load_caselist(store, "AG-SK", path)
    assert rep.rows_read == 2 and len(rep.changes.created) == 2
    rows = sorted(_records(store), key=lambda r: int(str(r.props["row"])))
    assert [r.props["row"] for r in rows] == [3, 4]  # the file's own row numbers
    assert rows[0].props["sheet"] == "受給者一覧" and rows[0].props["cells"][1] == "齋藤 清"
    assert load_caselist(store, "AG-SK", path).changes.empty


def test_no_case_id_column_is_refused(container: Container, tmp_path: Path) -> None:
    text = "氏名,生年月日\r\n佐藤 清,S8.2.3\r\n"
    err = _refused(container.store(TOWN), "AG-HK", _write(tmp_path, "noid.csv", text))
    assert any("ケース番号の列がありません" in p.message_ja for p in err.problems)


def test_linkage_runs_and_decisions_on_this_store(container: Container, tmp_path: Path) -> None:
    """The linkage service writes and rewrites linked persons through the store interface (both stores)."""
    from graphsvc.access.context import AccessContext
    from graphsvc.domain.enums import RelType
    from graphsvc.services.admin import local_operator
    from graphsvc.services.demo import _agency_of_list, _resource_batch
    from graphsvc.services.linkage import Linkage
    from graphsvc.store.embedded import EmbeddedStore
    from linkage.synth import REFERENCE_DATE, generate_lists
    from loaders.demo import build_town, get_spec

    demo = EmbeddedStore(tmp_path / "demo.sqlite3", "demo", synchronous="NORMAL")
    build_town(demo, get_spec("toba", 150), seed=4, households=150)
    store = container.store(TOWN)
    store.write(_resource_batch(demo))
    demo.close()
    lists = generate_lists("toba", seed=4, households=150)
    paths = lists.write(tmp_path / "lists")
    svc = Linkage(store, container.system())
    ctx = AccessContext(TOWN, local_operator(), None)
    for key, agency in _agency_of_list(store, list(lists.rows)).items():
        svc.load_caselist(ctx, agency, paths[key])
    run = svc.run(ctx, "support_meeting", "第3回支援会議 (2026-12-01)", today=REFERENCE_DATE)
    n_rows = len(_records(store))
    assert len(list(store.iter_rels(RelType.IDENTIFIED_AS))) == n_rows == run.figures["records"]
    persons = {n.id for n in store.iter_nodes(NodeLabel.PERSON)}
    assert len(persons) == run.figures["persons"]
    svc.run(ctx, "support_meeting", "第3回支援会議 (2026-12-01)", today=REFERENCE_DATE)
    assert {n.id for n in store.iter_nodes(NodeLabel.PERSON)} == persons  # stable ids across runs
    queue = svc.queue(ctx)
    if queue:
        q, _ = queue[0]
        svc.decide(ctx, q.a, q.b, "accept")
        state = container.system().linkage.state(TOWN)
        assert state is not None and state[1][q.a][0] == state[1][q.b][0]
        assert {n.id for n in store.iter_nodes(NodeLabel.PERSON)} == {p for p, _h in state[1].values()}
        svc.decide(ctx, q.a, q.b, "undo")
        assert {n.id for n in store.iter_nodes(NodeLabel.PERSON)} == persons
    assert len(list(store.iter_rels(RelType.IDENTIFIED_AS))) == n_rows
