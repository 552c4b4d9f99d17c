"""Privacy: whether synthetic data copy the training rows."""

from __future__ import annotations

import numpy as np
from sklearn.neighbors import NearestNeighbors

from ..utils._param_validation import validate_params
from ._common import _encode, _prepare, _row_hashes

__all__ = ["distance_to_closest_record", "exact_copy_rate"]


@validate_params(
    {"train": ["array-like"], "synthetic": ["array-like"], "holdout": ["array-like", None]},
    prefer_skip_nested_validation=True,
)
def distance_to_closest_record(train, synthetic, holdout=None):
    """Distance to closest record (DCR) of synthetic and holdout rows.

    Every row is encoded with :class:`~skgen.preprocessing.TabularEncoder`
    (z-scored numbers, one-hot categories and missing indicators, fitted on
    all tables) and its Euclidean distance to the nearest training row is
    measured. Synthetic rows much closer to the training rows than real
    unseen (holdout) rows are, hint at memorisation.

    Parameters
    ----------
    train : DataFrame or array-like of shape (n_samples, n_features)
        The real rows the generator was trained on.
    synthetic : DataFrame or array-like of shape (n_synthetic, n_features)
        The synthetic rows, with the same columns.
    holdout : DataFrame or array-like of shape (n_holdout, n_features), default=None
        Real rows the generator never saw, from the same distribution as
        ``train``.

    Returns
    -------
    summary : dict of float
        ``"synthetic_median"`` and ``"synthetic_p05"``: the median and the 5th
        percentile of the synthetic DCRs. With a ``holdout``, also
        ``"holdout_median"`` and ``"holdout_p05"`` for the holdout rows and
        ``"synthetic_closer_rate"``: the probability that a synthetic row is
        closer to the training data than a holdout row (ties count half),
        about 0.5 for a generator that does not copy and 1 for copies.

    See Also
    --------
    exact_copy_rate : The share of synthetic rows equal to a training row.

    Examples
    --------
    >>> import numpy as np
    >>> from skgen.metrics import distance_to_closest_record
    >>> rng = np.random.RandomState(0)
    >>> train, holdout = rng.normal(size=(100, 3)), rng.normal(size=(100, 3))
    >>> summary = distance_to_closest_record(train, train.copy(), holdout)
    >>> summary["synthetic_median"], summary["synthetic_closer_rate"]
    (0.0, 1.0)
    """
    tables = {"train": train, "synthetic": synthetic}
    if holdout is not None:
        tables["holdout"] = holdout
    frames, _ = _prepare(**tables)
    encoded = _encode(frames)
    neighbours = NearestNeighbors(n_neighbors=1).fit(encoded[0])
    distances = [neighbours.kneighbors(X)[0][:, 0] for X in encoded[1:]]
    summary = {
        "synthetic_median": float(np.median(distances[0])),
        "synthetic_p05": float(np.percentile(distances[0], 5)),
    }
    if holdout is not None:
        synthetic_dcr, holdout_dcr = distances[0], np.sort(distances[1])
        above = len(holdout_dcr) - np.searchsorted(holdout_dcr, synthetic_dcr, side="right")
        ties = np.searchsorted(holdout_dcr, synthetic_dcr, side="right") - np.searchsorted(
            holdout_dcr, synthetic_dcr, side="left"
        )
        summary.update(
            holdout_median=float(np.median(holdout_dcr)),
            holdout_p05=float(np.percentile(holdout_dcr, 5)),
            synthetic_closer_rate=float((above + 0.5 * ties).mean() / len(holdout_dcr)),
        )
    return summary


@validate_params(
    {"train": ["array-like"], "synthetic": ["array-like"]},
    prefer_skip_nested_validation=True,
)
def exact_copy_rate(train, synthetic):
    """Fraction of synthetic rows identical to some training row.

    Parameters
    ----------
    train : DataFrame or array-like of shape (n_samples, n_features)
        The real rows the generator was trained on.
    synthetic : DataFrame or array-like of shape (n_synthetic, n_features)
        The synthetic rows, with the same columns.

    Returns
    -------
    rate : float
        In [0, 1]; 1 when every synthetic row copies a training row.

    See Also
    --------
    distance_to_closest_record : How close, rather than how often equal.

    Notes
    -----
    Values are compared exactly, after alignment of the dtypes (``1`` equals
    ``1.0``; a missing value equals a missing value). Rows of data with few
    distinct values can coincide by chance: compare with the rate of a real
    holdout set.

    Examples
    --------
    >>> import pandas as pd
    >>> from skgen.metrics import exact_copy_rate
    >>> train = pd.DataFrame({"x": [1, 2, 3], "pet": ["cat", "dog", "cat"]})
    >>> synthetic = pd.DataFrame({"x": [1.0, 2.0, 2.0, 5.0], "pet": ["cat", "dog", "cat", "cat"]})
    >>> exact_copy_rate(train, synthetic)
    0.5
    """
    (train, synthetic), kinds = _prepare(train=train, synthetic=synthetic)
    return float(np.isin(_row_hashes(synthetic, kinds), _row_hashes(train, kinds)).mean())
