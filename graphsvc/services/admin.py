"""Administration inside the town line: API keys (list, create, revoke) and reads of the audit log.

An admin sees, creates and revokes only keys whose towns are all within its own; only an all-towns admin manages
all-towns keys (:meth:`graphsvc.access.policy.Policy.check_key_admin`). A key outside the caller's line is
answered as if it did not exist (404), so its id tells nothing. Creating and revoking a key, and every read of
the audit log, are themselves written to the audit log (one entry per town of the key; an all-towns key's entry
has no town). The API's ``/v1/keys`` and ``/v1/audit`` and the ``tsunagari keys`` commands call these.
"""

from __future__ import annotations

import getpass
import socket
from collections.abc import Sequence
from dataclasses import dataclass

from graphsvc.access.audit import AuditEntry
from graphsvc.access.keys import KeyInfo
from graphsvc.access.policy import Policy
from graphsvc.access.principals import ALL, Principal, Role
from graphsvc.access.system import SystemDB
from graphsvc.domain.errors import DomainValidationError, NotFound, Problem
from graphsvc.domain.ids import is_town_name

__all__ = ["KEY_KIND", "AuditQuery", "AuditService", "KeyAdmin", "local_operator"]

KEY_KIND = "api_keys"
"""The kind of key-management entries in the audit log."""


def local_operator() -> Principal:
    """The person at the server's command line: an all-towns admin (they hold the system database file), named
    after the OS user so the audit log says who it was."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # pragma: no cover - no passwd entry
        user = "unknown"
    return Principal(key_id="cli", name=f"コマンドライン {user}@{socket.gethostname()}", role=Role.ADMIN)


def _check_towns(towns: Sequence[str]) -> list[str]:
    out = [t.strip() for t in towns if t.strip()]
    if not out:
        out = [ALL]
    bad = [t for t in out if t != ALL and not is_town_name(t)]
    if bad:
        raise DomainValidationError(
            [
                Problem(
                    f"町の名前「{t}」は英小文字・数字・_・- で指定してください (すべての町は *)",
                    f"town name {t!r} must be lowercase letters, digits, _ or - (or * for all towns)",
                    field="towns",
                    value=t[:80],
                )
                for t in bad
            ]
        )
    if ALL in out and len(out) > 1:
        raise DomainValidationError.one(
            "* (すべての町) は他の町と一緒に指定できません", "* (all towns) stands alone", field="towns"
        )
    return sorted(set(out))


class KeyAdmin:
    """API keys as an admin may manage them."""

    def __init__(self, system: SystemDB):
        self.system = system

    def _audit(self, admin: Principal, action: str, info: KeyInfo) -> None:
        towns: list[str | None] = [t for t in info.towns if t != ALL] or [None]
        for town in towns:
            self.system.audit.append(
                admin, action=action, town=town, kind=KEY_KIND, record_ids=[info.key_id], purpose=None
            )

    def list(self, admin: Principal, *, include_revoked: bool = True) -> list[KeyInfo]:
        """The keys within the admin's towns."""
        Policy.check_key_admin(admin, [])  # the role
        return [
            k
            for k in self.system.keys.list(include_revoked=include_revoked)
            if Policy.manages_key(admin, k.towns)
        ]

    def create(
        self,
        admin: Principal,
        *,
        name: str,
        role: Role | str,
        towns: Sequence[str] = (ALL,),
        persons: Sequence[str] = (),
        system_id: str | None = None,
    ) -> tuple[str, KeyInfo]:
        """A new key (the plain key is returned once) for towns within the admin's own; audited."""
        wanted = _check_towns(towns)
        try:
            role = Role(role)
        except ValueError:
            raise DomainValidationError.one(
                "役割は " + " / ".join(r.value for r in Role) + " のいずれかです",
                f"role must be one of {', '.join(r.value for r in Role)}",
                field="role",
                value=str(role)[:80],
            ) from None
        Policy.check_key_admin(admin, wanted)
        key, info = self.system.keys.create(
            name=name, role=role, towns=wanted, persons=persons, system_id=system_id
        )
        self._audit(admin, "key_create", info)
        return key, info

    def revoke(self, admin: Principal, key_id: str) -> KeyInfo:
        """Revoke a key within the admin's towns (404 for any other: unknown or outside the line); audited."""
        info = self.system.keys.get(key_id)
        if info is None or not Policy.manages_key(admin, info.towns):
            Policy.check_key_admin(admin, [])  # a non-admin is refused as such
            raise NotFound([Problem(f"キー「{key_id}」はありません", f"no key {key_id!r}", field="key_id")])
        revoked = self.system.keys.revoke(key_id)
        self._audit(admin, "key_revoke", revoked)
        return revoked


@dataclass(frozen=True)
class AuditQuery:
    entries: list[AuditEntry]
    chain_broken_at: int | None
    town: str | None


class AuditService:
    """Reads of the audit log, limited to the admin's towns and audited themselves."""

    def __init__(self, system: SystemDB):
        self.system = system

    def query(
        self,
        admin: Principal,
        *,
        town: str | None = None,
        key_id: str | None = None,
        record_id: str | None = None,
        action: str | None = None,
        since: str | None = None,
        until: str | None = None,
        after_seq: int = 0,
        limit: int | None = 500,
    ) -> AuditQuery:
        scoped = Policy.audit_town(admin, town)
        entries = self.system.audit.query(
            town=scoped,
            key_id=key_id,
            record_id=record_id,
            action=action,
            since=since,
            until=until,
            after_seq=after_seq,
            limit=limit,
        )
        broken = self.system.audit.verify()
        self.system.audit.append(
            admin,
            action="audit_read",
            town=scoped,
            kind="audit",
            record_ids=[record_id] if record_id else [],
            purpose=None,
            status=200,
        )
        return AuditQuery(entries, broken, scoped)
