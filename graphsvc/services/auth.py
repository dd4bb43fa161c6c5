"""Signing in to the staff pages with an API key: the key verified, the sign-in audited."""

from __future__ import annotations

from graphsvc.access.principals import Principal
from graphsvc.access.system import SystemDB

__all__ = ["sign_in"]


def sign_in(system: SystemDB, presented: str) -> Principal | None:
    """The principal of a valid, unrevoked key (its sign-in written to the audit log), or None."""
    principal = system.keys.verify(presented) if presented else None
    if principal is not None:
        system.audit.append(principal, action="web_signin", town=None, kind=None, record_ids=[], purpose=None)
    return principal
