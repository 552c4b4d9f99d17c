"""Fidelity: how closely synthetic data follow the real distribution."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
import pandas as pd
from scipy.stats import ks_2samp
from sklearn.base import clone
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics.pairwise import pairwise_distances, pairwise_kernels
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold, cross_val_score
from sklearn.utils import check_random_state

from ..utils._param_validation import HasMethods, Interval, StrOptions, validate_params
from ._common import _category_codes, _encode, _numeric_values, _prepare, _row_hashes

__all__ = [
    "association_matrix",
    "column_detection_auc",
    "column_shape_score",
    "correlation_difference",
    "detection_auc",
    "ks_statistic",
    "maximum_mean_discrepancy",
    "total_variation_distance",
]


@validate_params(
    {"real": ["array-like"], "synthetic": ["array-like"]},
    prefer_skip_nested_validation=True,
)
def ks_statistic(real, synthetic):
    """Kolmogorov-Smirnov statistic of every numeric column.

    The statistic is the largest gap between the empirical distribution
    functions of the real and the synthetic values: 0 for identical
    distributions, 1 for disjoint supports.

    Parameters
    ----------
    real : DataFrame or array-like of shape (n_samples, n_features)
        The real data.
    synthetic : DataFrame or array-like of shape (n_synthetic, n_features)
        The synthetic data, with the same columns.

    Returns
    -------
    statistics : Series of float
        Indexed by the numeric (float, integer, datetime, timedelta)
        columns; empty when there are none.

    See Also
    --------
    total_variation_distance : The counterpart for categorical columns.
    column_shape_score : Both, summarised in one number.

    Notes
    -----
    Missing values are ignored. A column missing entirely in one table and
    not in the other scores 1 (0 when missing in both).

    Examples
    --------
    >>> import numpy as np
    >>> from skgen.metrics import ks_statistic
    >>> real = np.array([[0.0], [1.0], [2.0], [3.0]])
    >>> ks_statistic(real, real + 10).tolist()
    [1.0]
    """
    (real, synthetic), kinds = _prepare(real=real, synthetic=synthetic)
    columns = [column for column, kind in kinds.items() if kind == "numeric"]
    scores = []
    for column in columns:
        a = _numeric_values(real[column])
        b = _numeric_values(synthetic[column])
        a, b = a[~np.isnan(a)], b[~np.isnan(b)]
        if a.size == 0 or b.size == 0:
            scores.append(float(a.size != b.size))
        else:
            scores.append(float(ks_2samp(a, b).statistic))
    return pd.Series(scores, index=pd.Index(columns, dtype=object), name="ks_statistic")


@validate_params(
    {"real": ["array-like"], "synthetic": ["array-like"]},
    prefer_skip_nested_validation=True,
)
def total_variation_distance(real, synthetic):
    """Total variation distance of every categorical column.

    Half the L1 distance between the level frequencies of the real and the
    synthetic column, missing values counting as one more level: 0 for
    identical frequencies, 1 when no level is shared.

    Parameters
    ----------
    real : DataFrame or array-like of shape (n_samples, n_features)
        The real data.
    synthetic : DataFrame or array-like of shape (n_synthetic, n_features)
        The synthetic data, with the same columns.

    Returns
    -------
    distances : Series of float
        Indexed by the categorical (boolean, string, object, category)
        columns; empty when there are none.

    See Also
    --------
    ks_statistic : The counterpart for numeric columns.
    column_shape_score : Both, summarised in one number.

    Examples
    --------
    >>> import pandas as pd
    >>> from skgen.metrics import total_variation_distance
    >>> real = pd.DataFrame({"pet": ["cat", "cat", "dog", "dog"]})
    >>> synthetic = pd.DataFrame({"pet": ["cat", "cat", "cat", "dog"]})
    >>> total_variation_distance(real, synthetic).tolist()
    [0.25]
    """
    (real, synthetic), kinds = _prepare(real=real, synthetic=synthetic)
    columns = [column for column, kind in kinds.items() if kind == "categorical"]
    scores = []
    for column in columns:
        n_levels = len(real[column].cat.categories) + 1
        p = np.bincount(_category_codes(real[column]), minlength=n_levels) / len(real)
        q = np.bincount(_category_codes(synthetic[column]), minlength=n_levels) / len(synthetic)
        scores.append(float(0.5 * np.abs(p - q).sum()))
    return pd.Series(
        scores, index=pd.Index(columns, dtype=object), name="total_variation_distance"
    )


@validate_params(
    {"real": ["array-like"], "synthetic": ["array-like"]},
    prefer_skip_nested_validation=True,
)
def column_shape_score(real, synthetic):
    """Mean similarity of the marginal distributions, 1 being ideal.

    The mean over columns of ``1 - KS`` (numeric columns, see
    :func:`ks_statistic`) and ``1 - TVD`` (categorical columns, see
    :func:`total_variation_distance`).

    Parameters
    ----------
    real : DataFrame or array-like of shape (n_samples, n_features)
        The real data.
    synthetic : DataFrame or array-like of shape (n_synthetic, n_features)
        The synthetic data, with the same columns.

    Returns
    -------
    score : float
        In [0, 1]; 1 when every marginal distribution matches.

    See Also
    --------
    correlation_difference : The pairwise counterpart.

    Examples
    --------
    >>> import pandas as pd
    >>> from skgen.metrics import column_shape_score
    >>> real = pd.DataFrame({"x": [1.0, 2.0, 3.0], "pet": ["cat", "dog", "dog"]})
    >>> column_shape_score(real, real)
    1.0
    """
    distances = pd.concat(
        [ks_statistic(real, synthetic), total_variation_distance(real, synthetic)]
    )
    return float(1.0 - distances.mean())


def _cramers_v(a, b):
    """Cramér's V of two integer-coded columns (0 when one is constant)."""
    _, a = np.unique(a, return_inverse=True)
    _, b = np.unique(b, return_inverse=True)
    n_a, n_b = a.max() + 1, b.max() + 1
    if min(n_a, n_b) < 2:
        return 0.0
    table = np.bincount(a * n_b + b, minlength=n_a * n_b).reshape(n_a, n_b) / a.size
    expected = np.outer(table.sum(axis=1), table.sum(axis=0))
    phi2 = (table**2 / expected).sum() - 1.0
    return float(np.sqrt(max(phi2, 0.0) / (min(n_a, n_b) - 1)))


