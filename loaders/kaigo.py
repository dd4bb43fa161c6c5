"""自治体標準オープンデータセット「介護サービス事業所一覧」 → Agency nodes.

The dataset (デジタル庁 自治体標準オープンデータセット) has fixed columns; municipalities publish it as CSV,
usually CP932. Each row becomes an Agency (kind ``care_provider`` and sector ``elderly`` when new), with its
services, schedule, capacity, location and corporation, matched to the stored agencies by its natural key:

* with a 事業所番号: the agency with that id, else the one agency whose ``office_number`` it is, else a new
  agency with that id;
* without one (blank, or no such column): the one stored agency of the same name (and the same address when both
  have one), else ``<都道府県コード又は市区町村コード>-<NO>`` — refused when that id already belongs to an agency
  of another name (NO is only a row number and changes between editions). Two stored agencies of the same name
  are refused as ambiguous: give the 事業所番号. Rows without coordinates get the municipality office's point (approximate, counted in the
report). Coordinates that fall in another municipality than 市区町村名 are reported as warnings (point →
municipality from the JMA polygons, 「出典：気象庁」).
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from graphsvc.domain.enums import AgencyKind, NodeLabel, Sector
from graphsvc.domain.errors import Problem
from loaders import geo
from loaders.common import (
    BAD,
    CellError,
    Column,
    Loader,
    Row,
    Table,
    nfkc,
    parse_int,
    parse_list,
    parse_schedule,
    put,
)

__all__ = ["KAIGO_COLUMNS", "KaigoOpenDataLoader"]


def _c(field: str, name: str, *aliases: str, required: bool = False, ja: str = "", en: str = "") -> Column:
    return Column(field, (name, *aliases), required=required, help_ja=ja, help_en=en)


KAIGO_COLUMNS: tuple[Column, ...] = (
    _c("code", "都道府県コード又は市区町村コード", "市区町村コード", "code", ja="全国地方公共団体コード", en="local government code"),
    _c("no", "NO", "No.", "番号", ja="データ内の通し番号", en="row number in the dataset"),
    _c("prefecture", "都道府県名", "prefecture", ja="都道府県名", en="prefecture"),
    _c("city", "市区町村名", "city", ja="市区町村名", en="municipality"),
    _c("name", "介護サービス事業所名称", "名称", "name", required=True, ja="事業所名称", en="name"),
    _c("name_kana", "介護サービス事業所名称_カナ", "名称_カナ", "name_kana", ja="名称のカナ", en="kana reading of the name"),
    _c("services", "実施サービス", "services", ja="実施サービス (「、」区切り)", en="services"),
    _c("address", "住所", "address", ja="住所", en="address"),
    _c("address2", "方書", "address_line2", ja="方書 (ビル名など; 住所に続けて保存)", en="address line 2"),
    _c("lat", "緯度", "lat", "latitude", ja="緯度", en="latitude"),
    _c("lon", "経度", "lon", "lng", "longitude", ja="経度", en="longitude"),
    _c("phone", "電話番号", "phone", ja="電話番号", en="phone"),
    _c("extension", "内線番号", "extension", ja="内線番号 (電話番号に続けて保存)", en="extension"),
    _c("fax", "FAX番号", "fax", ja="FAX番号", en="fax number"),
    _c("corporation", "法人の名称", "corporation", ja="法人の名称", en="corporation"),
    _c("corporate_number", "法人番号", "corporate_number", ja="法人番号", en="corporate number"),
    _c("office_number", "事業所番号", "office_number", ja="介護保険事業所番号 (IDになる)", en="office number (the id)"),
    _c("days", "利用可能曜日", "days", ja="利用可能曜日", en="days"),
    _c("opens", "開始時間", "opens", ja="開始時間", en="opening time"),
    _c("closes", "終了時間", "closes", ja="終了時間", en="closing time"),
    _c("schedule_note", "利用可能日時特記事項", "schedule_note", ja="日時の特記事項", en="schedule note"),
    _c("capacity", "定員", "capacity", ja="定員", en="capacity"),
    _c("url", "URL", "url", ja="URL", en="url"),
    _c("remarks", "備考", "remarks", ja="備考", en="remarks"),
)  # fmt: skip
_STANDARD = tuple(c.ja for c in KAIGO_COLUMNS)


class KaigoOpenDataLoader(Loader):
    """Loads a 介護サービス事業所一覧 CSV (or .xlsx)."""

    kind = "kaigo-opendata"
    header_required = ()  # no column alone: each row needs 事業所番号, a name, or code and NO (see _match)
    label = NodeLabel.AGENCY
    columns = KAIGO_COLUMNS
    field_columns: ClassVar[dict[str, str]] = {
        "name": "name", "services": "services", "address": "address", "location": "lat", "phone": "phone",
        "corporation": "corporation", "corporate_number": "corporate_number", "office_number": "office_number",
        "schedule": "days", "capacity": "capacity", "url": "url", "id": "office_number", "name_kana": "name_kana",
        "fax": "fax", "notes": "remarks",
    }  # fmt: skip

    def check_table(self, table: Table) -> None:
        missing = [c.ja for c in KAIGO_COLUMNS if not table.has(c.field)]
        if missing:
            self.report.warn(
                f"標準の列がありません: {'、'.join(missing)}",
                f"standard columns missing: {', '.join(missing)}",
            )
        self._ids: set[str] = set()
        self._names: dict[str, str] = {}
        self._by_office: dict[str, list[str]] = {}
        self._by_name: dict[str, list[tuple[str, str]]] = {}
        for n in self.store.iter_nodes(NodeLabel.AGENCY):
            self._ids.add(n.id)
            self._names[n.id] = _key(str(n.props.get("name", "")))
            if n.props.get("office_number"):
                self._by_office.setdefault(str(n.props["office_number"]), []).append(n.id)
            self._by_name.setdefault(_key(str(n.props.get("name", ""))), []).append(
                (n.id, _key(str(n.props.get("address", ""))))
            )

    def _clearable(self, column_field: str) -> bool:
        return column_field in {"name_kana", "services", "phone", "fax", "corporation", "corporate_number", "url",
                                "remarks", "capacity", "days", "opens", "closes", "schedule_note", "lat", "lon"}  # fmt: skip

    def _match(self, row: Row) -> str | None:
        """The id of the agency this row is (see the module docstring); ``None`` after recording a problem."""
        office, code, no = row.get("office_number"), row.get("code"), row.get("no")
        name = row.get("name")
        if office:
            if office in self._ids:
                return office
            hits = self._by_office.get(office, [])
            if len(hits) > 1:
                row.problem("office_number", f"事業所番号「{office}」の機関が複数あります ({'、'.join(hits)})",
                            f"several agencies have office number {office!r}: {', '.join(hits)}", office)  # fmt: skip
                return None
            return hits[0] if hits else office
        if name:
            named = self._by_name.get(_key(name), [])
            address = _key(" ".join(t for t in (row.get("address"), row.get("address2")) if t))
            if address and len(named) > 1:
                named = [h for h in named if not h[1] or h[1] == address] or named
            if len(named) == 1:
                return named[0][0]
            if len(named) > 1:
                row.problem("name", f"同じ名称の機関が複数あります ({'、'.join(h[0] for h in named)})。事業所番号を指定してください",
                            f"several agencies have this name ({', '.join(h[0] for h in named)}); give the office number",
                            name)  # fmt: skip
                return None
        if code and no:
            rid = f"{code}-{no}"
            if rid in self._ids and name and self._names.get(rid) != _key(name):
                row.problem("no", f"ID「{rid}」は名称の違う機関のものです。NO は版ごとに変わるため、事業所番号を指定してください",
                            f"id {rid!r} belongs to an agency of another name (NO changes between editions); "
                            "give the office number", no)  # fmt: skip
                return None
            return rid
        self.problems.append(
            Problem(
                "IDを決められません: 事業所番号、または 都道府県コード又は市区町村コード と NO が必要です",
                "no id: give 事業所番号, or both 都道府県コード又は市区町村コード and NO",
                file=row.table.file,
                row=row.number,
                column=row.col("office_number") or "事業所番号",
            )
        )
        return None

    def build_row(self, row: Row) -> None:
        rid = self._match(row)
        if rid is None:
            return
        data: dict[str, Any] = {"id": rid}
        office = row.get("office_number")
        put(data, "office_number", office)
        put(data, "name", row.get("name"))
        put(data, "services", row.parse("services", parse_list))
        address = " ".join(t for t in (row.get("address"), row.get("address2")) if t) or None
        put(data, "address", address)
        phone = row.get("phone")
        if phone and row.get("extension"):
            phone = f"{phone} 内線{row.get('extension')}"
        put(data, "phone", phone)
        for f in ("corporation", "corporate_number", "url", "name_kana", "fax"):
            put(data, f, row.get(f))
        put(data, "notes", row.get("remarks"))
        cap = row.parse("capacity", parse_int)
        if cap is not None and cap is not BAD:
            data["capacity"] = {"maximum": cap}
        schedule = self._schedule(row)
        if schedule is BAD:
            return
        put(data, "schedule", schedule)
        loc = self.location(
            row,
            address_field="address",
            postcode_field=None,
            prefecture=row.get("prefecture"),
            city=row.get("city"),
        )
        if loc is BAD:
            return
        derived = False
        if loc is not None:
            data["location"] = loc.model_dump()
            derived = loc.source != geo.SOURCE_FILE
            if not loc.approximate:
                self.check_consistency(loc.lat, loc.lon, row, row.get("city"))
        self.add_node(
            row,
            NodeLabel.AGENCY,
            data,
            "office_number" if office else "no",
            defaults={"kind": AgencyKind.CARE_PROVIDER, "sectors": [Sector.ELDERLY]},
            derived_location=derived,
        )

    def _schedule(self, row: Row) -> Any:
        days, opens, closes, note = (row.get(f) for f in ("days", "opens", "closes", "schedule_note"))
        if days and not (opens and closes):
            self.report.warn(
                f"{row.number}行目: 利用可能曜日はあるが時間がないため、曜日を特記事項として保存しました",
                f"row {row.number}: days without times; kept as a schedule note",
            )
            note = "、".join(t for t in (f"利用可能曜日: {days}", note) if t)
            days = opens = closes = None
        try:
            return parse_schedule(days, None, opens, closes, note)
        except CellError as err:
            fld = "days" if "曜日" in err.message_ja else "opens"
            row.problem(fld, err.message_ja, err.message_en, row.get(fld))
            return BAD


def _key(text: str) -> str:
    """A name or address compared loosely: NFKC, no spaces."""
    return re.sub(r"\s+", "", nfkc(text))
