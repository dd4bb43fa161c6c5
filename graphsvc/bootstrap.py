"""The composition root: the one place that reads settings and builds stores and drivers.

Nothing else constructs a ``neo4j.Driver``, an ``EmbeddedStore`` or ``Settings`` on its own: the CLI, the API
and the tests ask a :class:`Container` for them.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from graphsvc.domain.errors import DomainValidationError, Problem
from graphsvc.domain.ids import check_town_name
from graphsvc.settings import Settings

if TYPE_CHECKING:
    import neo4j

    from graphsvc.access.system import SystemDB
    from graphsvc.store.port import GraphStore

__all__ = ["Container", "build", "check_town_name"]


def _person_profile_problems(record: Any, **where: Any) -> Any:
    """``matching``'s profile check, imported when a person is first written (not at start-up: ``matching`` pulls
    in scikit-learn and the analyser, seconds a CLI command must not pay before its work)."""
    from matching.records import person_profile_problems

    return person_profile_problems(record, **where)


class Container:
    """Holds the process-wide objects: settings, the one Neo4j driver, one store per town."""

    def __init__(self, settings: Settings):
        from graphsvc.domain import checks
        from graphsvc.domain.enums import NodeLabel

        checks.register(
            NodeLabel.PERSON, _person_profile_problems
        )  # a participation profile is checked on write
        self.settings = settings
        self._driver: Any = None
        self._stores: dict[str, GraphStore] = {}
        self._lock = threading.Lock()
        self._system: Any = None

    # -- Neo4j
    def driver(self) -> neo4j.Driver:
        """The process's one Bolt driver (created on first use)."""
        with self._lock:
            if self._driver is None:
                import neo4j

                s = self.settings
                if not s.neo4j_uri:
                    raise DomainValidationError(
                        [Problem("NEO4J_URI が設定されていません", "NEO4J_URI is not set", field="NEO4J_URI")]
                    )
                self._driver = neo4j.GraphDatabase.driver(
                    s.neo4j_uri,
                    auth=(s.neo4j_user, s.neo4j_password.get_secret_value()),
                    max_transaction_retry_time=s.neo4j_max_retry_time,
                    connection_acquisition_timeout=s.neo4j_acquisition_timeout,
                )
            return self._driver

    # -- stores
    def store(self, town: str | None = None) -> GraphStore:
        town = check_town_name(town or self.settings.default_town)
        with self._lock:
            if town in self._stores:
                return self._stores[town]
        store = self._make_store(town)
        with self._lock:
            return self._stores.setdefault(town, store)

    def _make_store(self, town: str) -> GraphStore:
        s = self.settings
        if s.store == "neo4j":
            from graphsvc.store.neo4j import Neo4jStore

            store = Neo4jStore(
                self.driver(),
                town,
                database=s.neo4j_database,
                uri=s.neo4j_uri,
                user=s.neo4j_user,
                batch_rows=s.neo4j_batch_rows,
            )
            store.ensure_schema()  # constraints and indexes when a town is opened (idempotent, once per process)
            return store
        from graphsvc.store.embedded import EmbeddedStore

        return EmbeddedStore(s.data_dir / f"{town}.sqlite3", town)

    def forget_store(self, town: str) -> None:
        """Drop a town's store (closing it) so the next :meth:`store` call opens it afresh (after an outage)."""
        with self._lock:
            st = self._stores.pop(town, None)
        if st is not None:
            st.close()

    # -- the system database: keys, ownership, consent register, audit log (graphsvc.access)
    def system(self) -> SystemDB:
        """The system database (``Settings.system_db_path()``), opened on first use."""
        with self._lock:
            if self._system is None:
                from graphsvc.access.system import SystemDB as _SystemDB

                s = self.settings
                self._system = _SystemDB.open(s.system_db_path(), secret=s.api_key_secret.get_secret_value())
            return self._system

    def towns(self) -> list[str]:
        """Towns with an embedded database on disk (Neo4j: towns that have an Area node)."""
        if self.settings.store == "embedded":
            return sorted(p.stem for p in self.settings.data_dir.glob("*.sqlite3"))
        from graphsvc.store.neo4j import list_towns

        s = self.settings
        return list_towns(self.driver(), database=s.neo4j_database, uri=s.neo4j_uri, user=s.neo4j_user)

    def close(self) -> None:
        with self._lock:
            for st in self._stores.values():
                st.close()
            self._stores.clear()
            if self._system is not None:
                self._system.close()
                self._system = None
            if self._driver is not None:
                self._driver.close()
                self._driver = None

    def __enter__(self) -> Container:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def build(settings: Settings | None = None, **overrides: Any) -> Container:
    """Build the container from the environment (or the given settings, with field overrides)."""
    s = settings or Settings()
    if overrides:
        s = Settings.model_validate({**s.model_dump(), **overrides})
    return Container(s)
