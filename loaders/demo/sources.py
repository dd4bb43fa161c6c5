"""The public figures the demo towns are drawn from, each with its source.

Every proportion the generator uses is a named constant here, so a reader can check it against the source
and a test can check the generated towns against it. Figures are national unless a town is named; where a
town's own figure is not published in the sources at hand, the national one is used and that is said.
"""

from __future__ import annotations

__all__ = [
    "ALONE_RATE_65_MEN",
    "ALONE_RATE_65_WOMEN",
    "CARE_CERTIFIED_65_74",
    "CARE_CERTIFIED_75_PLUS",
    "CARE_LEVEL_SHARES",
    "DISABILITY_RATE",
    "HARD_CASE_MEAN_FACTORS",
    "HIKIKOMORI_RATE_15_64",
    "HOARDING_RATE",
    "KUWANA_FACTOR_WEIGHTS",
    "MINSEI_HOUSEHOLDS_RANGE",
    "MULTI_ISSUE_SHARE_POVERTY",
    "PUBLIC_ASSISTANCE_RATE",
    "REFERENCE_YEAR",
    "SINGLE_PARENT_RATE",
    "SOURCES_JA",
    "TAKASU_AGING_RATE",
    "TAKASU_AREA_KM2",
    "TAKASU_POPULATION",
    "TOBA_AGING_RATE",
    "TOBA_AREA_KM2",
    "TOBA_POPULATION",
    "WOMEN_SHARE_65",
]

REFERENCE_YEAR = 2021
"""Ages are counted at the deck's reference date (2021-08-31): age = REFERENCE_YEAR - birth_year."""

# ------------------------------------------------------------------ the towns (MHLW deck, 2021-08-31)

TOBA_POPULATION = 17_709
"""鳥羽市 人口. 出典: 厚生労働省「重層的支援体制整備事業について」事例 (三重県鳥羽市, 2021年8月31日現在)."""
TOBA_AREA_KM2 = 107.34
"""鳥羽市 面積 km². 同上."""
TOBA_AGING_RATE = 0.395
"""鳥羽市 高齢化率. 同上."""

TAKASU_POPULATION = 6_724
"""鷹栖町 人口. 出典: 同資料 事例 (北海道鷹栖町, 2021年8月31日現在)."""
TAKASU_AREA_KM2 = 139.42
"""鷹栖町 面積 km². 同上."""
TAKASU_AGING_RATE = 0.36
"""鷹栖町 高齢化率. The deck gives none; about 36% in the 2020 census (国勢調査2020, 鷹栖町) — an estimate here,
to be replaced by the town's own figure when one is loaded."""

# ------------------------------------------------------------------ people

ALONE_RATE_65_MEN = 0.15
"""65歳以上男性のうち一人暮らしの割合 15.0%. 出典: 総務省「令和2年国勢調査」/ 内閣府「令和5年版高齢社会白書」."""
ALONE_RATE_65_WOMEN = 0.22
"""65歳以上女性のうち一人暮らしの割合 22.1%. 同上."""
WOMEN_SHARE_65 = 0.565
"""65歳以上人口に占める女性の割合 (約56.5%). 出典: 総務省「人口推計」(2021年10月1日現在)."""

DISABILITY_RATE = 0.09
"""障害のある人の割合 約9.2% (身体・知的・精神 計 約1,160万人 / 総人口 約1億2,500万人).
出典: 内閣府「令和5年版障害者白書」."""

HIKIKOMORI_RATE_15_64 = 0.02
"""広義のひきこもり: 15〜39歳 2.05%, 40〜64歳 2.02%. 出典: 内閣府「こども・若者の意識と生活に関する調査」(2023)."""

MINSEI_HOUSEHOLDS_RANGE = (120, 280)
"""民生委員1人あたりの世帯数. 民生委員法に基づく配置基準 (厚生労働大臣の定める基準: 町村 70〜200世帯,
中核市・人口10万人以上の市 170〜360世帯 など) のうち, この課題で使う範囲 120〜280世帯."""

