"""Utilities: estimator discovery and private helpers."""

from .discovery import all_estimators

__all__ = ["all_estimators"]
