"""``graphsvc.domain`` and ``matching.sim`` load their names on first use, and export the same names as before."""

from __future__ import annotations

import importlib
import subprocess
import sys
import types

import pytest


def _loaded_after(statement: str) -> set[str]:
    code = f"import sys; {statement}; print(' '.join(sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return set(out.split())


def test_enums_and_errors_do_not_build_the_records() -> None:
    light = _loaded_after(
        "from graphsvc.domain import NodeLabel, Problem; from graphsvc.domain.ids import TownId"
    )
    assert "pydantic" not in light and "graphsvc.domain.records" not in light
    heavy = _loaded_after("from graphsvc.domain import Person")
    assert {"pydantic", "graphsvc.domain.records"} <= heavy


@pytest.mark.parametrize(
    ("package", "modules"),
    [
        ("graphsvc.domain", ("enums", "errors", "values", "records")),
        ("matching.sim", ("instance", "openings", "outcomes")),
    ],
)
def test_every_exported_name_is_the_defining_modules_object(package: str, modules: tuple[str, ...]) -> None:
    pkg = importlib.import_module(package)
    for m in modules:  # imported first, so a submodule attribute could shadow a name of the same spelling
        importlib.import_module(f"{package}.{m}")
    names = list(pkg.__all__)
    assert len(names) == len(set(names))
    for name in names:
        value = getattr(pkg, name)
        assert not isinstance(value, types.ModuleType), name
        owners = [
            m for m in modules if name in getattr(importlib.import_module(f"{package}.{m}"), "__all__", ())
        ]
        if owners:
            assert value is getattr(importlib.import_module(f"{package}.{owners[0]}"), name)
    star: dict[str, object] = {}
    exec(f"from {package} import *", star)
    assert set(names) <= set(star)
    with pytest.raises(AttributeError):
        pkg.no_such_name  # noqa: B018


def test_domain_exports_what_it_always_did() -> None:
    import graphsvc.domain as d
    from graphsvc.domain import codec, enums, errors, records, values

    expected = {*enums.__all__, *errors.__all__, *records.__all__, *values.__all__}
    expected |= {"node_from_props", "problems_from_validation", "rel_props_from_store", "rel_props_to_store"}
    expected |= {"to_props", "validate_node", "validate_rel_props"}
    assert set(d.__all__) == expected
    assert d.validate_node is codec.validate_node
    assert d.geometry is importlib.import_module("graphsvc.domain.geometry")  # submodules still reachable
