"""The Japanese analyser behind matching: SudachiPy morphology and chiVe word vectors, loaded lazily.

Text is normalised first (NFKC: full-width digits and letters to ASCII, half-width kana to full-width; Latin
casefolded; whitespace collapsed), then cut into morphemes by SudachiPy with ``sudachidict-core`` (split mode A,
the finest, so that inflected forms and compounds reach the same dictionary forms). Each morpheme carries its
*normalized form* (Sudachi folds spelling variants: 子ども/こども → 子供, 出来る/できる → 出来る, ｶﾌｪ → カフェ),
its dictionary form, part of speech and conjugation form; :mod:`matching.statements` reads statements from them.

Word vectors come from the chiVe vectors that ship inside the ``ja-ginza`` package (20,000 rows of 300 floats,
480k words mapped to them); they are read straight from the package's files (numpy + msgpack) without loading
spaCy or the GiNZA pipeline, and only when a word outside the curated vocabulary must be compared with the
concepts' examples. Nothing is downloaded at run time.

Choice (measured on the statement corpus, see the README and ``bench/bench_analyser.py``): GiNZA's full pipeline
(spaCy + the same SudachiPy + a UD parser) loads in about 3 s and 0.9 GB and reads a short sentence in about
15 ms on these machines; SudachiPy alone loads in about 0.07 s and reads one in about 0.02 ms, and the
statement rules reach the same precision and recall on either token stream. Nothing of spaCy is imported here.

Nothing is loaded at import: :func:`analyser` builds the tokenizer on first use (the CLI imports matching
without paying for it), and :func:`vectors` loads the vectors on first use.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import struct
import threading
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "ANALYSER_VERSION",
    "MAX_TEXT_BYTES",
    "Analyser",
    "Morpheme",
    "TextRefused",
    "Vectors",
    "analyser",
    "check_text",
    "clean_text",
    "load_stats",
    "murmurhash64a",
    "normalize",
    "text_key",
    "vectors",
]

ANALYSER_VERSION = "sudachi-core-A/statements-4"
"""Part of every cache key: a change of dictionary, split mode or statement rules invalidates cached analyses."""

MAX_TEXT_BYTES = 100_000
"""Longest text (UTF-8 bytes) a profile or an opening may carry; longer text is refused with a Japanese message."""

_SUDACHI_MAX_BYTES = 40_000  # SudachiPy refuses inputs over ~49 KB: analyse in pieces below that


class TextRefused(ValueError):
    """Text the analyser will not read (binary, control characters, too long); the message is Japanese first."""


def normalize(text: str | None) -> str:
    """NFKC-normalise, casefold Latin, unify long-vowel and wave dashes, collapse whitespace.

    >>> normalize("ＰＣ　入力 ｶﾌｪ")
    'pc 入力 カフェ'
    """
    if not text:
        return ""
    t = unicodedata.normalize("NFKC", text).casefold()
    t = t.replace("〜", "~").replace("～", "~")
    return re.sub(r"\s+", " ", t).strip()


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd\ufffe\uffff]")


def check_text(text: str | None, *, field: str = "text") -> str | None:
    """Refuse text the matcher cannot read sensibly; return it unchanged otherwise.

    Raises :class:`TextRefused` (Japanese first, English after) for more than :data:`MAX_TEXT_BYTES` bytes, for
    control characters or replacement characters (binary data decoded as text), and for unpaired surrogates.
    Empty text and any mix of scripts (kana, kanji, Latin, emoji) are accepted.

    >>> check_text("ｶﾌｪで接客 OK 👍")
    'ｶﾌｪで接客 OK 👍'
    """
    if text is None or text == "":
        return text
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError:
        raise TextRefused(
            f"{field}: 文字コードが不正な文字 (対になっていないサロゲート) を含むため読めません "
            f"(contains unpaired surrogates)"
        ) from None
    if size > MAX_TEXT_BYTES:
        raise TextRefused(
            f"{field}: 文章が長すぎます ({size:,}バイト、上限{MAX_TEXT_BYTES:,}バイト)。要点を短くまとめてください "
            f"(text of {size:,} bytes exceeds the limit of {MAX_TEXT_BYTES:,})"
        )
    m = _CONTROL.search(text)
    if m is not None:
        pos = m.start()
        raise TextRefused(
            f"{field}: 制御文字やバイナリとみられるデータ (U+{ord(m.group()):04X}, {pos + 1}文字目) を含むため読めません。"
            f"文章だけを入力してください (contains a control or replacement character at position {pos + 1})"
        )
    return text


def clean_text(text: str | None) -> str | None:
    """Text already stored elsewhere (a domain record), made readable instead of refused: control and
    replacement characters become spaces, unpaired surrogates are dropped, and text over
    :data:`MAX_TEXT_BYTES` is cut at a character boundary.

    >>> clean_text("清掃" + chr(0) + "ボランティア")
    '清掃 ボランティア'
    """
    if not text:
        return text
    t = _CONTROL.sub(" ", text.encode("utf-8", "ignore").decode("utf-8") if _has_surrogates(text) else text)
    raw = t.encode("utf-8")
    if len(raw) > MAX_TEXT_BYTES:
        t = raw[:MAX_TEXT_BYTES].decode("utf-8", "ignore")
    return t


def _has_surrogates(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def text_key(text: str) -> str:
    """Cache key of a text: a hash of the text and :data:`ANALYSER_VERSION`."""
    return hashlib.blake2b(f"{ANALYSER_VERSION}\x00{text}".encode(), digest_size=16).hexdigest()


@dataclass(frozen=True, slots=True)
class Morpheme:
    """One morpheme: surface, Sudachi normalized form, dictionary form, POS (first two levels) and conjugation."""

    surface: str
    norm: str
    lemma: str
    pos: str  # 名詞, 動詞, 形容詞, 形状詞, 助詞, 助動詞, 補助記号, 接尾辞, 副詞 …
    pos2: str  # 普通名詞, 係助詞, 接続助詞, 読点, 非自立可能 …
    cform: str  # conjugation form (仮定形-一般 …) or "*"
    start: int  # character offsets in the normalised sentence
    end: int


# ---------------------------------------------------------------- the tokenizer


class Analyser:
    """SudachiPy (``sudachidict-core``, split mode A) over normalised text. Build with :func:`analyser`."""

    version = ANALYSER_VERSION

    def __init__(self) -> None:
        from sudachipy import Dictionary, SplitMode

        self._dictionary = Dictionary(dict="core")
        self._tokenizer = self._dictionary.create(mode=SplitMode.A)
        self._lock = threading.Lock()  # a Sudachi tokenizer is not safe to share between threads

    def tokenize(self, sentence: str) -> list[Morpheme]:
        """Morphemes of one normalised sentence (any length: long input is read in pieces)."""
        out: list[Morpheme] = []
        for offset, piece in _pieces(sentence):
            with self._lock:
                ms = self._tokenizer.tokenize(piece)
                for m in ms:
                    pos = m.part_of_speech()
                    out.append(
                        Morpheme(
                            m.surface(),
                            m.normalized_form(),
                            m.dictionary_form(),
                            pos[0],
                            pos[1],
                            pos[5],
                            offset + m.begin(),
                            offset + m.end(),
                        )
                    )
        return out

    def lemmas(self, text: str) -> tuple[str, ...]:
        """Normalized forms of the morphemes of ``text`` (used to index the vocabulary's surface forms)."""
        return tuple(m.norm for m in self.tokenize(normalize(text)) if m.pos != "空白")


def _pieces(text: str) -> Iterator[tuple[int, str]]:
    if len(text.encode("utf-8")) <= _SUDACHI_MAX_BYTES:
        if text:
            yield 0, text
        return
    step = _SUDACHI_MAX_BYTES // 4  # characters: at most 4 bytes each
    for a in range(0, len(text), step):
        yield a, text[a : a + step]


_ANALYSER: Analyser | None = None
_LOAD_LOCK = threading.Lock()
_STATS: dict[str, float] = {}


def analyser() -> Analyser:
    """The process-wide analyser, built on first use (about 0.1 s)."""
    global _ANALYSER
    if _ANALYSER is None:
        with _LOAD_LOCK:
            if _ANALYSER is None:
                t = time.perf_counter()
                _ANALYSER = Analyser()
                _STATS["analyser_load_s"] = time.perf_counter() - t
    return _ANALYSER


def load_stats() -> dict[str, float]:
    """Seconds spent loading the analyser and the vectors in this process (for the bench)."""
    return dict(_STATS)


# ---------------------------------------------------------------- vectors (chiVe inside ja-ginza)


def murmurhash64a(data: bytes, seed: int = 1) -> int:
    """MurmurHash64A, the hash spaCy keys its string store and vectors with (seed 1).

    >>> murmurhash64a("猫".encode())
    12262475268243743508
    """
    m = 0xC6A4A7935BD1E995
    r = 47
    mask = 0xFFFFFFFFFFFFFFFF
    n = len(data)
    h = (seed ^ (n * m)) & mask
    nblocks = n // 8
    for (k,) in struct.iter_unpack("<Q", data[: nblocks * 8]):
        k = (k * m) & mask
        k ^= k >> r
        k = (k * m) & mask
        h ^= k
        h = (h * m) & mask
    tail = data[nblocks * 8 :]
    if tail:
        h ^= int.from_bytes(tail, "little")
        h = (h * m) & mask
    h ^= h >> r
    h = (h * m) & mask
    h ^= h >> r
    return h


class Vectors:
    """Unit-length word vectors keyed by word; ``None`` for a word without one. Build with :func:`vectors`.

    The table is memory-mapped (rows are read and normalised on lookup); the word → row index (480k hashed
    keys, a msgpack map in the package) is parsed once and kept as two sorted numpy arrays in the user's cache
    folder (``$TSUNAGARI_CACHE_DIR``, else ``$XDG_CACHE_HOME/tsunagari`` or ``~/.cache/tsunagari``), keyed by
    the file's size and time, so later processes load it in milliseconds. An unwritable cache is skipped.
    """

    def __init__(self, directory: Path) -> None:
        self.table = np.load(directory / "vectors", mmap_mode="r")
        self._keys, self._rows = _key_index(directory / "key2row")
        self.directory = directory

    def __len__(self) -> int:
        return len(self._keys)

    @property
    def nbytes(self) -> int:
        return int(self.table.nbytes + self._keys.nbytes + self._rows.nbytes)

    def get(self, word: str) -> np.ndarray | None:
        return _vector_of(self, word)


def _cache_dir() -> Path:
    env = os.environ.get("TSUNAGARI_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "tsunagari"


def _key_index(path: Path) -> tuple[np.ndarray, np.ndarray]:
    st = path.stat()
    tag = hashlib.blake2b(f"{path}|{st.st_size}|{st.st_mtime_ns}".encode(), digest_size=8).hexdigest()
    cached = _cache_dir() / f"chive-key2row-{tag}.npz"
    try:
        with np.load(cached) as z:
            return z["keys"], z["rows"]
    except (OSError, ValueError, KeyError):
        pass
    import msgpack

    raw: dict[int, int] = msgpack.unpackb(path.read_bytes(), strict_map_key=False)
    keys = np.fromiter(raw.keys(), dtype=np.uint64, count=len(raw))
    rows = np.fromiter(raw.values(), dtype=np.int32, count=len(raw))
    order = np.argsort(keys)
    keys, rows = keys[order], rows[order]
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(f".{os.getpid()}.tmp.npz")
        np.savez(tmp, keys=keys, rows=rows)
        os.replace(tmp, cached)
    except OSError:
        pass  # no writable cache: parse again next time
    return keys, rows


@lru_cache(maxsize=65536)
def _vector_of(v: Vectors, word: str) -> np.ndarray | None:
    if not word:
        return None
    key = np.uint64(murmurhash64a(word.encode("utf-8")))
    i = int(np.searchsorted(v._keys, key))
    if i < len(v._keys) and v._keys[i] == key:
        row = np.asarray(v.table[int(v._rows[i])], dtype=np.float32)
        n = float(np.linalg.norm(row))
        return row / n if n else None
    return None


def _vectors_dir() -> Path | None:
    spec = importlib.util.find_spec("ja_ginza")  # locate the package without importing it (spaCy stays out)
    if spec is None or not spec.submodule_search_locations:
        return None
    for base in spec.submodule_search_locations:
        for d in sorted(Path(base).glob("ja_ginza-*/vocab")):
            if (d / "vectors").is_file() and (d / "key2row").is_file():
                return d
    return None


_VECTORS: Vectors | None = None
_VECTORS_MISSING = False


def vectors() -> Vectors | None:
    """The chiVe vectors shipped in ``ja-ginza``, loaded on first use (about 0.3 s); ``None`` when absent."""
    global _VECTORS, _VECTORS_MISSING
    if _VECTORS is None and not _VECTORS_MISSING:
        with _LOAD_LOCK:
            if _VECTORS is None and not _VECTORS_MISSING:
                t = time.perf_counter()
                d = _vectors_dir()
                if d is None:
                    _VECTORS_MISSING = True
                    return None
                _VECTORS = Vectors(d)
                _STATS["vectors_load_s"] = time.perf_counter() - t
    return _VECTORS


def info() -> dict[str, Any]:
    """What is loaded (for the bench): versions and sizes."""
    from importlib.metadata import PackageNotFoundError, version

    out: dict[str, Any] = {"analyser_version": ANALYSER_VERSION, **load_stats()}
    for pkg in ("sudachipy", "sudachidict-core", "ja-ginza"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = None
    if _VECTORS is not None:
        out["vectors_rows"] = int(_VECTORS.table.shape[0])
        out["vectors_words"] = len(_VECTORS)
        out["vectors_mb"] = round(_VECTORS.nbytes / 2**20, 1)
    return out


def main() -> int:
    """Load the analyser and the vectors once (``make install`` runs it, so the
    vectors' word index is in the cache before the first match) and print what is loaded."""
    import json

    analyser()
    vectors()
    print(json.dumps(info(), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
