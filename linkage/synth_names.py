"""Readings of the demo town's names, and a wider synthetic name pool for city-sized benchmarks.

The demo draws from 90 surnames and about 90 given names: right for a town, but in a city of a million two
strangers would then share name and birthday ~300 times more often than in Japan. ``diverse`` names combine
common surname and given-name elements (each with a reading) into about 1,200 surnames and 1,000 given names.
All combinations are synthetic; none is taken from a person's record.
"""

from __future__ import annotations

import zlib

__all__ = ["READINGS", "diverse_given", "diverse_surname", "reading_of", "similar_given"]

READINGS: dict[str, str] = dict(
    pair.split(":")
    for pair in (
        "佐藤:サトウ 鈴木:スズキ 高橋:タカハシ 田中:タナカ 伊藤:イトウ 渡辺:ワタナベ 山本:ヤマモト 中村:ナカムラ "
        "小林:コバヤシ 加藤:カトウ 吉田:ヨシダ 山田:ヤマダ 佐々木:ササキ 山口:ヤマグチ 松本:マツモト 井上:イノウエ "
        "木村:キムラ 林:ハヤシ 斎藤:サイトウ 清水:シミズ 山崎:ヤマザキ 森:モリ 池田:イケダ 橋本:ハシモト 阿部:アベ "
        "石川:イシカワ 山下:ヤマシタ 中島:ナカジマ 石井:イシイ 小川:オガワ 前田:マエダ 岡田:オカダ 長谷川:ハセガワ "
        "藤田:フジタ 後藤:ゴトウ 近藤:コンドウ 村上:ムラカミ 遠藤:エンドウ 青木:アオキ 坂本:サカモト 斉藤:サイトウ "
        "福田:フクダ 太田:オオタ 西村:ニシムラ 藤井:フジイ 金子:カネコ 岡本:オカモト 藤原:フジワラ 中野:ナカノ "
        "三浦:ミウラ 原田:ハラダ 中川:ナカガワ 松田:マツダ 竹内:タケウチ 小野:オノ 田村:タムラ 中山:ナカヤマ 和田:ワダ "
        "石田:イシダ 森田:モリタ 上田:ウエダ 原:ハラ 内田:ウチダ 柴田:シバタ 酒井:サカイ 宮崎:ミヤザキ 横山:ヨコヤマ "
        "高木:タカギ 安藤:アンドウ 宮本:ミヤモト 大野:オオノ 小島:コジマ 谷口:タニグチ 今井:イマイ 工藤:クドウ "
        "高田:タカダ 増田:マスダ 丸山:マルヤマ 杉山:スギヤマ 村田:ムラタ 濱口:ハマグチ 浜口:ハマグチ 世古:セコ "
        "中世古:ナカセコ 橋爪:ハシヅメ 山際:ヤマギワ 寺田:テラダ 東:ヒガシ 北村:キタムラ 大西:オオニシ "
        "清:キヨシ 茂:シゲル 正:タダシ 勇:イサム 実:ミノル 博:ヒロシ 進:ススム 弘:ヒロシ 武:タケシ 隆:タカシ "
        "昭:アキラ 和夫:カズオ 正雄:マサオ 義雄:ヨシオ 勝:マサル 幸子:サチコ 和子:カズコ 節子:セツコ 洋子:ヨウコ "
        "恵子:ケイコ 京子:キョウコ 久子:ヒサコ 美代子:ミヨコ 文子:フミコ 千代子:チヨコ トシ子:トシコ 誠:マコト "
        "浩:ヒロシ 健一:ケンイチ 修:オサム 哲也:テツヤ 聡:サトシ 剛:ツヨシ 大輔:ダイスケ 直樹:ナオキ 和也:カズヤ "
        "健:ケン 学:マナブ 亮:リョウ 裕子:ユウコ 真由美:マユミ 恵美:エミ 直美:ナオミ 智子:トモコ 久美子:クミコ "
        "由美:ユミ 陽子:ヨウコ 明美:アケミ 純子:ジュンコ 美穂:ミホ 翔太:ショウタ 大翔:ヒロト 蓮:レン 悠真:ユウマ "
        "颯太:ソウタ 拓海:タクミ 陽翔:ハルト 湊:ミナト 樹:イツキ 大和:ヤマト 悠斗:ユウト 陸:リク 陽菜:ヒナ 結衣:ユイ "
        "美咲:ミサキ 葵:アオイ 凛:リン さくら:サクラ 結菜:ユイナ 芽依:メイ 莉子:リコ 美羽:ミウ 心春:コハル 紬:ツムギ"
    ).split()
)

