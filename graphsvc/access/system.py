"""The system database: one SQLite file (``data/_system/system.sqlite3`` by default, never in git) with the API
keys, the case systems' record ownership, the consent register and the audit log (the staff pages keep their
sessions there too)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from graphsvc.access.audit import AuditLog
from graphsvc.access.consent import ConsentRegister
from graphsvc.access.keys import KeyStore
from graphsvc.access.ownership import OwnershipRegister

__all__ = ["SystemDB"]


@dataclass
class SystemDB:
    path: Path
    keys: KeyStore
    ownership: OwnershipRegister
    consents: ConsentRegister
    audit: AuditLog

    @classmethod
    def open(cls, path: Path, *, secret: str = "") -> SystemDB:
        return cls(
            path=path,
            keys=KeyStore(path, secret=secret),
            ownership=OwnershipRegister(path),
            consents=ConsentRegister(path),
            audit=AuditLog(path),
        )

    def close(self) -> None:
        for part in (self.keys, self.ownership, self.consents, self.audit):
            part.close()
