"""The domain: plain typed records and enumerations. Imports nothing of the rest of the service."""

from graphsvc.domain.codec import (
    node_from_props,
    problems_from_validation,
    rel_props_from_store,
    rel_props_to_store,
    to_props,
    validate_node,
    validate_rel_props,
)
from graphsvc.domain.enums import *  # noqa: F403
from graphsvc.domain.enums import __all__ as _enums_all
from graphsvc.domain.errors import *  # noqa: F403
from graphsvc.domain.errors import __all__ as _errors_all
from graphsvc.domain.records import *  # noqa: F403
from graphsvc.domain.records import __all__ as _records_all
from graphsvc.domain.values import *  # noqa: F403
from graphsvc.domain.values import __all__ as _values_all

__all__ = [
    *_enums_all,
    *_errors_all,
    *_records_all,
    *_values_all,
    "node_from_props",
    "problems_from_validation",
    "rel_props_from_store",
    "rel_props_to_store",
    "to_props",
    "validate_node",
    "validate_rel_props",
]
