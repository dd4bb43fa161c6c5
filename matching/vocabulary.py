"""The maintained dictionary of welfare and work vocabulary: surface forms → concepts.

The dictionary lives in ``matching/data/vocabulary.json`` and has three sections:

- ``concepts``: tasks and skills (調理, 接客, 農作業 …, ``kind: task``) and working conditions a person may need
  to avoid (立ち仕事, 電話, 人と話す …, ``kind: condition``);
- ``needs``: the controlled vocabulary of what a placement provides and what a person needs
  (住まい, 食事, 日中活動, 居場所, 収入, 人とのつながり …);
- ``support``: what a host offers (声かけ, 見守り, 同行, 送迎 …).

Users extend it with an extra JSON file of the same shape (CLI ``--vocabulary``, or the environment variable
``TSUNAGARI_MATCHING_VOCABULARY``): surface forms are added to known concepts, new concepts are added.

Lookup is exact first (a surface form found inside the normalised text, longest form first), and for a short
structured tag that no surface form matches, the nearest surface form by :mod:`rapidfuzz` (score ≥ 85).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from rapidfuzz import fuzz, process

from graphsvc.domain.errors import DomainValidationError, Problem
from matching.analyser import normalize

__all__ = [
    "ENV_VOCABULARY",
    "Concept",
    "Vocabulary",
    "default_vocabulary",
    "load_vocabulary",
    "set_default_vocabulary",
]

ENV_VOCABULARY = "TSUNAGARI_MATCHING_VOCABULARY"
"""Environment variable naming an extra vocabulary file (``os.pathsep``-separated for several)."""

Section = Literal["concepts", "needs", "support"]
_SECTIONS: tuple[Section, ...] = ("concepts", "needs", "support")
_FUZZY_CUTOFF = 85.0


@dataclass(frozen=True)
class Concept:
    """One concept: a stable id, Japanese and English labels, its kind and its surface forms."""

    id: str
    ja: str
    en: str
    section: Section
    kind: str = "task"
    surfaces: tuple[str, ...] = ()


@dataclass
class Vocabulary:
    """Concepts by section, with compiled matchers. Build with :func:`load_vocabulary`."""

    concepts: dict[str, Concept] = field(default_factory=dict)
    needs: dict[str, Concept] = field(default_factory=dict)
    support: dict[str, Concept] = field(default_factory=dict)
    implies: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """An opening that involves the key involves these too (講師 → 人前で話す, 人と話す)."""
    opposites: dict[str, str] = field(default_factory=dict)
    """Pairs of concepts that exclude each other in an opening (静か ↔ 騒音, 少人数 ↔ 人混み), both ways."""

    def section(self, name: Section) -> dict[str, Concept]:
        return {"concepts": self.concepts, "needs": self.needs, "support": self.support}[name]

    # ---------------------------------------------------------------- indexes
    def ids(self, name: Section) -> list[str]:
        """Concept ids of a section in a stable order (the column order of feature matrices)."""
        return list(self.section(name))

    @cached_property
    def _surface_maps(self) -> dict[str, dict[str, str]]:
        out: dict[str, dict[str, str]] = {}
        for name in _SECTIONS:
            m: dict[str, str] = {}
            for c in self.section(name).values():
                for s in (c.ja, *c.surfaces):
                    key = normalize(s)
                    if key:
                        m.setdefault(key, c.id)
            out[name] = m
        return out

    @cached_property
    def _patterns(self) -> dict[str, re.Pattern[str]]:
        out: dict[str, re.Pattern[str]] = {}
        for name in _SECTIONS:
            forms = sorted(self._surface_maps[name], key=len, reverse=True)
            alts = [
                rf"(?<![a-z0-9]){re.escape(f)}(?![a-z0-9])" if f.isascii() else re.escape(f) for f in forms
            ]
            out[name] = re.compile("|".join(alts) if alts else r"(?!x)x")
        return out

    # ---------------------------------------------------------------- lookup
    def find(self, text: str | None, section: Section = "concepts") -> frozenset[str]:
        """Concept ids whose surface forms occur in ``text`` (leftmost-longest, no overlaps).

        >>> sorted(default_vocabulary().find("料理教室の講師"))
        ['cooking', 'teaching']
        """
        return _find_cached(self, normalize(text), section)

    def lookup(self, tag: str, section: Section = "concepts") -> frozenset[str]:
        """Concepts of one structured tag: occurrences first, then the nearest surface form (rapidfuzz)."""
        found = self.find(tag, section)
        if found:
            return found
        key = normalize(tag)
        if not key:
            return frozenset()
        hit = process.extractOne(
            key, list(self._surface_maps[section]), scorer=fuzz.ratio, score_cutoff=_FUZZY_CUTOFF
        )
        return frozenset({self._surface_maps[section][hit[0]]}) if hit else frozenset()

    def lookup_all(self, tags: Iterable[str], section: Section = "concepts") -> frozenset[str]:
        out: set[str] = set()
        for t in tags:
            out |= self.lookup(t, section)
        return frozenset(out)

    def label(self, concept_id: str) -> str:
        """The Japanese label of a concept of any section (the id itself when unknown)."""
        for name in _SECTIONS:
            c = self.section(name).get(concept_id)
            if c is not None:
                return c.ja
        return concept_id

    def __hash__(self) -> int:  # identity: a vocabulary is built once and shared
        return id(self)

    def __eq__(self, other: object) -> bool:
        return self is other


@lru_cache(maxsize=131072)
def _find_cached(vocab: Vocabulary, text: str, section: Section) -> frozenset[str]:
    if not text:
        return frozenset()
    m = vocab._surface_maps[section]
    return frozenset(m[match.group(0)] for match in vocab._patterns[section].finditer(text))


def _merge(data: Mapping[str, Any], into: dict[Section, dict[str, dict[str, Any]]], source: str) -> None:
    problems: list[Problem] = []
    unknown = set(data) - {*_SECTIONS, "version", "description", "implies", "opposites"}
    for key in sorted(unknown):
        problems.append(Problem("未知の項目です", "unknown key", field=key, file=source))
    for name in _SECTIONS:
        for cid, spec in (data.get(name) or {}).items():
            if not isinstance(spec, Mapping):
                problems.append(
                    Problem(
                        "概念はオブジェクトで指定してください",
                        "a concept must be an object",
                        field=f"{name}.{cid}",
                        file=source,
                    )
                )
                continue
            surfaces = spec.get("surfaces", [])
            if not isinstance(surfaces, list) or not all(isinstance(s, str) for s in surfaces):
                problems.append(
                    Problem(
                        "surfaces は文字列の一覧で指定してください",
                        "surfaces must be a list of strings",
                        field=f"{name}.{cid}.surfaces",
                        file=source,
                    )
                )
                continue
            cur = into[name].setdefault(
                cid, {"ja": spec.get("ja", cid), "en": spec.get("en", cid), "surfaces": []}
            )
            for k in ("ja", "en", "kind"):
                if k in spec:
                    cur[k] = spec[k]
            cur["surfaces"] = list(dict.fromkeys([*cur["surfaces"], *surfaces]))
    if problems:
        raise DomainValidationError(problems)


def load_vocabulary(
    extra: Sequence[str | Path] | str | Path | None = None, *, use_env: bool = True
) -> Vocabulary:
    """The packaged dictionary, extended by ``extra`` files and by ``$TSUNAGARI_MATCHING_VOCABULARY``.

    Raises :class:`~graphsvc.domain.errors.DomainValidationError` (Japanese first) for a missing or malformed file.
    """
    raw: dict[Section, dict[str, dict[str, Any]]] = {name: {} for name in _SECTIONS}
    relations: dict[str, Any] = {"implies": {}, "opposites": []}
    base = json.loads(
        resources.files("matching").joinpath("data/vocabulary.json").read_text(encoding="utf-8")
    )
    _merge(base, raw, "matching/data/vocabulary.json")
    _relations(base, relations)
    paths: list[str | Path] = []
    if use_env and os.environ.get(ENV_VOCABULARY):
        paths += [p for p in os.environ[ENV_VOCABULARY].split(os.pathsep) if p]
    if extra is not None:
        paths += [extra] if isinstance(extra, (str, Path)) else list(extra)
    for p in paths:
        path = Path(p)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise DomainValidationError.one(
                "語彙ファイルが見つかりません", "vocabulary file not found", file=str(path)
            ) from None
        except json.JSONDecodeError as err:
            raise DomainValidationError.one(
                f"語彙ファイルのJSONが不正です ({err.lineno}行目)", f"invalid JSON: {err.msg}", file=str(path)
            ) from None
        if not isinstance(data, Mapping):
            raise DomainValidationError.one(
                "語彙ファイルはオブジェクトで指定してください",
                "a vocabulary file must hold an object",
                file=str(path),
            )
        _merge(data, raw, str(path))
        _relations(data, relations)
    vocab = Vocabulary()
    for name in _SECTIONS:
        target = vocab.section(name)
        for cid, spec in raw[name].items():
            target[cid] = Concept(
                id=cid,
                ja=str(spec.get("ja", cid)),
                en=str(spec.get("en", cid)),
                section=name,
                kind=str(spec.get("kind", "task" if name == "concepts" else name)),
                surfaces=tuple(spec["surfaces"]),
            )
    known = set(vocab.concepts)
    vocab.implies = {
        k: tuple(c for c in v if c in known) for k, v in relations["implies"].items() if k in known
    }
    for a, b in relations["opposites"]:
        if a in known and b in known:
            vocab.opposites[a] = b
            vocab.opposites[b] = a
    return vocab


def _relations(data: Mapping[str, Any], into: dict[str, Any]) -> None:
    for k, v in (data.get("implies") or {}).items():
        if isinstance(v, list):
            into["implies"][k] = list(dict.fromkeys([*into["implies"].get(k, []), *map(str, v)]))
    for pair in data.get("opposites") or []:
        if isinstance(pair, list) and len(pair) == 2:
            into["opposites"].append((str(pair[0]), str(pair[1])))


_DEFAULT: Vocabulary | None = None


def default_vocabulary() -> Vocabulary:
    """The packaged dictionary (plus ``$TSUNAGARI_MATCHING_VOCABULARY`` when set), built once per process."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = load_vocabulary()
    return _DEFAULT


def set_default_vocabulary(vocabulary: Vocabulary | None) -> None:
    """Replace the process-wide vocabulary (``None`` resets to the packaged one on next use).

    Validation of needs and of what openings provide uses it, as does an index built without a vocabulary.
    """
    global _DEFAULT
    _DEFAULT = vocabulary
