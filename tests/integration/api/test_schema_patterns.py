"""Every pattern in the OpenAPI schema means the same string set in every regex engine a client may use.

``\\s``, ``\\d``, ``\\w`` and ``\\b`` (and their negations) are engine-dependent: Python's ``re`` counts
``\\x1c``-``\\x1f`` and ``\\x85`` as white space and any Unicode digit as ``\\d``; ECMAScript (JSON Schema's
dialect) counts ``\\ufeff`` as white space and only ASCII digits; the Rust engine follows Unicode's White_Space.
A schema that used them let schemathesis send ``"Ml0s:\\x1e"`` as a valid row id that the server then refused.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from graphsvc.api.schemas.strict import BLANK_PATTERN, NON_BLANK_PATTERN
from graphsvc.app import create_app
from graphsvc.bootstrap import build

# a shorthand class, unless it is the "any character" idiom [\s\S] / [\d\D] / [\w\W]
_SHORTHAND = re.compile(r"(?<!\\)(?:\\\\)*\\([sSdDwWbB])")
_ANY_IDIOM = re.compile(r"\[\\s\\S\]|\[\\S\\s\]|\[\\d\\D\]|\[\\w\\W\]")


def _patterns(node: Any, where: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "pattern" and isinstance(value, str):
                yield where, value
            else:
                yield from _patterns(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _patterns(value, f"{where}/{i}")


def test_no_schema_pattern_uses_an_engine_dependent_class(tmp_path: Path) -> None:
    doc = create_app(build(data_dir=tmp_path)).openapi()
    found = list(_patterns(doc))
    assert len(found) > 20  # the walk reaches the patterns (ids, towns, times, text)
    bad = [(where, p) for where, p in found if _SHORTHAND.search(_ANY_IDIOM.sub("", p)) is not None]
    assert not bad, "\n".join(f"{w}: {p}" for w, p in bad)


def test_the_scanner_sees_a_shorthand_class() -> None:
    assert _SHORTHAND.search(r"^\S+$")
    assert _SHORTHAND.search(r"^[^\s.]")
    assert _SHORTHAND.search(r"\d{3}")
    assert not _SHORTHAND.search(_ANY_IDIOM.sub("", r"^a[\s\S]*b$"))
    assert not _SHORTHAND.search(r"^\\s$")  # an escaped backslash followed by s


def test_blank_and_non_blank_agree_with_what_the_domain_trims() -> None:
    non_blank = re.compile(NON_BLANK_PATTERN)
    blank = re.compile(BLANK_PATTERN)
    wrong = []
    for cp in range(sys.maxunicode + 1):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        c = chr(cp)
        trimmed_away = c.strip() == ""
        if bool(non_blank.search(c)) == trimmed_away or bool(blank.match(c)) != trimmed_away:
            wrong.append(f"U+{cp:04X}")
    assert not wrong, wrong
    assert blank.match("") and not non_blank.search("")
