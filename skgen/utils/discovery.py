"""Discover skgen's public estimators (for the common tests and the docs)."""

from __future__ import annotations

import inspect

from sklearn.base import BaseEstimator


def all_estimators():
    """Return ``(name, class)`` for every public estimator of skgen, sorted by name.

    Returns
    -------
    estimators : list of tuple (str, type)
    """
    import skgen

    found = {}
    for name in skgen.__all__:
        obj = getattr(skgen, name)
        if inspect.isclass(obj) and issubclass(obj, BaseEstimator) and not name.startswith("_"):
            found[name] = obj
    return sorted(found.items())