def _correlation_ratio(values, codes):
    """Correlation ratio (eta) of a numeric column given categorical codes."""
    observed = ~np.isnan(values)
    values, codes = values[observed], codes[observed]
    if values.size < 2:
        return 0.0
    total = ((values - values.mean()) ** 2).sum()
    if total == 0:
        return 0.0
    counts = np.bincount(codes)
    means = np.bincount(codes, weights=values)[counts > 0] / counts[counts > 0]
    between = (counts[counts > 0] * (means - values.mean()) ** 2).sum()
    return float(np.sqrt(between / total))


def _associations(frame, kinds):
    columns = list(kinds)
    numeric = pd.DataFrame(
        {
            column: _numeric_values(frame[column])
            for column in columns
            if kinds[column] == "numeric"
        }
    )
    pearson = numeric.corr() if numeric.shape[1] else None
    codes = {
        column: _category_codes(frame[column])
        for column in columns
        if kinds[column] == "categorical"
    }
    matrix = np.eye(len(columns))
    for i, first in enumerate(columns):
        for j in range(i + 1, len(columns)):
            second = columns[j]
            pair = (kinds[first], kinds[second])
            if pair == ("numeric", "numeric"):
                value = pearson.loc[first, second]
            elif pair == ("categorical", "categorical"):
                value = _cramers_v(codes[first], codes[second])
            elif pair[0] == "numeric":
                value = _correlation_ratio(numeric[first].to_numpy(), codes[second])
            else:
                value = _correlation_ratio(numeric[second].to_numpy(), codes[first])
            matrix[i, j] = matrix[j, i] = 0.0 if np.isnan(value) else value
    return pd.DataFrame(matrix, index=frame.columns, columns=frame.columns)


