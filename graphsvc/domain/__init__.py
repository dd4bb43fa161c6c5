"""The domain: plain typed records and enumerations. Imports nothing of the rest of the service.

``from graphsvc.domain import Person, NodeLabel`` works as always, but each name is loaded on first use from
the submodule that defines it: importing the package (or ``graphsvc.domain.enums``, ``.errors``, ``.ids``)
does not build the pydantic record models, which the command line's start-up cannot afford (see
``tests/unit/cli/test_startup.py``).
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from graphsvc.domain.codec import (  # noqa: F401  (exported through __getattr__)
        node_from_props,
        problems_from_validation,
        rel_props_from_store,
        rel_props_to_store,
        to_props,
        validate_node,
        validate_rel_props,
    )
    from graphsvc.domain.enums import *  # noqa: F403
    from graphsvc.domain.errors import *  # noqa: F403
    from graphsvc.domain.records import *  # noqa: F403
    from graphsvc.domain.values import *  # noqa: F403

# Where the package's names come from, searched in this order (cheapest first); every name in each module's
# ``__all__`` except for codec, of which only these are exported.
_MODULES = ("enums", "errors", "values", "records")
_CODEC = (
    "node_from_props",
    "problems_from_validation",
    "rel_props_from_store",
    "rel_props_to_store",
    "to_props",
    "validate_node",
    "validate_rel_props",
)


def _all_names() -> list[str]:
    names: list[str] = []
    for module in _MODULES:
        names.extend(importlib.import_module(f"{__name__}.{module}").__all__)
    return [*names, *_CODEC]


def __getattr__(name: str) -> Any:
    if name == "__all__":
        value: Any = _all_names()
    elif name in _CODEC:
        value = getattr(importlib.import_module(f"{__name__}.codec"), name)
    else:
        for module in _MODULES:
            mod = importlib.import_module(f"{__name__}.{module}")
            if name in mod.__all__:
                value = getattr(mod, name)
                break
        else:
            if importlib.util.find_spec(f"{__name__}.{name}") is None:  # a submodule not imported yet
                raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
            value = importlib.import_module(f"{__name__}.{name}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_all_names()})
