"""Synthetic Japanese names: common surnames and given names, combined at random.

Every name in a demo town is such a combination; none is a real person's record. Surnames are among the most
common in Japan; given names are typical of the birth decade (older names for elderly people).
"""

from __future__ import annotations

import numpy as np

__all__ = ["SURNAMES", "given_name", "surname_index"]

SURNAMES: tuple[str, ...] = (
    "佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤",
    "吉田", "山田", "佐々木", "山口", "松本", "井上", "木村", "林", "斎藤", "清水",
    "山崎", "森", "池田", "橋本", "阿部", "石川", "山下", "中島", "石井", "小川",
    "前田", "岡田", "長谷川", "藤田", "後藤", "近藤", "村上", "遠藤", "青木", "坂本",
    "斉藤", "福田", "太田", "西村", "藤井", "金子", "岡本", "藤原", "中野", "三浦",
    "原田", "中川", "松田", "竹内", "小野", "田村", "中山", "和田", "石田", "森田",
    "上田", "原", "内田", "柴田", "酒井", "宮崎", "横山", "高木", "安藤", "宮本",
    "大野", "小島", "谷口", "今井", "工藤", "高田", "増田", "丸山", "杉山", "村田",
    "濱口", "浜口", "世古", "中世古", "橋爪", "山際", "寺田", "東", "北村", "大西",
)  # fmt: skip
"""The last rows lean to surnames common on the Shima peninsula coast, for local colour."""

_w = 1.0 / (np.arange(len(SURNAMES)) + 5.0)
_SURNAME_CUM = np.cumsum(_w) / _w.sum()

_MALE_OLD = ("清", "茂", "正", "勇", "実", "博", "進", "弘", "武", "隆", "昭", "和夫", "正雄", "義雄", "勝")
_FEMALE_OLD = ("幸子", "和子", "節子", "洋子", "恵子", "京子", "久子", "美代子", "文子", "千代子", "トシ子")
_MALE_MID = ("誠", "浩", "健一", "隆", "修", "哲也", "聡", "剛", "大輔", "直樹", "和也", "健", "学", "亮")
_FEMALE_MID = ("裕子", "真由美", "恵美", "直美", "智子", "久美子", "由美", "陽子", "明美", "純子", "美穂")
_MALE_YOUNG = ("翔太", "大翔", "蓮", "悠真", "颯太", "拓海", "陽翔", "湊", "樹", "大和", "悠斗", "陸")
_FEMALE_YOUNG = ("陽菜", "結衣", "美咲", "葵", "凛", "さくら", "結菜", "芽依", "莉子", "美羽", "心春", "紬")


def surname_index(u: float) -> int:
    """An index into :data:`SURNAMES` for a uniform draw ``u``; more common names more likely (Zipf-like)."""
    return min(len(SURNAMES) - 1, int(np.searchsorted(_SURNAME_CUM, u, side="right")))


def given_name(u: float, female: bool, birth_year: int) -> str:
    """A given name typical of the sex and birth decade, for a uniform draw ``u``."""
    pool: tuple[str, ...]
    if birth_year < 1955:
        pool = _FEMALE_OLD if female else _MALE_OLD
    elif birth_year < 1990:
        pool = _FEMALE_MID if female else _MALE_MID
    else:
        pool = _FEMALE_YOUNG if female else _MALE_YOUNG
    return pool[min(len(pool) - 1, int(u * len(pool)))]