@validate_params({"data": ["array-like"]}, prefer_skip_nested_validation=True)
def association_matrix(data):
    """Pairwise association of the columns of a mixed-type table.

    Parameters
    ----------
    data : DataFrame or array-like of shape (n_samples, n_features)
        The table.

    Returns
    -------
    associations : DataFrame of shape (n_features, n_features)
        Symmetric, with ones on the diagonal: Pearson's correlation (in
        [-1, 1]) for two numeric columns, Cramér's V (in [0, 1]) for two
        categorical columns and the correlation ratio (in [0, 1]) for a
        numeric and a categorical column.

    See Also
    --------
    correlation_difference : Compare the associations of two tables.

    Notes
    -----
    Pearson's correlation uses the rows where both values are present; the
    correlation ratio drops the rows where the number is missing; missing
    categories count as a level. An undefined association (a constant
    column) is reported as 0.

    Examples
    --------
    >>> import pandas as pd
    >>> from skgen.metrics import association_matrix
    >>> data = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "y": [2.0, 4.0, 6.0, 8.0],
    ...                      "pet": ["cat", "cat", "dog", "dog"]})
    >>> association_matrix(data).round(2)
            x     y   pet
    x    1.00  1.00  0.89
    y    1.00  1.00  0.89
    pet  0.89  0.89  1.00
    """
    (frame,), kinds = _prepare(data=data)
    return _associations(frame, kinds)


@validate_params(
    {"real": ["array-like"], "synthetic": ["array-like"]},
    prefer_skip_nested_validation=True,
)
def correlation_difference(real, synthetic):
    """Mean absolute difference between pairwise associations, 0 being ideal.

    Parameters
    ----------
    real : DataFrame or array-like of shape (n_samples, n_features)
        The real data.
    synthetic : DataFrame or array-like of shape (n_synthetic, n_features)
        The synthetic data, with the same columns.

    Returns
    -------
    difference : float
        The mean of ``|A_real - A_synthetic|`` over the pairs of distinct
        columns, where ``A`` is :func:`association_matrix` (Pearson's
        correlation, Cramér's V or the correlation ratio). In [0, 2] (in
        [0, 1] without numeric pairs); NaN for a single column.

    See Also
    --------
    association_matrix : The associations compared.
    column_shape_score : The per-column counterpart.

    Examples
    --------
    >>> import numpy as np
    >>> from skgen.metrics import correlation_difference
    >>> x = np.arange(10.0)
    >>> real = np.column_stack([x, x])
    >>> correlation_difference(real, real)
    0.0
    >>> float(round(correlation_difference(real, np.column_stack([x, -x])), 6))
    2.0
    """
    (real, synthetic), kinds = _prepare(real=real, synthetic=synthetic)
    if len(kinds) < 2:
        return float("nan")
    difference = np.abs(
        _associations(real, kinds).to_numpy() - _associations(synthetic, kinds).to_numpy()
    )
    upper = np.triu_indices(len(kinds), k=1)
    return float(difference[upper].mean())


