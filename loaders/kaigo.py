"""自治体標準オープンデータセット「介護サービス事業所一覧」 → Agency nodes.

The dataset (デジタル庁 自治体標準オープンデータセット) has fixed columns; municipalities publish it as CSV,
usually CP932. Each row becomes an Agency of kind ``care_provider`` in the ``elderly`` sector, keyed by its
事業所番号 (else ``<都道府県コード又は市区町村コード>-<NO>``), with its services, schedule, capacity, location
and corporation. Rows without coordinates get the municipality office's point (approximate, counted in the
report). Coordinates that fall in another municipality than 市区町村名 are reported as warnings (point →
municipality from the JMA polygons, 「出典：気象庁」).
"""

from __future__ import annotations

from typing import Any, ClassVar

from graphsvc.domain.enums import AgencyKind, NodeLabel, Sector
from graphsvc.domain.errors import Problem
from loaders.common import (
    BAD,
    CellError,
    Column,
    Loader,
    Row,
    Table,
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
    label = NodeLabel.AGENCY
    columns = KAIGO_COLUMNS
    field_columns: ClassVar[dict[str, str]] = {
        "name": "name", "services": "services", "address": "address", "location": "lat", "phone": "phone",
        "corporation": "corporation", "corporate_number": "corporate_number", "office_number": "office_number",
        "schedule": "days", "capacity": "capacity", "url": "url", "id": "office_number",
    }  # fmt: skip

    def check_table(self, table: Table) -> None:
        missing = [c.ja for c in KAIGO_COLUMNS if not table.has(c.field)]
        if missing:
            self.report.warn(
                f"標準の列がありません: {'、'.join(missing)}",
                f"standard columns missing: {', '.join(missing)}",
            )

    def build_row(self, row: Row) -> None:
        data: dict[str, Any] = {"kind": AgencyKind.CARE_PROVIDER, "sectors": [Sector.ELDERLY]}
        office = row.get("office_number")
        code, no = row.get("code"), row.get("no")
        if office:
            data["id"] = office
            data["office_number"] = office
        elif code and no:
            data["id"] = f"{code}-{no}"
        else:
            self.problems.append(
                Problem(
                    "IDを決められません: 事業所番号、または 都道府県コード又は市区町村コード と NO が必要です",
                    "no id: give 事業所番号, or both 都道府県コード又は市区町村コード and NO",
                    file=row.table.file,
                    row=row.number,
                    column=row.col("office_number") or "事業所番号",
                )
            )
            return
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
        data["schedule"] = self._schedule(row)
        if data["schedule"] is BAD:
            return
        loc = self.location(
            row,
            address_field="address",
            postcode_field=None,
            prefecture=row.get("prefecture"),
            city=row.get("city"),
        )
        if loc is BAD:
            return
        if loc is not None:
            data["location"] = loc.model_dump()
            if not loc.approximate:
                self.check_consistency(loc.lat, loc.lon, row, row.get("city"))
        record = self.validate(row, NodeLabel.AGENCY, data, self.field_columns)
        if record is not None:
            self.add_node(row, record, "office_number" if office else "no")

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
