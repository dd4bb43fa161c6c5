"""Labelled enums for matching: the domain's :class:`~graphsvc.domain.enums.LabeledEnum` and its registry."""

from __future__ import annotations

from graphsvc.domain.enums import LabeledEnum as Labeled
from graphsvc.domain.enums import set_labels

__all__ = ["Labeled", "set_labels"]
