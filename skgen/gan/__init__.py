"""Adversarial generators: scikit-learn estimators with ``fit`` and ``sample``."""

__all__ = []
