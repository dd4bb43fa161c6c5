"""Enumerations of the domain, each value with a Japanese and an English label.

The code name of each member is English; ``.ja`` is what a user reads. Values are stable strings: they are
what the stores hold and what case systems send.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "AgencyKind",
    "AreaKind",
    "CapacityUnit",
    "CaseFactor",
    "CaseStage",
    "CollaborationLevel",
    "HouseholdFlag",
    "LabeledEnum",
    "NodeLabel",
    "OpportunityKind",
    "OpportunityStatus",
    "PlacementOutcome",
    "PlacementStatus",
    "RelType",
    "Sector",
    "Sex",
    "SupporterKind",
    "TieKind",
    "TieStrength",
    "VenueKind",
    "Weekday",
    "set_labels",
]


class LabeledEnum(StrEnum):
    """A string enum whose members carry Japanese and English labels (``_LABELS[class][value]`` = (ja, en))."""

    @property
    def ja(self) -> str:
        return _LABELS[type(self).__name__][str(self.value)][0]

    @property
    def en(self) -> str:
        return _LABELS[type(self).__name__][str(self.value)][1]

    @classmethod
    def _missing_(cls, value: object) -> LabeledEnum | None:
        """Let ``Sector("高齢")`` and validated records accept Japanese labels and aliases too."""
        if isinstance(value, str):
            try:
                return cls.parse(value)
            except ValueError:
                return None
        return None

    @classmethod
    def parse(cls, text: str) -> LabeledEnum:
        """Accept the code value, the English label or the Japanese label (case- and width-insensitive)."""
        import unicodedata

        key = unicodedata.normalize("NFKC", text).strip().casefold()
        for member in cls:
            value = str(member.value)
            ja, en = _LABELS[cls.__name__][value]
            candidates = {value.casefold(), en.casefold(), unicodedata.normalize("NFKC", ja).casefold()}
            candidates |= {a.casefold() for a in _ALIASES.get((cls.__name__, value), ())}
            if key in candidates:
                return member
        raise ValueError(text)


# Labels of every LabeledEnum, by class name then value: (Japanese, English).
_LABELS: dict[str, dict[str, tuple[str, str]]] = {}


def set_labels(cls: type[LabeledEnum], labels: dict[str, tuple[str, str]]) -> None:
    """Register the (Japanese, English) labels of every member of a :class:`LabeledEnum` subclass."""
    missing = {str(m.value) for m in cls} - set(labels)
    if missing:
        raise ValueError(f"labels missing for {cls.__name__}: {sorted(missing)}")
    _LABELS[cls.__name__] = labels


# Extra spellings accepted by ``parse`` (municipal files use many).
_ALIASES: dict[tuple[str, str], tuple[str, ...]] = {
    ("Sector", "elderly"): ("高齢", "介護", "高齢・介護", "高齢者"),
    ("Sector", "disability"): ("障がい", "障碍", "障害者"),
    ("Sector", "child"): ("子ども", "子育て", "児童", "こども"),
    ("Sector", "poverty"): ("困窮", "生活困窮者"),
    ("Sector", "health"): ("保健", "医療"),
    ("Sector", "employment"): ("就労", "雇用"),
    ("Sector", "housing"): ("住宅", "居住"),
    ("Sector", "community"): ("地域づくり",),
    ("HouseholdFlag", "eighty_fifty"): ("8050", "8050問題", "9060"),
    ("HouseholdFlag", "double_care"): ("ダブル・ケア", "double-care"),
    ("HouseholdFlag", "young_carer"): ("ヤング・ケアラー", "young-carer"),
    ("HouseholdFlag", "social_isolation"): ("孤立", "社会的孤立世帯"),
    ("TieKind", "kin"): ("親戚", "家族", "親類"),
    ("TieKind", "friend"): ("友達", "友だち"),
    ("TieKind", "neighbour"): ("近隣", "隣人", "neighbor"),
    ("TieKind", "watch"): ("見守る", "見守り活動"),
    ("OpportunityKind", "petit_work"): ("プチ勤務", "プチワーク"),
    ("OpportunityKind", "type_b_place"): ("B型", "就労継続支援B型"),
    ("VenueKind", "community_cafe"): ("カフェ",),
    ("Weekday", "mon"): ("月", "MO"),
    ("Weekday", "tue"): ("火", "TU"),
    ("Weekday", "wed"): ("水", "WE"),
    ("Weekday", "thu"): ("木", "TH"),
    ("Weekday", "fri"): ("金", "FR"),
    ("Weekday", "sat"): ("土", "SA"),
    ("Weekday", "sun"): ("日", "SU"),
}


class Sector(LabeledEnum):
    """分野. The four statutory fields of the project plus the fields beyond welfare it must reach."""

    ELDERLY = "elderly"
    DISABILITY = "disability"
    CHILD = "child"
    POVERTY = "poverty"
    HEALTH = "health"
    EMPLOYMENT = "employment"
    EDUCATION = "education"
    HOUSING = "housing"
    COMMUNITY = "community"


_LABELS["Sector"] = {
    "elderly": ("高齢(介護)", "elderly care"),
    "disability": ("障害", "disability"),
    "child": ("子ども・子育て", "children and families"),
    "poverty": ("生活困窮", "poverty / hardship"),
    "health": ("保健医療", "health and medical"),
    "employment": ("労働", "employment"),
    "education": ("教育", "education"),
    "housing": ("住まい", "housing"),
    "community": ("地域", "community"),
}


class AgencyKind(LabeledEnum):
    """支援関係機関の種別."""

    COMPREHENSIVE_CARE_CENTER = "comprehensive_care_center"
    DISABILITY_CORE_CENTER = "disability_core_center"
    DISABILITY_CONSULTATION = "disability_consultation"
    CHILD_USER_SUPPORT = "child_user_support"
    CHILD_FAMILY_CENTER = "child_family_center"
    SELF_RELIANCE_SUPPORT = "self_reliance_support"
    SOCIAL_WELFARE_COUNCIL = "social_welfare_council"
    WELFARE_OFFICE = "welfare_office"
    PUBLIC_HEALTH = "public_health"
    ONE_STOP_CENTER = "one_stop_center"
    PARTICIPATION_SUPPORT = "participation_support"
    OUTREACH_SUPPORT = "outreach_support"
    HIKIKOMORI_CENTER = "hikikomori_center"
    EMPLOYMENT_OFFICE = "employment_office"
    BOARD_OF_EDUCATION = "board_of_education"
    MEDICAL = "medical"
    HOUSING_SUPPORT = "housing_support"
    CARE_PROVIDER = "care_provider"
    DISABILITY_SERVICE = "disability_service"
    MUNICIPAL_OFFICE = "municipal_office"
    OTHER = "other"


_LABELS["AgencyKind"] = {
    "comprehensive_care_center": ("地域包括支援センター", "community comprehensive care center"),
    "disability_core_center": ("基幹相談支援センター", "core disability consultation center"),
    "disability_consultation": ("障害者相談支援事業所", "disability consultation office"),
    "child_user_support": ("利用者支援事業", "child user-support service"),
    "child_family_center": ("こども家庭センター", "child and family center"),
    "self_reliance_support": ("自立相談支援機関", "self-reliance support office (poverty)"),
    "social_welfare_council": ("社会福祉協議会", "social welfare council"),
    "welfare_office": ("福祉事務所", "welfare office"),
    "public_health": ("保健所・保健センター", "public health center"),
    "one_stop_center": ("総合相談窓口", "one-stop consultation center"),
    "participation_support": ("参加支援事業者", "participation support provider"),
    "outreach_support": ("アウトリーチ等継続支援事業者", "outreach support provider"),
    "hikikomori_center": ("ひきこもり地域支援センター", "hikikomori support center"),
    "employment_office": ("ハローワーク", "public employment office"),
    "board_of_education": ("教育委員会・学校", "board of education / school"),
    "medical": ("医療機関", "medical institution"),
    "housing_support": ("居住支援法人", "housing support corporation"),
    "care_provider": ("介護サービス事業所", "long-term care provider"),
    "disability_service": ("障害福祉サービス事業所", "disability service provider"),
    "municipal_office": ("市町村担当課", "municipal office"),
    "other": ("その他", "other"),
}


class VenueKind(LabeledEnum):
    """居場所・通いの場の種別."""

    HOME_SALON = "home_salon"
    HUB_SALON = "hub_salon"
    COMMUNITY_CAFE = "community_cafe"
    KODOMO_SHOKUDO = "kodomo_shokudo"
    TEMPLE = "temple"
    KAYOI_NO_BA = "kayoi_no_ba"
    COMMUNITY_CENTER = "community_center"
    LEARNING_SUPPORT = "learning_support"
    FARM = "farm"
    OTHER = "other"


_LABELS["VenueKind"] = {
    "home_salon": ("自宅型サロン", "home-based salon"),
    "hub_salon": ("拠点型サロン", "hub salon"),
    "community_cafe": ("コミュニティカフェ", "community café"),
    "kodomo_shokudo": ("子ども食堂", "children's cafeteria"),
    "temple": ("お寺・神社", "temple or shrine"),
    "kayoi_no_ba": ("通いの場", "exercise and social gathering place"),
    "community_center": ("公民館・集会所", "community hall"),
    "learning_support": ("学習支援教室", "learning support class"),
    "farm": ("農園", "community farm"),
    "other": ("その他", "other"),
}


class OpportunityKind(LabeledEnum):
    """参加メニューの種別."""

    PETIT_WORK = "petit_work"
    INTERMEDIATE_WORK = "intermediate_work"
    WORK_EXPERIENCE = "work_experience"
    VOLUNTEER = "volunteer"
    IBASHO = "ibasho"
    TEMPORARY_HOUSING = "temporary_housing"
    TYPE_B_PLACE = "type_b_place"
    LEARNING = "learning"
    REMOTE_TASK = "remote_task"
    OTHER = "other"


_LABELS["OpportunityKind"] = {
    "petit_work": ("プチ勤務", "micro-shift"),
    "intermediate_work": ("中間的就労", "intermediate (supported) work"),
    "work_experience": ("就労体験", "work experience"),
    "volunteer": ("ボランティア", "volunteering"),
    "ibasho": ("居場所参加", "joining a community place"),
    "temporary_housing": ("一時的住まい", "temporary housing"),
    "type_b_place": ("就労継続支援B型の空き定員", "spare place at a type-B workplace"),
    "learning": ("学習支援", "learning support"),
    "remote_task": ("在宅・遠隔の作業", "remote task"),
    "other": ("その他", "other"),
}


class OpportunityStatus(LabeledEnum):
    """参加メニューの公開状態: a draft (下書き, e.g. cut from a host's job and not yet confirmed) is not offered by
    matching, maps or exports until it is published. A record without a status is published."""

    DRAFT = "draft"
    PUBLISHED = "published"


_LABELS["OpportunityStatus"] = {"draft": ("下書き", "draft"), "published": ("公開", "published")}


class CaseStage(LabeledEnum):
    """相談ケースの段階 (受付 → アセスメント → プラン → 支援 → 終結)."""

    INTAKE = "intake"
    ASSESSMENT = "assessment"
    PLANNING = "planning"
    SUPPORT = "support"
    CLOSED = "closed"

    @property
    def order(self) -> int:
        return list(CaseStage).index(self)


_LABELS["CaseStage"] = {
    "intake": ("受付", "intake"),
    "assessment": ("アセスメント", "assessment"),
    "planning": ("プラン", "planning"),
    "support": ("支援", "support"),
    "closed": ("終結", "closed"),
}


class CaseFactor(LabeledEnum):
    """困難事例の要因. After the Kuwana survey's classification (5.4 factors per hard case on average).

    ``sector`` gives the field whose agencies usually answer the factor: the overlap analysis compares the
    sectors a household's factors span with the sectors of the agencies that serve it.
    """

    FAMILY_RELATIONS = "family_relations"
    DEMENTIA = "dementia"
    REFUSAL_TEMPERAMENT = "refusal_temperament"
    MENTAL_ILLNESS = "mental_illness"
    FINANCIAL_HARDSHIP = "financial_hardship"
    HOUSING = "housing"
    NO_SUPPORTER = "no_supporter"
    PHYSICAL_ILLNESS = "physical_illness"
    DISABILITY = "disability"
    HIKIKOMORI = "hikikomori"
    ABUSE = "abuse"
    SELF_NEGLECT = "self_neglect"
    DEBT = "debt"
    CARE_BURDEN = "care_burden"
    UNEMPLOYMENT = "unemployment"
    CHILD_REARING = "child_rearing"
    SOCIAL_ISOLATION = "social_isolation"
    ADDICTION = "addiction"
    LANGUAGE = "language"
    OTHER = "other"

    @property
    def sector(self) -> Sector:
        return _FACTOR_SECTOR[self.value]


_LABELS["CaseFactor"] = {
    "family_relations": ("家族関係", "family relations"),
    "dementia": ("認知症", "dementia"),
    "refusal_temperament": ("拒否・気質", "refusal of support / temperament"),
    "mental_illness": ("精神疾患", "mental illness"),
    "financial_hardship": ("経済的困窮", "financial hardship"),
    "housing": ("住まい", "housing"),
    "no_supporter": ("支援者不在", "no supporter"),
    "physical_illness": ("身体疾患", "physical illness"),
    "disability": ("障害", "disability"),
    "hikikomori": ("ひきこもり", "social withdrawal (hikikomori)"),
    "abuse": ("虐待", "abuse"),
    "self_neglect": ("セルフネグレクト・ごみ屋敷", "self-neglect / hoarding"),
    "debt": ("多重債務", "debt"),
    "care_burden": ("介護負担", "caregiver burden"),
    "unemployment": ("失業・就労困難", "unemployment"),
    "child_rearing": ("子育て", "child rearing"),
    "social_isolation": ("社会的孤立", "social isolation"),
    "addiction": ("依存症", "addiction"),
    "language": ("外国籍・言語", "foreign nationality / language"),
    "other": ("その他", "other"),
}

_FACTOR_SECTOR: dict[str, Sector] = {
    "family_relations": Sector.CHILD,
    "dementia": Sector.ELDERLY,
    "refusal_temperament": Sector.COMMUNITY,
    "mental_illness": Sector.HEALTH,
    "financial_hardship": Sector.POVERTY,
    "housing": Sector.HOUSING,
    "no_supporter": Sector.COMMUNITY,
    "physical_illness": Sector.HEALTH,
    "disability": Sector.DISABILITY,
    "hikikomori": Sector.POVERTY,
    "abuse": Sector.CHILD,
    "self_neglect": Sector.ELDERLY,
    "debt": Sector.POVERTY,
    "care_burden": Sector.ELDERLY,
    "unemployment": Sector.EMPLOYMENT,
    "child_rearing": Sector.CHILD,
    "social_isolation": Sector.COMMUNITY,
    "addiction": Sector.HEALTH,
    "language": Sector.COMMUNITY,
    "other": Sector.COMMUNITY,
}


class SupporterKind(LabeledEnum):
    MINSEI_IIN = "minsei_iin"
    SUPPORTER = "supporter"
    PROFESSIONAL = "professional"
    WATCH_VOLUNTEER = "watch_volunteer"


_LABELS["SupporterKind"] = {
    "minsei_iin": ("民生委員・児童委員", "commissioned welfare volunteer"),
    "supporter": ("サポーター", "community supporter"),
    "professional": ("専門職", "professional"),
    "watch_volunteer": ("見守り協力員", "watch volunteer"),
}


class CollaborationLevel(LabeledEnum):
    """PARTNER's ladder of inter-agency collaboration, from lowest to highest."""

    AWARENESS = "awareness"
    COOPERATION = "cooperation"
    COORDINATION = "coordination"
    INTEGRATION = "integration"

    @property
    def rank(self) -> int:
        return list(CollaborationLevel).index(self)


_LABELS["CollaborationLevel"] = {
    "awareness": ("認知", "awareness"),
    "cooperation": ("協力", "cooperation"),
    "coordination": ("連携", "coordination"),
    "integration": ("統合", "integration"),
}


class PlacementStatus(LabeledEnum):
    """The referral lifecycle of a placement."""

    PROPOSED = "proposed"
    CONTACTED = "contacted"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    STARTED = "started"
    FOLLOW_UP = "follow_up"
    ENDED = "ended"


_LABELS["PlacementStatus"] = {
    "proposed": ("提案", "proposed"),
    "contacted": ("打診済み", "contacted"),
    "accepted": ("受入決定", "accepted"),
    "declined": ("見送り", "declined"),
    "started": ("参加開始", "started"),
    "follow_up": ("定着支援中", "follow-up"),
    "ended": ("終了", "ended"),
}


class PlacementOutcome(LabeledEnum):
    """定着 at three months."""

    CONTINUED = "continued"
    ENDED_EARLY = "ended_early"
    ENDED_WELL = "ended_well"


_LABELS["PlacementOutcome"] = {
    "continued": ("継続中", "continued"),
    "ended_early": ("早期終了", "ended early"),
    "ended_well": ("円満終了", "ended well"),
}


class Weekday(LabeledEnum):
    MON = "mon"
    TUE = "tue"
    WED = "wed"
    THU = "thu"
    FRI = "fri"
    SAT = "sat"
    SUN = "sun"

    @property
    def hsds(self) -> str:
        """The iCal BYDAY code HSDS ``schedule.byday`` uses."""
        return self.value[:2].upper()


_LABELS["Weekday"] = {
    "mon": ("月", "Monday"),
    "tue": ("火", "Tuesday"),
    "wed": ("水", "Wednesday"),
    "thu": ("木", "Thursday"),
    "fri": ("金", "Friday"),
    "sat": ("土", "Saturday"),
    "sun": ("日", "Sunday"),
}


class CapacityUnit(LabeledEnum):
    PERSONS = "persons"
    SLOTS = "slots"
    ROOMS = "rooms"
    HOUSEHOLDS = "households"


_LABELS["CapacityUnit"] = {
    "persons": ("人", "persons"),
    "slots": ("枠", "slots"),
    "rooms": ("室", "rooms"),
    "households": ("世帯", "households"),
}


class AreaKind(LabeledEnum):
    MUNICIPALITY = "municipality"
    DAILY_LIVING_AREA = "daily_living_area"
    SCHOOL_DISTRICT = "school_district"
    DISTRICT = "district"
    ISLAND = "island"


_LABELS["AreaKind"] = {
    "municipality": ("市町村", "municipality"),
    "daily_living_area": ("日常生活圏域", "daily living area"),
    "school_district": ("小学校区", "school district"),
    "district": ("地区", "district"),
    "island": ("離島", "island"),
}


class HouseholdFlag(LabeledEnum):
    """Risk markers the outreach list ranks by."""

    SINGLE_ELDERLY = "single_elderly"
    ELDERLY_COUPLE = "elderly_couple"
    EIGHTY_FIFTY = "eighty_fifty"
    HIKIKOMORI_MEMBER = "hikikomori_member"
    HOARDING = "hoarding"
    SINGLE_PARENT = "single_parent"
    DISABILITY_MEMBER = "disability_member"
    YOUNG_CARER = "young_carer"
    REMOTE = "remote"
    PUBLIC_ASSISTANCE = "public_assistance"
    DOUBLE_CARE = "double_care"
    SOCIAL_ISOLATION = "social_isolation"


_LABELS["HouseholdFlag"] = {
    "single_elderly": ("高齢単身", "elderly living alone"),
    "elderly_couple": ("高齢夫婦のみ", "elderly couple"),
    "eighty_fifty": ("8050世帯", "80-50 household"),
    "hikikomori_member": ("ひきこもりの家族がいる", "member in social withdrawal"),
    "hoarding": ("ごみ屋敷", "hoarding"),
    "single_parent": ("ひとり親", "single parent"),
    "disability_member": ("障害のある家族がいる", "member with a disability"),
    "young_carer": ("ヤングケアラー", "young carer"),
    "remote": ("離島・遠隔地", "island or remote"),
    "public_assistance": ("生活保護受給", "on public assistance"),
    "double_care": ("ダブルケア", "double care (children and an older relative at once)"),
    "social_isolation": ("社会的孤立", "socially isolated"),
}


class Sex(LabeledEnum):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNKNOWN = "unknown"


_LABELS["Sex"] = {
    "female": ("女性", "female"),
    "male": ("男性", "male"),
    "other": ("その他", "other"),
    "unknown": ("不明", "unknown"),
}


class TieStrength(LabeledEnum):
    """The recorded strength of an informal tie. A tie recorded without one has no strength (``None``): the
    analyses show it as 不明 and count it apart, never as weak."""

    WEAK = "weak"
    STRONG = "strong"


_LABELS["TieStrength"] = {"weak": ("弱い", "weak"), "strong": ("強い", "strong")}


class TieKind(LabeledEnum):
    """What an informal tie between residents is (支え合いマップ の関係). It decides which way a message can pass:
    kin, friends and neighbours both ways; an acquaintance from the one who knows to the one known; 見守り from the
    one who watches over to the one watched over."""

    KIN = "kin"
    FRIEND = "friend"
    NEIGHBOUR = "neighbour"
    ACQUAINTANCE = "acquaintance"
    WATCH = "watch"


_LABELS["TieKind"] = {
    "kin": ("親族", "kin"),
    "friend": ("友人", "friend"),
    "neighbour": ("近所", "neighbour"),
    "acquaintance": ("知人", "acquaintance"),
    "watch": ("見守り", "watching over"),
}


class NodeLabel(LabeledEnum):
    PERSON = "Person"
    HOUSEHOLD = "Household"
    AGENCY = "Agency"
    VENUE = "Venue"
    EMPLOYER = "Employer"
    OPPORTUNITY = "Opportunity"
    SUPPORTER = "Supporter"
    CASE = "Case"
    AREA = "Area"
    CASELIST_RECORD = "CaselistRecord"
    JOB = "Job"


_LABELS["NodeLabel"] = {
    "Person": ("本人", "person"),
    "Household": ("世帯", "household"),
    "Agency": ("支援関係機関", "agency"),
    "Venue": ("居場所・通いの場", "venue"),
    "Employer": ("企業・事業所", "employer"),
    "Opportunity": ("参加メニュー", "opportunity"),
    "Supporter": ("支援者", "supporter"),
    "Case": ("相談ケース", "case"),
    "Area": ("地区", "area"),
    "CaselistRecord": ("機関名簿の行", "caselist record"),
    "Job": ("仕事の切り出し (作業の一覧)", "job (a host's work as tasks)"),
}


class RelType(LabeledEnum):
    MEMBER_OF = "MEMBER_OF"
    IN_AREA = "IN_AREA"
    SUPPORTED_BY = "SUPPORTED_BY"
    KNOWS = "KNOWS"
    NEIGHBOUR_OF = "NEIGHBOUR_OF"
    VISITS = "VISITS"
    ATTENDS = "ATTENDS"
    COLLABORATES_WITH = "COLLABORATES_WITH"
    HOSTED_BY = "HOSTED_BY"
    PLACED_IN = "PLACED_IN"
    ABOUT = "ABOUT"
    HANDLED_BY = "HANDLED_BY"
    IDENTIFIED_AS = "IDENTIFIED_AS"
    POSTED_BY = "POSTED_BY"
    SLICED_FROM = "SLICED_FROM"


_LABELS["RelType"] = {
    "MEMBER_OF": ("世帯員", "member of"),
    "IN_AREA": ("所在地区", "in area"),
    "SUPPORTED_BY": ("支援を受ける", "supported by"),
    "KNOWS": ("知人・友人", "knows"),
    "NEIGHBOUR_OF": ("近所", "neighbour of"),
    "VISITS": ("訪問", "visits"),
    "ATTENDS": ("通う", "attends"),
    "COLLABORATES_WITH": ("連携", "collaborates with"),
    "HOSTED_BY": ("受け入れ先", "hosted by"),
    "PLACED_IN": ("参加", "placed in"),
    "ABOUT": ("対象", "about"),
    "HANDLED_BY": ("担当機関", "handled by"),
    "IDENTIFIED_AS": ("名寄せ元の行", "identified as"),
    "POSTED_BY": ("依頼元 (仕事を出す受け入れ先)", "posted by"),
    "SLICED_FROM": ("切り出し元の仕事", "sliced from"),
}
