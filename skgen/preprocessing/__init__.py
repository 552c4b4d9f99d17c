"""Reversible preprocessing of tabular data for skgen's neural models."""

from ._tabular import NUMERIC_METHODS, ColumnSpec, TabularEncoder

__all__ = ["NUMERIC_METHODS", "ColumnSpec", "TabularEncoder"]