@validate_params(
    {
        "real": ["array-like"],
        "synthetic": ["array-like"],
        "kernel": [StrOptions({"rbf", "laplacian", "linear"})],
        "gamma": [Interval(Real, 0, None, closed="neither"), None],
        "max_samples": [Interval(Integral, 2, None, closed="left"), None],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def maximum_mean_discrepancy(
    real, synthetic, *, kernel="rbf", gamma=None, max_samples=1000, random_state=None
):
    """Unbiased estimate of the squared maximum mean discrepancy (MMD²).

    Both tables are encoded with :class:`~skgen.preprocessing.TabularEncoder`
    (z-scored numbers, one-hot categories and missing indicators), fitted on
    their union; the MMD² between the two samples is then estimated with a
    kernel. It is about 0 for two samples of one distribution and grows as
    they differ.

    Parameters
    ----------
    real : DataFrame or array-like of shape (n_samples, n_features)
        The real data.
    synthetic : DataFrame or array-like of shape (n_synthetic, n_features)
        The synthetic data, with the same columns.
    kernel : {"rbf", "laplacian", "linear"}, default="rbf"
        ``exp(-gamma ||x - y||²)``, ``exp(-gamma ||x - y||₁)`` or ``<x, y>``.
    gamma : float or None, default=None
        Kernel coefficient of ``"rbf"`` and ``"laplacian"``. ``None`` uses
        the median heuristic: the inverse of the median distance (squared
        Euclidean, resp. L1) between the pooled rows.
    max_samples : int or None, default=1000
        Each table is subsampled to at most this many rows, since the cost
        is quadratic. ``None`` uses every row.
    random_state : int, RandomState instance or None, default=None
        Seeds the subsampling.

    Returns
    -------
    mmd2 : float
        The unbiased estimate; it can be slightly negative.

    See Also
    --------
    detection_auc : A classifier two-sample test.
    skgen.losses.mmd : The training loss on tensors.

    Notes
    -----
    With kernel :math:`k`, samples :math:`x_{1..m}` and :math:`y_{1..n}`:

    .. math::

        \\widehat{\\mathrm{MMD}}^2 = \\frac{1}{m(m-1)} \\sum_{i \\ne j} k(x_i, x_j)
        + \\frac{1}{n(n-1)} \\sum_{i \\ne j} k(y_i, y_j)
        - \\frac{2}{mn} \\sum_{i, j} k(x_i, y_j)

    References
    ----------
    .. [1] A. Gretton, K. M. Borgwardt, M. J. Rasch, B. Schölkopf and A. Smola,
       "A Kernel Two-Sample Test", JMLR 13, 2012.

    Examples
    --------
    >>> import numpy as np
    >>> from skgen.metrics import maximum_mean_discrepancy
    >>> rng = np.random.RandomState(0)
    >>> real = rng.normal(size=(200, 2))
    >>> same = maximum_mean_discrepancy(real, rng.normal(size=(200, 2)), random_state=0)
    >>> shifted = maximum_mean_discrepancy(real, real + 3, random_state=0)
    >>> bool(abs(same) < 0.02 and shifted > 0.5)
    True
    """
    (real, synthetic), _ = _prepare(real=real, synthetic=synthetic)
    X, Y = _encode([real, synthetic])
    if min(len(X), len(Y)) < 2:
        raise ValueError("maximum_mean_discrepancy needs at least 2 rows in each table.")
    rng = check_random_state(random_state)
    if max_samples is not None:
        if len(X) > max_samples:
            X = X[rng.choice(len(X), max_samples, replace=False)]
        if len(Y) > max_samples:
            Y = Y[rng.choice(len(Y), max_samples, replace=False)]
    params = {}
    if kernel != "linear":
        if gamma is None:
            pooled = np.vstack([X, Y])
            metric = "sqeuclidean" if kernel == "rbf" else "manhattan"
            distances = pairwise_distances(pooled, metric=metric)
            distances = distances[np.triu_indices(len(pooled), k=1)]
            median = np.median(distances)
            median = median if median > 0 else distances.mean()
            gamma = 1.0 / median if median > 0 else 1.0
        params["gamma"] = gamma
    K_xx = pairwise_kernels(X, metric=kernel, **params)
    K_yy = pairwise_kernels(Y, metric=kernel, **params)
    K_xy = pairwise_kernels(X, Y, metric=kernel, **params)
    m, n = len(X), len(Y)
    within_x = (K_xx.sum() - np.trace(K_xx)) / (m * (m - 1))
    within_y = (K_yy.sum() - np.trace(K_yy)) / (n * (n - 1))
    return float(within_x + within_y - 2.0 * K_xy.mean())


@validate_params(
    {
        "real": ["array-like"],
        "synthetic": ["array-like"],
        "estimator": [HasMethods(["fit"]), None],
        "cv": [Interval(Integral, 2, None, closed="left"), "cv_object"],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def detection_auc(real, synthetic, *, estimator=None, cv=3, random_state=None):
    """Cross-validated ROC AUC of a classifier telling synthetic from real rows.

    A classifier two-sample test: the rows are labelled 0 (real) and 1
    (synthetic), encoded with :class:`~skgen.preprocessing.TabularEncoder`
    (fitted on the union) and a classifier is cross-validated on them.
    0.5 means the classifier cannot tell the tables apart (ideal); 1.0 means
    it always can.

    Parameters
    ----------
    real : DataFrame or array-like of shape (n_samples, n_features)
        The real data.
    synthetic : DataFrame or array-like of shape (n_synthetic, n_features)
        The synthetic data, with the same columns.
    estimator : classifier or None, default=None
        A scikit-learn classifier with ``predict_proba`` or
        ``decision_function``; it is cloned. ``None`` uses a
        :class:`~sklearn.ensemble.HistGradientBoostingClassifier`.
    cv : int or cross-validation generator, default=3
        An int is the number of shuffled, stratified folds; identical rows
        are kept in the same fold (see Notes). A splitter gets the groups of
        identical rows as ``groups``.
    random_state : int, RandomState instance or None, default=None
        Seeds the folds and the default classifier.

    Returns
    -------
    auc : float
        The mean ROC AUC over the folds, in [0, 1]; 0.5 is ideal.

    See Also
    --------
    maximum_mean_discrepancy : A kernel two-sample statistic.

    Notes
    -----
    Identical rows share a fold: otherwise a synthetic copy of a real row
    would sit in the training folds while its original is tested, and the
    classifier, taught the opposite label, would score far below 0.5 on
    copied data. With the grouping, copies are indistinguishable and score
    0.5. Without signal, cross-validated AUCs scatter around 0.5 and lean
    below it on small samples; read values below 0.5 as 0.5.

    References
    ----------
    .. [1] D. Lopez-Paz and M. Oquab, "Revisiting Classifier Two-Sample Tests",
       ICLR 2017.

    Examples
    --------
    >>> import numpy as np
    >>> from skgen.metrics import detection_auc
    >>> rng = np.random.RandomState(0)
    >>> real = rng.normal(size=(100, 2))
    >>> bool(detection_auc(real, real + 5, random_state=0) > 0.95)
    True
    """
    (real, synthetic), kinds = _prepare(real=real, synthetic=synthetic)
    X = np.vstack(_encode([real, synthetic]))
    y = np.r_[np.zeros(len(real), dtype=int), np.ones(len(synthetic), dtype=int)]
    hashes = np.concatenate([_row_hashes(real, kinds), _row_hashes(synthetic, kinds)])
    groups = np.unique(hashes, return_inverse=True)[1]
    seed = check_random_state(random_state).randint(np.iinfo(np.int32).max)
    if estimator is None:
        estimator = HistGradientBoostingClassifier(random_state=seed)
    if isinstance(cv, Integral):
        cv = StratifiedGroupKFold(n_splits=cv, shuffle=True, random_state=seed)
    scores = cross_val_score(clone(estimator), X, y, groups=groups, cv=cv, scoring="roc_auc")
    return float(np.mean(scores))


@validate_params(
    {
        "real": ["array-like"],
        "synthetic": ["array-like"],
        "cv": [Interval(Integral, 2, None, closed="left")],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def column_detection_auc(real, synthetic, *, cv=3, random_state=None):
    """Detection AUC of each column on its own: which columns give the data away.

    For every column, a :class:`~sklearn.ensemble.HistGradientBoostingClassifier`
    sees only that column (the number, missing values included, or the
    category code) and is cross-validated at telling synthetic from real
    rows. A value far above 0.5 means the column's values alone are off: off
    the real support (1,037 where people write 1,000), missing point masses
    or the wrong missing rate, whatever the joint distribution does.

    Parameters
    ----------
    real : DataFrame or array-like of shape (n_samples, n_features)
        The real data.
    synthetic : DataFrame or array-like of shape (n_synthetic, n_features)
        The synthetic data, with the same columns.
    cv : int, default=3
        Number of shuffled, stratified folds. Rows are not grouped (one
        column has many identical values by nature).
    random_state : int, RandomState instance or None, default=None
        Seeds the folds and the classifiers.

    Returns
    -------
    aucs : Series
        The mean ROC AUC per column, indexed by column name, in column order;
        ``aucs.idxmax()`` names the worst column.

    See Also
    --------
    detection_auc : The same test on whole rows.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from skgen.metrics import column_detection_auc
    >>> rng = np.random.RandomState(0)
    >>> real = pd.DataFrame({"a": rng.normal(size=200), "b": rng.choice([0, 100], 200)})
    >>> fake = pd.DataFrame({"a": rng.normal(size=200), "b": rng.uniform(0, 100, 200)})
    >>> str(column_detection_auc(real, fake, random_state=0).idxmax())
    'b'
    """
    (real, synthetic), kinds = _prepare(real=real, synthetic=synthetic)
    y = np.r_[np.zeros(len(real), dtype=int), np.ones(len(synthetic), dtype=int)]
    seed = check_random_state(random_state).randint(np.iinfo(np.int32).max)
    folds = StratifiedKFold(n_splits=cv, shuffle=True, random_state=seed)
    aucs = {}
    for column, kind in kinds.items():
        if kind == "numeric":
            parts = [_numeric_values(frame[column]) for frame in (real, synthetic)]
        else:
            parts = [_category_codes(frame[column]).astype(np.float64) for frame in (real, synthetic)]
        X = np.concatenate(parts)[:, None]
        estimator = HistGradientBoostingClassifier(random_state=seed)
        aucs[column] = float(np.mean(cross_val_score(estimator, X, y, cv=folds, scoring="roc_auc")))
    return pd.Series(aucs, name="detection AUC", dtype=np.float64)
