"""Access: who is calling and what they may do, below both front doors.

- :mod:`~graphsvc.access.principals` roles and the :class:`Principal` a key stands for;
  :mod:`~graphsvc.access.keys` the API keys (hashed; the town line for managing them is in the policy);
- :mod:`~graphsvc.access.ownership` which case system wrote which record;
- :mod:`~graphsvc.access.consent` the 本人同意 register (grants of the one consent concept,
  :mod:`graphsvc.domain.consent`, that the matching reads too);
- :mod:`~graphsvc.access.audit` the append-only, hash-chained audit log;
- :mod:`~graphsvc.access.system` the system database that holds them all;
- :mod:`~graphsvc.access.context` the plain :class:`AccessContext` (town, principal, purpose) and
  :mod:`~graphsvc.access.policy` the rules, raising domain errors (``AccessDenied``, ``ConsentRequired``,
  ``NotFound``, ``ConflictError``, ``DomainValidationError``) that the API maps to HTTP and the pages to pages.

Nothing here knows HTTP, sessions or a web framework.
"""

from graphsvc.access.context import AccessContext
from graphsvc.access.kinds import KINDS, TIE_KIND, RecordKind, kind_of
from graphsvc.access.policy import Policy
from graphsvc.access.principals import ALL, Principal, Role
from graphsvc.access.system import SystemDB

__all__ = [
    "ALL",
    "KINDS",
    "TIE_KIND",
    "AccessContext",
    "Policy",
    "Principal",
    "RecordKind",
    "Role",
    "SystemDB",
    "kind_of",
]