_SUR_A = (
    "山ヤマ 田タ 中ナカ 小コ 大オオ 高タカ 石イシ 松マツ 木キ 井イ 川カワ 村ムラ 藤フジ 岡オカ 島シマ 野ノ 宮ミヤ "
    "西ニシ 北キタ 東ヒガシ 南ミナミ 上ウエ 下シモ 竹タケ 杉スギ 森モリ 平ヒラ 今イマ 長ナガ 福フク 吉ヨシ 桜サクラ "
    "柳ヤナギ 坂サカ 浜ハマ 菊キク 梅ウメ 白シラ 黒クロ 青アオ 金カネ 秋アキ 岩イワ 谷タニ 池イケ 沢サワ 原ハラ "
    "早ハヤ 堀ホリ 荒アラ"
).split()
_SUR_B = (
    "田ダ 川カワ 山ヤマ 本モト 村ムラ 野ノ 島ジマ 口グチ 崎ザキ 原ハラ 井イ 木ギ 沢サワ 谷タニ 部ベ 内ウチ 尾オ 橋ハシ "
    "岡オカ 林バヤシ 浦ウラ 瀬セ 江エ 森モリ"
).split()
_MALE_A = (
    "健ケン 翔ショウ 大ダイ 拓タク 和カズ 正マサ 浩ヒロ 直ナオ 秀ヒデ 光ミツ 達タツ 俊トシ 康ヤス 信ノブ 英エイ "
    "修シュウ 晴ハル 悠ユウ 陽ヨウ 義ヨシ 勝カツ 孝タカ 幸ユキ 昌マサ 克カツ 誠セイ 龍リュウ 真シン 哲テツ 智トモ "
    "裕ユウ 賢ケン"
).split()
_MALE_B = "一イチ 二ジ 太タ 介スケ 也ヤ 夫オ 彦ヒコ 郎ロウ 人ト 樹キ 斗ト 輔スケ 平ヘイ 司ジ 明アキ 治ジ 之ユキ 弘ヒロ".split()
_FEMALE_A = (
    "美ミ 恵エ 由ユ 幸サチ 和カズ 久ヒサ 真マ 智トモ 裕ユウ 明アキ 陽ハル 京キョウ 直ナオ 優ユウ 千チ 奈ナ 理リ "
    "早サ 絵エ 佳カ 麻マ 里サト 紀ノリ 香カ 愛アイ 結ユイ 彩アヤ 菜ナ"
).split()
_FEMALE_B = "子コ 美ミ 代ヨ 恵エ 江エ 香カ 奈ナ 里リ 花カ 菜ナ 乃ノ 穂ホ 枝エ 世ヨ 衣イ".split()

_FIRST_KANJI_READING = {
    "和": "カズ", "正": "マサ", "義": "ヨシ", "健": "ケン", "哲": "テツ", "大": "ダイ", "直": "ナオ",
    "悠": "ユウ", "拓": "タク", "翔": "ショウ", "陽": "ハル", "颯": "ソウ",
}  # fmt: skip
_JUNIOR_SUFFIX = (("二", "ジ"), ("也", "ヤ"), ("介", "スケ"), ("太", "タ"))


def _h(*parts: object) -> int:
    return zlib.crc32("|".join(map(str, parts)).encode())


def _split_pair(token: str) -> tuple[str, str]:
    return token[0], token[1:]


def diverse_surname(key: str) -> tuple[str, str]:
    """A (surname, reading) for a household key, Zipf-like over about 1,200 combinations."""
    u = (_h("sur", key) % 1_000_000) / 1_000_000
    rank = int(len(_SUR_A) * len(_SUR_B) * (u**2.2))
    a, ra = _split_pair(_SUR_A[rank % len(_SUR_A)])
    b, rb = _split_pair(_SUR_B[(rank // len(_SUR_A) + rank) % len(_SUR_B)])
    if a == b:
        b, rb = _split_pair(_SUR_B[(rank + 1) % len(_SUR_B)])
    return a + b, ra + rb


def diverse_given(key: str, female: bool) -> tuple[str, str]:
    """A (given name, reading) for a person key from the combinatorial pool of the sex."""
    h = _h("giv", key)
    aa, bb = (_FEMALE_A, _FEMALE_B) if female else (_MALE_A, _MALE_B)
    a, ra = _split_pair(aa[h % len(aa)])
    b, rb = _split_pair(bb[(h // len(aa)) % len(bb)])
    return a + b, ra + rb


def similar_given(father_given: str, key: str) -> tuple[str, str] | None:
    """A son's given name sharing the father's first kanji (和夫 → 和也), or ``None`` if none fits."""
    first = father_given[0]
    r = _FIRST_KANJI_READING.get(first)
    if r is None or len(father_given) < 2:
        return None
    options = [(first + s, r + rs) for s, rs in _JUNIOR_SUFFIX if first + s != father_given]
    return options[_h("jr", key) % len(options)]


def reading_of(name: str) -> str | None:
    """The reading of a demo name part, or ``None`` when the table has none."""
    return READINGS.get(name)
