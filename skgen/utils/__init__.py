"""Utilities: estimator discovery, safe persistence and private helpers."""

from .discovery import all_estimators
from ._persistence import trusted_types

__all__ = ["all_estimators", "trusted_types"]
