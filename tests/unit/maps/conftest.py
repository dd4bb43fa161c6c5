from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from graphsvc.analysis import GapReport, analyse_all
from graphsvc.store.embedded import EmbeddedStore
from tests.unit.maps.small_town import build_small_town


@pytest.fixture
def small_store(tmp_path: Path) -> Iterator[EmbeddedStore]:
    store = build_small_town(tmp_path / "data")
    yield store
    store.close()


@pytest.fixture
def small_analysis(small_store: EmbeddedStore) -> GapReport:
    return analyse_all(small_store.projection())


@pytest.fixture
def empty_store(tmp_path: Path) -> Iterator[EmbeddedStore]:
    (tmp_path / "data").mkdir(exist_ok=True)
    store = EmbeddedStore(tmp_path / "data" / "empty.sqlite3", "empty")
    yield store
    store.close()
