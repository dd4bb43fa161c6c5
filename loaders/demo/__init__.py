"""Demo towns: 鳥羽 (``toba``, after 三重県鳥羽市) and 鷹栖 (``takasu``, after 北海道鷹栖町), and a scalable
``synthetic`` town, generated deterministically from a seed.

>>> from loaders.demo import TOWNS, generate_town
>>> batches = generate_town(TOWNS["takasu"], seed=1, households=50)
>>> head = next(batches)
>>> sum(1 for n in head.nodes if n.props.get("kind") == "home_salon")
12
"""

from __future__ import annotations

from loaders.demo.build import AreaStats, Summariser, TownSummary, build_town
from loaders.demo.generator import BLOCK, generate_town, town_digest
from loaders.demo.spec import TownSpec
from loaders.demo.synthetic import synthetic_spec
from loaders.demo.takasu import TAKASU
from loaders.demo.toba import TOBA

__all__ = [
    "BLOCK",
    "TOWNS",
    "AreaStats",
    "Summariser",
    "TownSpec",
    "TownSummary",
    "build_town",
    "generate_town",
    "get_spec",
    "synthetic_spec",
    "town_digest",
]

TOWNS: dict[str, TownSpec] = {"toba": TOBA, "takasu": TAKASU}


def get_spec(town: str, households: int | None = None) -> TownSpec:
    """The spec of a demo town; ``synthetic`` needs ``households`` (default 10,000)."""
    if town == "synthetic":
        return synthetic_spec(households or 10_000)
    try:
        return TOWNS[town]
    except KeyError:
        raise KeyError(
            f"unknown demo town {town!r}: choose from {', '.join([*TOWNS, 'synthetic'])}"
        ) from None
