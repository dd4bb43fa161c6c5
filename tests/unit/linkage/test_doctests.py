"""The examples in every linkage module's docstrings run under ``make test`` too."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest


def _modules_with_examples() -> list[str]:
    names = []
    for info in pkgutil.iter_modules(importlib.import_module("linkage").__path__, "linkage."):
        tests = doctest.DocTestFinder().find(importlib.import_module(info.name))
        if any(t.examples for t in tests):
            names.append(info.name)
    return sorted(names)


@pytest.mark.parametrize("name", ["linkage", *_modules_with_examples()])
def test_linkage_doctests(name: str) -> None:
    res = doctest.testmod(importlib.import_module(name), optionflags=doctest.NORMALIZE_WHITESPACE)
    assert res.attempted > 0 and res.failed == 0