HARD_CASE_MEAN_FACTORS = 5.4
"""困難事例1事例あたりの要因数の平均 5.4 (抽出265事例, 要因1,437項目). 出典: 桑名市地域包括支援センター
困難事例要因調査 (2013.11.1), 厚生労働省資料「各制度等における複合的課題等①」所収."""

MULTI_ISSUE_SHARE_POVERTY = 0.5
"""生活困窮の新規相談者のうち複数の課題を抱える者は半数を超える. 出典: 平成28年度社会福祉推進事業
(みずほ情報総研, 118自治体 47,836ケース), 同資料「各制度等における複合的課題等②」所収."""

KUWANA_FACTOR_WEIGHTS: dict[str, float] = {
    "family_relations": 14.0,
    "dementia": 11.0,
    "refusal_temperament": 10.0,
    "mental_illness": 9.0,
    "financial_hardship": 9.0,
    "no_supporter": 8.0,
    "physical_illness": 8.0,
    "care_burden": 6.0,
    "self_neglect": 5.0,
    "housing": 4.0,
    "abuse": 4.0,
    "disability": 4.0,
    "debt": 3.0,
    "social_isolation": 3.0,
    "hikikomori": 2.0,
    "unemployment": 2.0,
    "addiction": 2.0,
    "child_rearing": 1.5,
    "language": 0.5,
    "other": 1.0,
}
"""Relative weights of the factors drawn to fill a case, after the order of the Kuwana survey (家族関係,
認知症, 拒否・気質 … most frequent first). The survey's own sub-category counts are in a chart the deck's text
does not carry, so these weights keep its order, not its exact shares."""

CARE_CERTIFIED_65_74 = 0.043
"""要介護(要支援)認定率 65〜74歳 約4.3%. 出典: 厚生労働省「介護保険事業状況報告」(2021年度) / 高齢社会白書."""
CARE_CERTIFIED_75_PLUS = 0.315
"""要介護(要支援)認定率 75歳以上 約31.5%. 同上."""
CARE_LEVEL_SHARES: dict[str, float] = {
    "要支援1": 0.14,
    "要支援2": 0.14,
    "要介護1": 0.21,
    "要介護2": 0.17,
    "要介護3": 0.13,
    "要介護4": 0.13,
    "要介護5": 0.08,
}
"""認定者の要介護度別構成 (概数). 出典: 厚生労働省「介護保険事業状況報告」(2021年度)."""

PUBLIC_ASSISTANCE_RATE = 0.025
"""生活保護受給世帯の割合. 全国 約164万世帯 / 約5,583万世帯 ≒ 2.9% (厚生労働省「被保護者調査」2021,
国勢調査2020). 町村部は低いため 2.5% とする."""

SINGLE_PARENT_RATE = 0.014
"""ひとり親と20歳未満の子のみの世帯 (母子 約65万 + 父子 約7万) / 一般世帯 約5,583万 ≒ 1.3〜1.4%.
出典: 総務省「令和2年国勢調査」."""

HOARDING_RATE = 0.003
"""ごみ屋敷 (いわゆる). 全国調査は無く, 環境省「いわゆる「ごみ屋敷」に関する調査」(2023) で把握件数は
市区町村あたり数件〜数十件. 世帯の0.3%程度 (単身高齢世帯に偏る) とする."""

SOURCES_JA: tuple[str, ...] = (
    "厚生労働省「重層的支援体制整備事業について」(2022) 鳥羽市・鷹栖町の事例, 桑名市困難事例調査, 生活困窮者の相談の複合性",
    "総務省「令和2年国勢調査」/ 内閣府「令和5年版高齢社会白書」(高齢者の一人暮らし)",
    "内閣府「令和5年版障害者白書」(障害者数)",
    "内閣府「こども・若者の意識と生活に関する調査」(2023) (ひきこもり)",
    "民生委員法 配置基準",
    "厚生労働省「介護保険事業状況報告」「被保護者調査」",
    "位置: 市町村役場の座標 (JpGeocode), 町名・郵便番号 (日本郵便 郵便番号データ), 市町村界 (出典：気象庁)",
)
