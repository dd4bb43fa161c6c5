"""Municipal CSV / Excel files, one loader per kind (persons, households, areas, agencies, venues, employers,
supporters, opportunities, cases, ties). Column names and their English aliases are documented in
``examples/README.md`` and come from the :class:`~loaders.common.Column` lists below.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from graphsvc.domain.enums import (
    AgencyKind,
    AreaKind,
    CapacityUnit,
    CaseFactor,
    CaseStage,
    CollaborationLevel,
    HouseholdFlag,
    NodeLabel,
    OpportunityKind,
    PlacementOutcome,
    PlacementStatus,
    RelType,
    Sector,
    Sex,
    SupporterKind,
    TieStrength,
    VenueKind,
)
from graphsvc.domain.records import REL_SPECS
from graphsvc.domain.values import GeoPoint
from graphsvc.store.port import NodeRef, NodeRow
from loaders import geo
from loaders.common import (
    BAD,
    CellError,
    Column,
    Loader,
    Row,
    nfkc,
    parse_birth_year,
    parse_bool,
    parse_enum,
    parse_enum_list,
    parse_event_date,
    parse_float,
    parse_int,
    parse_list,
    parse_schedule,
    put,
)

__all__ = [
    "LOADERS",
    "AgenciesLoader",
    "AreasLoader",
    "CasesLoader",
    "EmployersLoader",
    "HouseholdsLoader",
    "OpportunitiesLoader",
    "PersonsLoader",
    "SupportersLoader",
    "TiesLoader",
    "VenuesLoader",
    "parse_label",
]


def C(field: str, *names: str, required: bool = False, ja: str = "", en: str = "", ex: str = "") -> Column:
    return Column(field, tuple(names), required=required, help_ja=ja, help_en=en, example=ex)


# ---------------------------------------------------------------- shared column groups

LOCATION_COLUMNS = (
    C("area_id", "地区ID", "地区", "地区コード", "地区名", "area_id", "area", ja="地区のIDまたは地区名", en="area id or name", ex="A-TOSHI"),
    C("address", "住所", "所在地", "address", ja="住所", en="address", ex="三重県鳥羽市答志町1-1"),
    C("postcode", "郵便番号", "postcode", "postal_code", "zip", ja="郵便番号 (座標が無いときの概略位置に使う)", en="postcode", ex="517-0001"),
    C("lat", "緯度", "lat", "latitude", ja="緯度 (WGS84)", en="latitude", ex="34.5262"),
    C("lon", "経度", "lon", "lng", "longitude", ja="経度 (WGS84)", en="longitude", ex="136.8873"),
)  # fmt: skip
SCHEDULE_COLUMNS = (
    C("days", "曜日", "利用可能曜日", "実施曜日", "days", "weekdays", ja="曜日 (月・水・金、月〜金、平日)", en="weekdays", ex="月・水・金"),
    C("times", "時間帯", "時間", "hours_text", "times", ja="時間帯 (9:00〜11:00、複数は「、」区切り)", en="time ranges", ex="9:00〜11:00"),
    C("opens", "開始時間", "開始時刻", "opens", "opens_at", ja="開始時刻 (時間帯の代わりに)", en="opening time", ex="9:00"),
    C("closes", "終了時間", "終了時刻", "closes", "closes_at", ja="終了時刻", en="closing time", ex="11:00"),
    C("schedule_note", "特記事項", "利用可能日時特記事項", "schedule_note", ja="日時の特記事項 (祝日休み など)", en="schedule note", ex="祝日休み"),
)  # fmt: skip
CAPACITY_COLUMNS = (
    C("capacity", "定員", "受入人数", "capacity", ja="定員 (0以上の整数)", en="capacity (whole number ≥ 0)", ex="3"),
    C("available", "空き", "空き人数", "空き定員", "available", ja="いまの空き (定員以下)", en="places free now", ex="1"),
    C("capacity_unit", "定員の単位", "単位", "capacity_unit", ja="人・枠・室・世帯", en="persons, slots, rooms, households", ex="人"),
)  # fmt: skip
SECTORS_COLUMN = C("sectors", "分野", "対象分野", "sectors", "sector", ja="分野 (高齢・障害・子ども・生活困窮・保健医療・労働・教育・住まい・地域)", en="sectors", ex="高齢、障害")  # fmt: skip

_LABEL_ALIASES: dict[str, NodeLabel] = {
    "人": NodeLabel.PERSON, "個人": NodeLabel.PERSON, "要援護者": NodeLabel.PERSON,
    "機関": NodeLabel.AGENCY, "相談機関": NodeLabel.AGENCY, "事業所": NodeLabel.EMPLOYER, "企業": NodeLabel.EMPLOYER,
    "居場所": NodeLabel.VENUE, "通いの場": NodeLabel.VENUE, "支援者": NodeLabel.SUPPORTER,
    "民生委員": NodeLabel.SUPPORTER, "ケース": NodeLabel.CASE, "メニュー": NodeLabel.OPPORTUNITY,
}  # fmt: skip


def parse_label(text: str) -> NodeLabel:
    """「本人」「世帯」「機関」「企業」「居場所」「Person」… → a node label."""
    t = nfkc(text)
    if t in _LABEL_ALIASES:
        return _LABEL_ALIASES[t]
    return parse_enum(NodeLabel, t)


def _capacity(row: Row) -> dict[str, Any] | Any | None:
    cap = row.parse("capacity", parse_int)
    avail = row.parse("available", parse_int)
    unit = row.parse("capacity_unit", lambda t: parse_enum(CapacityUnit, t))
    if BAD in (cap, avail, unit):
        return BAD
    out: dict[str, Any] = {}
    put(out, "maximum", cap)
    put(out, "available", avail)
    put(out, "unit", unit)
    return out or None  # laid over the stored capacity: 空き alone updates the places free now


def _schedule(row: Row) -> Any:
    text = {k: row.get(k) for k in ("days", "times", "opens", "closes", "schedule_note")}
    if text["schedule_note"] and not any(text[k] for k in ("days", "times", "opens", "closes")):
        return {"note": text["schedule_note"], _NOTE_ONLY: True}
    try:
        return parse_schedule(
            text["days"], text["times"], text["opens"], text["closes"], text["schedule_note"]
        )
    except CellError as err:
        about_days = "no days" in err.message_en or "cannot read days" in err.message_en
        fld = (
            "days"
            if about_days
            else ("times" if row.table.has("times") or not row.table.has("opens") else "opens")
        )
        row.problem(fld, err.message_ja, err.message_en, text.get(fld))
        return BAD


_NOTE_ONLY = "__note_only__"
_DERIVED = "__derived_location__"


def _add(loader: Loader, row: Row, label: NodeLabel, data: dict[str, Any], **kw: Any) -> NodeRef | None:
    """Add a draft from ``data``; a schedule with a note only is laid over the stored schedule, a location the
    row did not give itself is marked derived."""
    data = dict(data)
    sched = data.get("schedule")
    if isinstance(sched, dict):
        sched.pop(_NOTE_ONLY, None)
    derived = bool(data.pop(_DERIVED, False))
    return loader.add_node(row, label, data, derived_location=derived, **kw)


class _NodeLoader(Loader):
    """A file whose rows are nodes of one label, optionally in an area (IN_AREA)."""

    label: NodeLabel
    #: the record field → the column field it came from, for located validation errors
    field_columns: ClassVar[dict[str, str]] = {}
    in_area: bool = True

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._area_names: dict[str, list[str]] | None = None

    def row_data(self, row: Row) -> dict[str, Any] | None:  # pragma: no cover - abstract
        raise NotImplementedError

    def resolve_area(self, row: Row, field_: str = "area_id") -> str | None:
        """An area id from an id or a unique area name (this file's areas, then the store's)."""
        text = row.get(field_)
        if text is None:
            return None
        if self.area_props(text) is not None:
            return text
        if self._area_names is None:
            self._area_names = {}
            rows = [
                NodeRow(NodeLabel.AREA, d.ref.id, {"name": str(d.given.get("name", ""))})
                for d in self.drafts.values()
                if d.ref.label == NodeLabel.AREA
            ]
            rows += list(self.store.iter_nodes(NodeLabel.AREA))
            for n in rows:
                ids = self._area_names.setdefault(nfkc(str(n.props.get("name", ""))), [])
                if n.id not in ids:
                    ids.append(n.id)
        ids = self._area_names.get(nfkc(text), [])
        if len(ids) == 1:
            return ids[0]
        if len(ids) > 1:
            row.problem(field_, f"地区名「{text}」に当たる地区が複数あります。地区IDで指定してください",
                        f"area name {text!r} is ambiguous; give the area id", text)  # fmt: skip
            return None
        return text  # reported by the endpoint check if it exists nowhere

    defaults: ClassVar[dict[str, Any]] = {}

    def build_row(self, row: Row) -> None:
        data = self.row_data(row)
        if data is None:
            return
        _add(self, row, self.label, data, defaults=self.defaults)

    def common(self, row: Row, data: dict[str, Any], *, location: bool = True) -> bool:
        """Fill id, area, address and location; ``False`` if the row is unusable."""
        put(data, "id", row.get("id"))
        area_id = self.resolve_area(row) if row.table.has("area_id") else None
        put(data, "area_id", area_id)
        put(data, "address", row.get("address"))
        if location:
            loc = self.location(row, area_id=area_id)
            if loc is BAD:
                return False
            if loc is not None:
                data["location"] = loc.model_dump()
                data[_DERIVED] = loc.source != geo.SOURCE_FILE
        return True


def _sectors(row: Row, data: dict[str, Any]) -> None:
    put(data, "sectors", row.parse("sectors", lambda t: parse_enum_list(Sector, t)))


_LOC_FIELDS = {"area_id": "area_id", "address": "address", "location": "lat"}
_SCHED_FIELDS = {"schedule": "days", "capacity": "capacity"}


# ---------------------------------------------------------------- areas


class AreasLoader(_NodeLoader):
    """地区一覧 → Area nodes, with IN_AREA to a parent area."""

    kind = "areas"
    label = NodeLabel.AREA
    columns = (
        C("id", "地区ID", "地区コード", "ID", "area_id", "id", required=True, ja="地区ID", en="area id", ex="A-TOSHI"),
        C("name", "地区名", "名称", "name", required=True, ja="地区名", en="name", ex="答志"),
        C("kind", "種別", "地区の種類", "kind", ja="市町村・日常生活圏域・小学校区・地区・離島", en="kind", ex="離島"),
        C("parent_id", "上位地区ID", "親地区ID", "parent_id", ja="上位の地区ID", en="parent area id", ex="A-TOBA"),
        C("code", "市区町村コード", "コード", "code", ja="市区町村コード等", en="code", ex="24211"),
        C("lat", "中心緯度", "緯度", "lat", "latitude", ja="中心の緯度", en="centre latitude", ex="34.5262"),
        C("lon", "中心経度", "経度", "lon", "lng", "longitude", ja="中心の経度", en="centre longitude", ex="136.8873"),
        C("remote", "離島・遠隔地", "離島", "remote", ja="離島・遠隔地なら はい", en="island or remote", ex="はい"),
    )  # fmt: skip
    field_columns: ClassVar[dict[str, str]] = {"name": "name", "kind": "kind", "parent_id": "parent_id",
                                               "code": "code", "centre": "lat", "remote": "remote"}  # fmt: skip
    in_area = False

    def row_data(self, row: Row) -> dict[str, Any] | None:
        data: dict[str, Any] = {}
        put(data, "id", row.get("id"))
        put(data, "name", row.get("name"))
        put(data, "kind", row.parse("kind", lambda t: parse_enum(AreaKind, t)))
        put(data, "parent_id", row.get("parent_id"))
        put(data, "code", row.get("code"))
        put(data, "remote", row.parse("remote", parse_bool))
        loc = self.location(row, postcode_field=None, address_field=None)
        if loc is BAD:
            return None
        if loc is not None:
            data["centre"] = loc.model_dump()
        return data


# ---------------------------------------------------------------- households and persons

_HOUSEHOLD_COLUMNS = (
    C("size", "世帯人数", "世帯員数", "household_size", "size", ja="世帯の人数", en="household size", ex="2"),
    C("flags", "世帯の状況", "世帯区分", "世帯の特徴", "household_flags", "flags",
      ja="高齢単身・高齢夫婦のみ・8050世帯・ひきこもりの家族がいる・ごみ屋敷・ひとり親・障害のある家族がいる・ヤングケアラー・離島・遠隔地・生活保護受給",
      en="household flags", ex="8050世帯、ひきこもりの家族がいる"),
)  # fmt: skip


def _household_data(loader: _NodeLoader, row: Row) -> dict[str, Any] | None:
    data: dict[str, Any] = {}
    if not loader.common(row, data):
        return None
    put(data, "size", row.parse("size", parse_int))
    put(data, "flags", row.parse("flags", lambda t: parse_enum_list(HouseholdFlag, t)))
    return data


class HouseholdsLoader(_NodeLoader):
    """世帯一覧 → Household nodes (+ IN_AREA)."""

    kind = "households"
    label = NodeLabel.HOUSEHOLD
    columns = (
        C("id", "世帯ID", "世帯番号", "ID", "household_id", "id", required=True, ja="世帯ID", en="household id", ex="H-0001"),
        *_HOUSEHOLD_COLUMNS,
        *LOCATION_COLUMNS,
    )  # fmt: skip
    field_columns: ClassVar[dict[str, str]] = {**_LOC_FIELDS, "size": "size", "flags": "flags"}

    def row_data(self, row: Row) -> dict[str, Any] | None:
        return _household_data(self, row)


class PersonsLoader(_NodeLoader):
    """要援護者台帳 → Person nodes, their Household (merged with what the store holds), MEMBER_OF and the
    household's IN_AREA. A person without a 世帯ID but with an address, area or coordinates gets a
    one-person household ``H-<個人ID>`` (counted in the warnings)."""

    kind = "persons"
    label = NodeLabel.PERSON
    columns = (
        C("id", "個人ID", "本人ID", "ID", "person_id", "id", required=True, ja="本人のID", en="person id", ex="P-0001"),
        C("name", "氏名", "名前", "name", ja="氏名 (このリポジトリでは架空)", en="name", ex="鳥羽 花子"),
        C("household_id", "世帯ID", "世帯番号", "household_id", "household", ja="世帯ID", en="household id", ex="H-0001"),
        C("role", "続柄", "relationship", "role", ja="世帯での続柄", en="role in household", ex="世帯主"),
        C("birth_year", "生年", "生まれ年", "生年月日", "birth_year", "birth_date", ja="生年 (または生年月日)", en="birth year", ex="1940"),
        C("sex", "性別", "sex", "gender", ja="女性・男性・その他・不明", en="sex", ex="女性"),
        C("needs_support", "要援護者", "避難行動要支援者", "needs_support", ja="台帳に登載 (省略時は はい)", en="on the register (default yes)", ex="はい"),
        C("care_level", "要介護度", "介護度", "care_level", ja="要支援1〜要介護5", en="care level", ex="要介護1"),
        C("disability", "障害", "障害の有無", "disability", ja="障害あり", en="has a disability", ex="いいえ"),
        C("hikikomori", "ひきこもり", "hikikomori", ja="ひきこもり状態", en="socially withdrawn", ex="いいえ"),
        C("notes", "備考", "メモ", "notes", ja="備考", en="notes", ex="日中独居"),
        *_HOUSEHOLD_COLUMNS,
        *LOCATION_COLUMNS,
    )  # fmt: skip
    field_columns: ClassVar[dict[str, str]] = {
        "name": "name", "household_id": "household_id", "birth_year": "birth_year", "sex": "sex",
        "needs_support": "needs_support", "care_level": "care_level", "disability": "disability",
        "hikikomori": "hikikomori", "notes": "notes",
    }  # fmt: skip

    defaults: ClassVar[dict[str, Any]] = {"needs_support": True}
    _HOUSEHOLD_FIELDS: ClassVar[dict[str, str]] = {
        **_LOC_FIELDS,
        "size": "size",
        "flags": "flags",
        "id": "household_id",
    }
    _PLACE_COLUMNS = ("lat", "lon", "address", "postcode", "area_id", "size", "flags")

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._households: dict[str, list[Row]] = {}
        self._implicit = 0
        self._stored: dict[str, NodeRow] = {}

    def check_table(self, table: Any) -> None:
        ids = [cells[table.columns["id"][0]].strip() for _n, cells in table.raw.rows]
        for k in range(0, len(ids), 500):
            for n in self.store.get_nodes(NodeLabel.PERSON, [i for i in ids[k : k + 500] if i]):
                self._stored[n.id] = n

    def _clearable(self, column_field: str) -> bool:
        return column_field != "id"

    def row_data(self, row: Row) -> dict[str, Any] | None:
        data: dict[str, Any] = {}
        put(data, "id", row.get("id"))
        put(data, "name", row.get("name"))
        put(data, "birth_year", row.parse("birth_year", parse_birth_year))
        put(data, "sex", row.parse("sex", lambda t: parse_enum(Sex, t)))
        put(data, "needs_support", row.parse("needs_support", parse_bool))
        put(data, "care_level", row.get("care_level"))
        put(data, "disability", row.parse("disability", parse_bool))
        put(data, "hikikomori", row.parse("hikikomori", parse_bool))
        put(data, "notes", row.get("notes"))
        hid = row.get("household_id")
        has_place = any(row.get(f) for f in self._PLACE_COLUMNS)
        if hid is None and has_place and data.get("id") and "household_id" not in row.cleared:
            stored = self._stored.get(str(data["id"]))
            known = stored.props.get("household_id") if stored else None
            if known:  # the place columns describe the household the person already belongs to
                hid = str(known)
            else:
                hid = f"H-{data['id']}"
                data["household_id"] = hid
                self._implicit += 1
        else:
            put(data, "household_id", hid)
        if hid:
            self._households.setdefault(hid, []).append(row)
        return data

    def build_row(self, row: Row) -> None:
        data = self.row_data(row)
        if data is None:
            return
        role = row.get("role")
        rel_props: dict[RelType, dict[str, Any]] = {}
        if role:
            rel_props[RelType.MEMBER_OF] = {"role": role}
        elif "role" in row.cleared:
            rel_props[RelType.MEMBER_OF] = {"role": None}
        person_fields = {k: v for k, v in self.field_columns.items()}
        cleared = self.cleared_fields(row, NodeLabel.PERSON, person_fields)
        _add(self, row, self.label, data, defaults=self.defaults, rel_props=rel_props, cleared=cleared)

    def finish_rows(self) -> None:
        for hid, rows in self._households.items():
            place_row = next((r for r in rows if any(r.get(f) for f in self._PLACE_COLUMNS)), rows[0])
            for other in rows:
                differs = [
                    f for f in self._PLACE_COLUMNS if other.get(f) and other.get(f) != place_row.get(f)
                ]
                if other is not place_row and differs:
                    cols = "、".join(other.col(f) or f for f in differs)
                    self.report.warn(
                        f"{other.number}行目: 世帯「{hid}」の {cols} が{place_row.number}行目と違います (無視しました)",
                        f"row {other.number}: household {hid!r} differs from row {place_row.number} in {cols} "
                        "(ignored)",
                    )
            data = _household_data(self, place_row)
            if data is None:
                continue
            data["id"] = hid
            cleared = self.cleared_fields(place_row, NodeLabel.HOUSEHOLD, self._HOUSEHOLD_FIELDS)
            _add(self, place_row, NodeLabel.HOUSEHOLD, data, cleared=cleared,
                 field_columns=self._HOUSEHOLD_FIELDS, check_duplicate=False)  # fmt: skip
        if self._implicit:
            self.report.warn(
                f"世帯IDの無い {self._implicit} 人に1人世帯 (H-個人ID) を作りました",
                f"{self._implicit} persons without a household id got a one-person household H-<person id>",
            )


# ---------------------------------------------------------------- agencies, venues, employers, supporters


class AgenciesLoader(_NodeLoader):
    """支援関係機関一覧 → Agency nodes (+ IN_AREA)."""

    kind = "agencies"
    label = NodeLabel.AGENCY
    columns = (
        C("id", "機関ID", "事業所ID", "ID", "agency_id", "id", required=True, ja="機関ID", en="agency id", ex="AG-HOKATSU"),
        C("name", "機関名", "名称", "事業所名", "name", required=True, ja="名称", en="name", ex="みなと地域包括支援センター"),
        C("kind", "種別", "機関の種類", "kind", ja="地域包括支援センター・基幹相談支援センター・自立相談支援機関・社会福祉協議会 … (README参照)", en="agency kind", ex="地域包括支援センター"),
        SECTORS_COLUMN,
        C("phone", "電話番号", "電話", "phone", "tel", ja="電話番号", en="phone", ex="0599-00-0000"),
        C("url", "URL", "ホームページ", "url", "website", ja="URL", en="url", ex="https://example.jp"),
        C("corporation", "法人の名称", "法人名", "corporation", ja="運営法人", en="operating corporation", ex="社会福祉法人みなと会"),
        C("corporate_number", "法人番号", "corporate_number", ja="法人番号 (13桁)", en="corporate number", ex="1234567890123"),
        C("office_number", "事業所番号", "office_number", ja="介護保険等の事業所番号", en="office number", ex="2470000001"),
        C("services", "実施サービス", "サービス", "services", ja="実施サービス (「、」区切り)", en="services", ex="総合相談、権利擁護"),
        C("caseload_limit", "担当ケース上限", "ケース上限", "caseload_limit", ja="担当できるケース数の目安", en="caseload limit", ex="40"),
        *SCHEDULE_COLUMNS,
        *CAPACITY_COLUMNS,
        *LOCATION_COLUMNS,
    )  # fmt: skip
    field_columns: ClassVar[dict[str, str]] = {
        **_LOC_FIELDS, **_SCHED_FIELDS, "name": "name", "kind": "kind", "sectors": "sectors", "phone": "phone",
        "url": "url", "corporation": "corporation", "corporate_number": "corporate_number",
        "office_number": "office_number", "services": "services", "caseload_limit": "caseload_limit",
    }  # fmt: skip

    def row_data(self, row: Row) -> dict[str, Any] | None:
        data: dict[str, Any] = {}
        if not self.common(row, data):
            return None
        put(data, "name", row.get("name"))
        put(data, "kind", row.parse("kind", lambda t: parse_enum(AgencyKind, t)))
        _sectors(row, data)
        for f in ("phone", "url", "corporation", "corporate_number", "office_number"):
            put(data, f, row.get(f))
        put(data, "services", row.parse("services", parse_list))
        put(data, "caseload_limit", row.parse("caseload_limit", parse_int))
        put(data, "schedule", _schedule(row))
        put(data, "capacity", _capacity(row))
        return data


class VenuesLoader(_NodeLoader):
    """居場所・通いの場一覧 → Venue nodes (+ IN_AREA)."""

    kind = "venues"
    label = NodeLabel.VENUE
    columns = (
        C("id", "居場所ID", "ID", "venue_id", "id", required=True, ja="居場所ID", en="venue id", ex="V-CAFE"),
        C("name", "名称", "居場所名", "name", required=True, ja="名称", en="name", ex="しおかぜカフェ"),
        C("kind", "種別", "kind", ja="自宅型サロン・拠点型サロン・コミュニティカフェ・子ども食堂・お寺・神社・通いの場・公民館・集会所・学習支援教室・農園・その他", en="venue kind", ex="コミュニティカフェ"),
        SECTORS_COLUMN,
        C("activities", "活動内容", "活動", "activities", ja="活動内容 (「、」区切り)", en="activities", ex="お茶会、体操"),
        *SCHEDULE_COLUMNS,
        *CAPACITY_COLUMNS,
        *LOCATION_COLUMNS,
    )  # fmt: skip
    field_columns: ClassVar[dict[str, str]] = {**_LOC_FIELDS, **_SCHED_FIELDS, "name": "name", "kind": "kind",
                                               "sectors": "sectors", "activities": "activities"}  # fmt: skip

    def row_data(self, row: Row) -> dict[str, Any] | None:
        data: dict[str, Any] = {}
        if not self.common(row, data):
            return None
        put(data, "name", row.get("name"))
        put(data, "kind", row.parse("kind", lambda t: parse_enum(VenueKind, t)))
        _sectors(row, data)
        put(data, "activities", row.parse("activities", parse_list))
        put(data, "schedule", _schedule(row))
        put(data, "capacity", _capacity(row))
        return data


class EmployersLoader(_NodeLoader):
    """企業・事業所一覧 → Employer nodes (+ IN_AREA)."""

    kind = "employers"
    label = NodeLabel.EMPLOYER
    columns = (
        C("id", "事業所ID", "企業ID", "ID", "employer_id", "id", required=True, ja="事業所ID", en="employer id", ex="E-RYOKAN"),
        C("name", "事業所名", "企業名", "名称", "name", required=True, ja="名称", en="name", ex="旅館なぎさ"),
        C("industry", "業種", "industry", ja="業種 (観光・水産・農業・小売・福祉 …)", en="industry", ex="観光"),
        C("welfare_workplace", "福祉的就労", "B型", "welfare_workplace", ja="B型など福祉的就労の事業所なら はい", en="welfare workplace", ex="いいえ"),
        SECTORS_COLUMN,
        *LOCATION_COLUMNS,
    )  # fmt: skip
    field_columns: ClassVar[dict[str, str]] = {**_LOC_FIELDS, "name": "name", "industry": "industry",
                                               "welfare_workplace": "welfare_workplace", "sectors": "sectors"}  # fmt: skip

    def row_data(self, row: Row) -> dict[str, Any] | None:
        data: dict[str, Any] = {}
        if not self.common(row, data):
            return None
        put(data, "name", row.get("name"))
        put(data, "industry", row.get("industry"))
        put(data, "welfare_workplace", row.parse("welfare_workplace", parse_bool))
        _sectors(row, data)
        return data


class SupportersLoader(_NodeLoader):
    """支援者一覧 (民生委員・サポーター・専門職) → Supporter nodes (+ IN_AREA)."""

    kind = "supporters"
    label = NodeLabel.SUPPORTER
    columns = (
        C("id", "支援者ID", "ID", "supporter_id", "id", required=True, ja="支援者ID", en="supporter id", ex="S-001"),
        C("name", "氏名", "名前", "name", ja="氏名 (架空)", en="name", ex="浜辺 一郎"),
        C("kind", "種別", "kind", ja="民生委員・児童委員・サポーター・専門職・見守り協力員", en="supporter kind", ex="民生委員・児童委員"),
        C("area_id", "担当地区ID", "地区ID", "地区", "area_id", ja="担当地区", en="area id or name", ex="A-TOSHI"),
        C("agency_id", "所属機関ID", "agency_id", ja="所属機関のID", en="agency id", ex="AG-SHAKYO"),
    )  # fmt: skip
    field_columns: ClassVar[dict[str, str]] = {"name": "name", "kind": "kind", "area_id": "area_id",
                                               "agency_id": "agency_id"}  # fmt: skip

    def row_data(self, row: Row) -> dict[str, Any] | None:
        data: dict[str, Any] = {}
        if not self.common(row, data, location=False):
            return None
        data.pop("address", None)
        put(data, "name", row.get("name"))
        put(data, "kind", row.parse("kind", lambda t: parse_enum(SupporterKind, t)))
        agency = row.get("agency_id")
        put(data, "agency_id", agency)
        if agency:
            self.require(row, "agency_id", NodeRef(NodeLabel.AGENCY, agency))
        return data


# ---------------------------------------------------------------- opportunities

_HOST_LABELS = (NodeLabel.EMPLOYER, NodeLabel.VENUE, NodeLabel.AGENCY)


class _LabelFinder:
    """Finds which of several labels an id belongs to (this file's nodes, then the store)."""

    def __init__(self, loader: Loader):
        self.loader = loader
        self._cache: dict[tuple[NodeLabel, str], NodeRow | None] = {}

    def get(self, label: NodeLabel, id_: str) -> NodeRow | None:
        ref = NodeRef(label, id_)
        if ref in self.loader.drafts:
            g = self.loader.drafts[ref].given
            props: dict[str, Any] = {k: v for k, v in g.items() if k == "area_id"}
            loc = g.get("location")
            if isinstance(loc, dict):
                props.update(
                    lat=loc["lat"], lon=loc["lon"], location_approximate=bool(loc.get("approximate"))
                )
            return NodeRow(label, id_, props)
        if (label, id_) not in self._cache:
            self._cache[(label, id_)] = self.loader.store.get_node(ref)
        return self._cache[(label, id_)]

    def infer(self, row: Row, field_: str, id_: str, labels: Sequence[NodeLabel]) -> NodeLabel | None:
        if len(labels) == 1:
            return labels[0]
        hits = [lb for lb in labels if self.get(lb, id_) is not None]
        if len(hits) == 1:
            return hits[0]
        names_ja = "・".join(lb.ja for lb in labels)
        if not hits:
            row.problem(field_, f"「{id_}」が見つかりません ({names_ja} のいずれにもありません)",
                        f"{id_!r} not found as any of {', '.join(lb.value for lb in labels)}", id_)  # fmt: skip
        else:
            row.problem(field_, f"「{id_}」は複数の種類にあります。種別の列で指定してください",
                        f"{id_!r} exists as several kinds; give the kind column", id_)  # fmt: skip
        return None


class OpportunitiesLoader(_NodeLoader):
    """参加メニュー (プチ勤務カタログ など) → Opportunity nodes, HOSTED_BY their host, IN_AREA. Without
    coordinates an opportunity takes its host's location (source ``host``), else the district centre."""

    kind = "opportunities"
    label = NodeLabel.OPPORTUNITY
    columns = (
        C("id", "メニューID", "ID", "opportunity_id", "id", required=True, ja="メニューID", en="opportunity id", ex="O-001"),
        C("title", "名称", "メニュー名", "タイトル", "title", "name", required=True, ja="名称", en="title", ex="旅館の朝食配膳"),
        C("kind", "種類", "種別", "kind", required=True, ja="プチ勤務・中間的就労・就労体験・ボランティア・居場所参加・一時的住まい・B型・学習支援・在宅・遠隔の作業・その他", en="opportunity kind", ex="プチ勤務"),
        C("host_id", "受け入れ先ID", "受入先ID", "host_id", "host", ja="受け入れ先 (企業・居場所・機関) のID", en="host id", ex="E-RYOKAN"),
        C("host_label", "受け入れ先種別", "受入先種別", "host_kind", "host_label", ja="企業・居場所・機関 (IDが一意なら省略可)", en="host kind (optional if the id is unique)", ex="企業"),
        C("description", "内容", "仕事内容", "説明", "description", ja="内容", en="description", ex="朝食の配膳と片付け"),
        SECTORS_COLUMN,
        C("provides", "提供するもの", "得られるもの", "provides", ja="日中活動・収入・居場所・住まい …", en="what it provides", ex="収入、日中活動"),
        C("hours_per_session", "1回の時間", "1回あたり時間", "時間数", "hours_per_session", ja="1回の時間 (時間; 省略時は時間帯から)", en="hours per session", ex="2"),
        C("difficulty", "難易度", "difficulty", ja="1〜5", en="difficulty 1-5", ex="2"),
        C("contact_load", "対人負荷", "対人", "contact_load", ja="人と接する負荷 1〜5", en="contact load 1-5", ex="3"),
        C("physical_load", "身体負荷", "体力", "physical_load", ja="体を使う負荷 1〜5", en="physical load 1-5", ex="2"),
        C("skills_wanted", "求めるスキル", "スキル", "skills_wanted", "skills", ja="求めるスキル (「、」区切り)", en="skills wanted", ex="配膳、清掃"),
        C("accessibility", "配慮・設備", "バリアフリー", "accessibility", ja="配慮・設備", en="accessibility", ex="送迎あり"),
        C("support", "受け入れ先の支援", "支援内容", "support", ja="声かけ・見守り …", en="support by the host", ex="声かけ、見守り"),
        C("contact_person", "担当者", "連絡先", "contact_person", "contact", ja="受け入れ先の担当者", en="contact person", ex="女将"),
        C("remote", "在宅可", "遠隔可", "remote", ja="在宅・遠隔で可なら はい", en="remote possible", ex="いいえ"),
        *SCHEDULE_COLUMNS,
        *CAPACITY_COLUMNS,
        *LOCATION_COLUMNS,
    )  # fmt: skip
    field_columns: ClassVar[dict[str, str]] = {
        **_LOC_FIELDS, **_SCHED_FIELDS, "title": "title", "kind": "kind", "host_id": "host_id",
        "host_label": "host_label", "description": "description", "sectors": "sectors", "provides": "provides",
        "hours_per_session": "hours_per_session", "difficulty": "difficulty", "contact_load": "contact_load",
        "physical_load": "physical_load", "skills_wanted": "skills_wanted", "accessibility": "accessibility",
        "support": "support", "contact_person": "contact_person", "remote": "remote",
    }  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.finder = _LabelFinder(self)

    def row_data(self, row: Row) -> dict[str, Any] | None:
        data: dict[str, Any] = {}
        put(data, "id", row.get("id"))
        put(data, "title", row.get("title"))
        put(data, "kind", row.parse("kind", lambda t: parse_enum(OpportunityKind, t)))
        put(data, "description", row.get("description"))
        _sectors(row, data)
        for f in ("provides", "skills_wanted", "accessibility", "support"):
            put(data, f, row.parse(f, parse_list))
        for f in ("difficulty", "contact_load", "physical_load"):
            put(data, f, row.parse(f, parse_int))
        put(data, "hours_per_session", row.parse("hours_per_session", parse_float))
        put(data, "contact_person", row.get("contact_person"))
        put(data, "remote", row.parse("remote", parse_bool))
        sched = _schedule(row)
        put(data, "schedule", sched)
        if sched not in (None, BAD) and sched.slots and "hours_per_session" not in data:
            lengths = {s.hours for s in sched.slots}
            if len(lengths) == 1:
                data["hours_per_session"] = lengths.pop()
        put(data, "capacity", _capacity(row))
        host_id = row.get("host_id")
        host: NodeRow | None = None
        if host_id:
            label = row.parse("host_label", parse_label)
            if label is BAD:
                return None
            if label is None:
                label = self.finder.infer(row, "host_id", host_id, _HOST_LABELS)
                if label is None:
                    return None
            data["host_id"], data["host_label"] = host_id, label
            host = self.finder.get(label, host_id)
        elif row.get("host_label"):
            row.problem(
                "host_id",
                "受け入れ先種別があるのに受け入れ先IDがありません",
                "host kind given without host id",
            )
            return None
        area_id = self.resolve_area(row) if row.table.has("area_id") else None
        put(data, "area_id", area_id)
        self._host_area = str(host.props["area_id"]) if host and "area_id" in host.props else None
        if row.get("lat") is None and row.get("lon") is None and host is not None and "lat" in host.props:
            approx = bool(host.props.get("location_approximate", False))
            data["location"] = GeoPoint(lat=float(host.props["lat"]), lon=float(host.props["lon"]),  # type: ignore[arg-type]
                                        approximate=approx, source="host").model_dump()  # fmt: skip
            data[_DERIVED] = True
            if approx:
                self.report.approximate_locations += 1
                self.report.approximate_sources["host"] = self.report.approximate_sources.get("host", 0) + 1
        else:
            loc = self.location(row, area_id=data.get("area_id"))
            if loc is BAD:
                return None
            if loc is not None:
                data["location"] = loc.model_dump()
                data[_DERIVED] = loc.source != geo.SOURCE_FILE
        return data

    def build_row(self, row: Row) -> None:
        self._host_area = None
        data = self.row_data(row)
        if data is None:
            return
        defaults: dict[str, Any] = {"area_id": self._host_area} if self._host_area else {}
        _add(self, row, self.label, data, defaults=defaults)


# ---------------------------------------------------------------- cases


class CasesLoader(_NodeLoader):
    """相談ケース一覧 → Case nodes, ABOUT their household (and person), HANDLED_BY agencies (the first listed,
    or the 主担当機関ID, is the lead)."""

    kind = "cases"
    label = NodeLabel.CASE
    columns = (
        C("id", "ケースID", "ID", "case_id", "id", required=True, ja="ケースID", en="case id", ex="C-001"),
        C("household_id", "世帯ID", "household_id", ja="対象世帯のID", en="household id", ex="H-0001"),
        C("person_id", "本人ID", "個人ID", "person_id", ja="対象者のID", en="person id", ex="P-0001"),
        C("stage", "段階", "支援段階", "stage", ja="受付・アセスメント・プラン・支援・終結", en="stage", ex="支援"),
        C("factors", "要因", "課題", "factors", ja="家族関係・認知症・精神疾患・経済的困窮・ひきこもり … (README参照)", en="factors", ex="ひきこもり、経済的困窮"),
        C("opened", "受付日", "開始日", "opened", ja="受付日", en="opened", ex="2024-04-01"),
        C("closed", "終結日", "closed", ja="終結日", en="closed", ex="2024-12-01"),
        C("hard", "困難事例", "hard", ja="困難事例なら はい", en="hard case", ex="はい"),
        C("summary", "概要", "summary", ja="概要", en="summary", ex="8050世帯。長男がひきこもり"),
        C("agencies", "担当機関ID", "担当機関", "agency_ids", "agencies", ja="担当機関のID (「、」区切り; 先頭が主担当)", en="agency ids (first is the lead)", ex="AG-HOKATSU、AG-JIRITSU"),
        C("lead_agency", "主担当機関ID", "lead_agency_id", ja="主担当機関のID", en="lead agency id", ex="AG-HOKATSU"),
    )  # fmt: skip
    field_columns: ClassVar[dict[str, str]] = {
        "household_id": "household_id", "stage": "stage", "factors": "factors", "opened": "opened",
        "closed": "closed", "hard": "hard", "summary": "summary",
    }  # fmt: skip

    def row_data(self, row: Row) -> dict[str, Any] | None:
        data: dict[str, Any] = {}
        put(data, "id", row.get("id"))
        put(data, "household_id", row.get("household_id"))
        put(data, "stage", row.parse("stage", lambda t: parse_enum(CaseStage, t)))
        put(data, "factors", row.parse("factors", lambda t: parse_enum_list(CaseFactor, t)))
        put(data, "opened", row.parse("opened", parse_event_date))
        put(data, "closed", row.parse("closed", parse_event_date))
        put(data, "hard", row.parse("hard", parse_bool))
        put(data, "summary", row.get("summary"))
        return data

    def _clearable(self, column_field: str) -> bool:
        return column_field not in ("id", "agencies", "lead_agency", "person_id")

    def build_row(self, row: Row) -> None:
        data = self.row_data(row)
        if data is None:
            return
        ref = _add(self, row, self.label, data)
        if ref is None:
            return
        pid = row.get("person_id")
        if pid:
            self.add_rel(row, RelType.ABOUT, ref, NodeRef(NodeLabel.PERSON, pid), dst_field="person_id")
            self.replace_rels.append((ref, RelType.ABOUT, NodeLabel.PERSON, [NodeRef(NodeLabel.PERSON, pid)]))
        if not data.get("household_id") and not pid and self.store.get_node(ref) is None:
            self.report.warn(
                f"{row.number}行目: 対象の世帯も本人もありません", f"row {row.number}: no household or person"
            )
        agencies = row.parse("agencies", parse_list) or []
        lead = row.get("lead_agency")
        if agencies is BAD:
            return
        if not agencies and lead:  # only the lead named: the other stored agencies stay, no longer the lead
            agencies = [
                r.dst.id for r in self.store.relationships(ref, types=[RelType.HANDLED_BY], direction="out")
            ]
        elif agencies:
            targets = [
                NodeRef(NodeLabel.AGENCY, a) for a in dict.fromkeys([*([lead] if lead else []), *agencies])
            ]
            self.replace_rels.append((ref, RelType.HANDLED_BY, NodeLabel.AGENCY, targets))
        if lead and lead not in agencies:
            agencies = [lead, *agencies]
        lead = lead or (agencies[0] if agencies else None)
        for ag in agencies:
            fld = "lead_agency" if (ag == lead and row.get("lead_agency")) else "agencies"
            self.add_rel(row, RelType.HANDLED_BY, ref, NodeRef(NodeLabel.AGENCY, ag), {"lead": ag == lead},
                         dst_field=fld)  # fmt: skip


# ---------------------------------------------------------------- ties (relationship lists)

_REL_PROP_PARSERS: dict[str, Callable[[str], Any]] = {
    "sector": lambda t: parse_enum(Sector, t),
    "since": parse_event_date,
    "start": parse_event_date,
    "intensity": parse_int,
    "strength": lambda t: parse_enum(TieStrength, t),
    "level": lambda t: parse_enum(CollaborationLevel, t),
    "per_month": parse_float,
    "status": lambda t: parse_enum(PlacementStatus, t),
    "outcome": lambda t: parse_enum(PlacementOutcome, t),
    "lead": parse_bool,
    "role": str,
    "host_notes": str,
}


class TiesLoader(Loader):
    """関係の一覧 → relationships of any type between existing nodes (or nodes of nothing else: every
    endpoint must already be in the store). One row per relationship; the kinds of the ends may be left out
    when the type allows only one, or when the id exists as only one of the allowed kinds."""

    kind = "ties"
    header_required = ("type", "source_id", "target_id")
    columns = (
        C("type", "関係", "関係の種類", "type", "rel_type", required=True,
          ja="支援を受ける (SUPPORTED_BY)・知人・友人 (KNOWS)・近所 (NEIGHBOUR_OF)・訪問 (VISITS)・通う (ATTENDS)・連携 (COLLABORATES_WITH)・参加 (PLACED_IN)・世帯員・所在地区・受け入れ先・対象・担当機関",
          en="relationship type", ex="支援を受ける"),
        C("source_label", "始点種別", "元の種別", "source_kind", "source_label", ja="本人・世帯・機関・居場所・企業・支援者・ケース・参加メニュー・地区", en="source kind", ex="世帯"),
        C("source_id", "始点ID", "元ID", "source_id", "source", required=True, ja="始点のID", en="source id", ex="H-0001"),
        C("target_label", "終点種別", "先の種別", "target_kind", "target_label", ja="終点の種別", en="target kind", ex="機関"),
        C("target_id", "終点ID", "先ID", "target_id", "target", required=True, ja="終点のID", en="target id", ex="AG-HOKATSU"),
        C("sector", "分野", "sector", ja="SUPPORTED_BY: 分野", en="sector", ex="高齢"),
        C("since", "開始日", "since", "start", ja="関係の開始日 (PLACED_IN では参加開始日)", en="since / start", ex="2023-04-01"),
        C("intensity", "強度", "頻度区分", "intensity", ja="1 情報提供 / 2 定期 / 3 集中", en="intensity 1-3", ex="2"),
        C("strength", "強さ", "strength", ja="弱い・強い", en="tie strength", ex="強い"),
        C("level", "連携段階", "level", ja="認知・協力・連携・統合", en="collaboration level", ex="協力"),
        C("per_month", "月あたり回数", "月の回数", "per_month", ja="月あたりの回数", en="times per month", ex="2"),
        C("status", "状況", "status", ja="提案・打診済み・受入決定・見送り・参加開始・定着支援中・終了", en="placement status", ex="参加開始"),
        C("outcome", "結果", "outcome", ja="継続中・早期終了・円満終了", en="placement outcome", ex="継続中"),
        C("lead", "主担当", "lead", ja="HANDLED_BY: 主担当なら はい", en="lead agency", ex="はい"),
        C("role", "続柄", "role", ja="MEMBER_OF: 続柄", en="role", ex="長男"),
        C("host_notes", "メモ", "受け入れ先メモ", "host_notes", "notes", ja="PLACED_IN: 受け入れ先の悩み・メモ", en="host notes", ex="朝が苦手"),
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.finder = _LabelFinder(self)

    def _clearable(self, column_field: str) -> bool:
        return column_field in _REL_PROP_PARSERS

    def _end(self, row: Row, rel: RelType, end: str, allowed: frozenset[NodeLabel]) -> NodeRef | None:
        id_ = row.get(f"{end}_id")
        label = row.parse(f"{end}_label", parse_label)
        if id_ is None:
            what = ("始点", "source") if end == "source" else ("終点", "target")
            row.problem(f"{end}_id", f"{what[0]}IDがありません", f"the {what[1]} id is missing")
            return None
        if label is BAD:
            return None
        ordered = [lb for lb in NodeLabel if lb in allowed]
        if label is None:
            label = self.finder.infer(row, f"{end}_id", id_, ordered)
            if label is None:
                return None
        elif label not in allowed:
            row.problem(f"{end}_label", f"{rel.ja} ({rel.value}) の{'始点' if end == 'source' else '終点'}は "
                        f"{'・'.join(lb.ja for lb in ordered)} のいずれかです", f"{rel.value} {end} must be one of "
                        f"{', '.join(lb.value for lb in ordered)}", row.get(f"{end}_label"))  # fmt: skip
            return None
        return NodeRef(label, id_)

    def build_row(self, row: Row) -> None:
        rel = row.parse("type", lambda t: parse_enum(RelType, t.upper() if t.isascii() else t))
        if rel is None:
            row.problem("type", "関係の種類がありません", "the relationship type is missing")
        if rel is None or rel is BAD:
            return
        spec = REL_SPECS[rel]
        src = self._end(row, rel, "source", spec.sources)
        dst = self._end(row, rel, "target", spec.targets)
        if src is None or dst is None:
            return
        fields = spec.props.model_fields
        data: dict[str, Any] = {}
        colmap: dict[str, str] = {}
        used: set[str] = set()
        bad = False
        for name, parser in _REL_PROP_PARSERS.items():
            col = "since" if name == "start" else name
            if name not in fields or not row.get(col):
                continue
            value = row.parse(col, parser)
            bad = bad or value is BAD
            put(data, name, value)
            colmap[name] = row.col(col) or col
            used.add(col)
        unused = [c for c in _REL_PROP_PARSERS if c != "start" and c not in used and row.get(c)]
        for c in unused:
            row.problem(c, f"関係「{rel.ja}」({rel.value}) はこの列を使いません。値を消すか、関係の種類と列の位置を確かめてください",
                        f"{rel.value} does not use this column; empty it, or check the type and the column order",
                        row.get(c))  # fmt: skip
        if bad or unused:
            return
        cleared = {("start" if (c == "since" and "start" in fields) else c) for c in row.cleared} & set(
            fields
        )
        key = (rel, src, dst)
        if key in self.rel_drafts:
            first = self.rel_drafts[key]
            if (first.given, first.cleared) == (data, cleared):
                self.report.warn(
                    f"{row.number}行目: 同じ関係が{first.origin.row}行目と同じ内容で重複しています (1件として扱いました)",
                    f"row {row.number}: the same relationship as row {first.origin.row}, same content (kept once)",
                )
                return
            row.problem("source_id", f"同じ関係がファイル内で重複し、内容が{first.origin.row}行目と違います",
                        f"duplicate relationship in the file with other content than row {first.origin.row}",
                        f"{src} → {dst}")  # fmt: skip
            return
        self.add_rel(row, rel, src, dst, data, src_field="source_id", dst_field="target_id", cleared=cleared,
                     columns=colmap)  # fmt: skip


LOADERS: dict[str, type[Loader]] = {
    cls.kind: cls
    for cls in (
        PersonsLoader,
        HouseholdsLoader,
        AreasLoader,
        AgenciesLoader,
        VenuesLoader,
        EmployersLoader,
        SupportersLoader,
        OpportunitiesLoader,
        CasesLoader,
        TiesLoader,
    )
}
"""Municipal file kinds → their loader class."""
