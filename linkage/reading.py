"""Readings (katakana) and surname/given splits of kanji names from SudachiPy's core dictionary, loaded lazily.

The dictionary ships in the ``sudachidict-core`` wheel (nothing is fetched at run time). A reading found this way
is a guess (颯太 may be ソウタ or フウタ): records keep where their reading came from (``kana_source``).
"""

from __future__ import annotations

import functools
import threading
from typing import Any

__all__ = ["available", "guess_reading", "split_name"]

_lock = threading.Lock()


@functools.cache
def _tokenizer() -> Any:
    from sudachipy import Dictionary, SplitMode

    # create() works on SudachiPy 0.6 and 0.7 (ja-ginza, which matching reads its word vectors from, pins < 0.7)
    return Dictionary(dict="core").create(mode=SplitMode.C)


def available() -> bool:
    """Whether SudachiPy and its core dictionary are installed."""
    try:
        _tokenizer()
    except Exception:  # pragma: no cover - depends on the environment
        return False
    return True


def _morphemes(text: str) -> list[tuple[str, str, tuple[str, ...]]]:
    with _lock:
        ms = _tokenizer().tokenize(text)
        return [(m.surface(), m.reading_form(), tuple(m.part_of_speech())) for m in ms]


@functools.lru_cache(maxsize=200_000)
def guess_reading(text: str) -> str | None:
    """The dictionary's katakana reading of a name (spaces dropped), or ``None`` when it has none.

    >>> guess_reading("佐藤")
    'サトウ'
    """
    text = "".join(text.split())
    if not text:
        return None
    out: list[str] = []
    for _surface, reading, pos in _morphemes(text):
        if pos[0] in ("空白", "補助記号"):
            continue
        if not reading or reading == "キゴウ":
            return None
        out.append(reading)
    return "".join(out) or None


@functools.lru_cache(maxsize=200_000)
def split_name(text: str) -> tuple[str, str] | None:
    """(surname, given) of a full name written without a space, when the dictionary marks the leading
    morphemes as a surname (人名,姓) and something follows; else ``None``.

    >>> split_name("高橋和子")
    ('高橋', '和子')
    """
    text = "".join(text.split())
    ms = _morphemes(text)
    surname = ""
    i = 0
    while i < len(ms) and ms[i][2][:4] == ("名詞", "固有名詞", "人名", "姓"):
        surname += ms[i][0]
        i += 1
        if i < len(ms) and ms[i][2][3] == "名":
            break
    if not surname or len(surname) >= len(text):
        return None
    return surname, text[len(surname) :]
