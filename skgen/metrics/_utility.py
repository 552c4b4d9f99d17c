"""Utility: how useful synthetic data are for training a model."""

from __future__ import annotations

import numpy as np
from sklearn.base import clone
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.metrics import get_scorer, get_scorer_names
from sklearn.pipeline import make_pipeline
from sklearn.utils import check_random_state

from ..utils._param_validation import HasMethods, StrOptions, validate_params
from ._common import _encoder, _numeric_values, _prepare

__all__ = ["tstr_score"]


@validate_params(
    {
        "real_train": ["array-like"],
        "synthetic": ["array-like"],
        "real_test": ["array-like"],
        "target": "no_validation",
        "estimator": [HasMethods(["fit"]), None],
        "task": [StrOptions({"auto", "classification", "regression"})],
        "scoring": [StrOptions(set(get_scorer_names())), callable, None],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def tstr_score(
    real_train,
    synthetic,
    real_test,
    target,
    *,
    estimator=None,
    task="auto",
    scoring=None,
    random_state=None,
):
    """Train on synthetic, test on real (TSTR), relative to train on real.

    The same model is fitted once on the synthetic data and once on the real
    training data to predict ``target`` from the other columns; both are
    scored on the real test data. A ratio close to 1 means the synthetic data
    are as useful as the real data for this task.

    Parameters
    ----------
    real_train : DataFrame of shape (n_samples, n_features)
        The real data the generator was trained on.
    synthetic : DataFrame of shape (n_synthetic, n_features)
        The synthetic data, with the same columns.
    real_test : DataFrame of shape (n_test, n_features)
        Real data unseen by the generator, with the same columns.
    target : str or int
        The column to predict (a position ``i`` for arrays, named ``x{i}``).
    estimator : estimator or None, default=None
        A scikit-learn classifier or regressor, cloned for each fit. It gets
        the other columns encoded by a
        :class:`~skgen.preprocessing.TabularEncoder` (z-scores and one-hot
        groups). ``None`` uses a histogram gradient boosting model.
    task : {"auto", "classification", "regression"}, default="auto"
        ``"auto"`` is classification for a boolean, string, object or
        category target and regression for a numeric one (integers
        included: pass ``"classification"`` for integer-coded classes).
    scoring : str, callable or None, default=None
        A scikit-learn scorer; ``None`` is ``"accuracy"`` for classification
        and ``"r2"`` for regression.
    random_state : int, RandomState instance or None, default=None
        Seeds the default estimator.

    Returns
    -------
    scores : dict
        ``"tstr"``: the test score of the model trained on ``synthetic``;
        ``"trtr"``: the test score of the model trained on ``real_train``;
        ``"ratio"``: ``tstr / trtr`` (meaningful when ``trtr > 0``);
        ``"baseline"``: the test score of a model that ignores the features
        (the most frequent class, or the mean, of ``real_train``'s target;
        NaN when ``scoring`` cannot score that model, e.g. a scorer that
        needs ``decision_function``, which a ``DummyClassifier`` lacks);
        ``"ratio_above_baseline"``: ``(tstr - baseline) / (trtr - baseline)``,
        the share of the real data's gain over that baseline that the
        synthetic data keep (1 ideal, 0 or below: no more useful than the
        baseline; NaN when ``trtr`` does not beat the baseline or the
        baseline is NaN).

    See Also
    --------
    detection_auc : Whether synthetic rows can be told apart from real ones.

    Notes
    -----
    Rows whose target is missing are dropped from every table.

    ``"ratio"`` is not corrected for chance: on a task where the real data
    beat the baseline by little (three balanced classes: baseline 0.35, real 0.47),
    synthetic data that carry no information about the target still reach
    ``baseline / trtr`` (0.74 there). ``"ratio_above_baseline"`` reads the
    same two scores on the scale from that baseline (0) to the real data
    (1). Both come from one fit on each training table and one test table,
    so they vary with the draw: read them with their spread over seeds. A
    bootstrap of ``real_train`` is not an upper bound: it holds about 63 % of
    the distinct rows, and on tasks that are not saturated it scores below
    a fresh real sample of the same size (see
    ``docs/benchmarks_tabular.md``). SDMetrics' ML-efficacy metrics report
    the synthetic-data score alone (``tstr`` here; macro F1 for multiclass
    targets).

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from sklearn.linear_model import LinearRegression
    >>> from skgen.metrics import tstr_score
    >>> rng = np.random.RandomState(0)
    >>> x = rng.normal(size=300)
    >>> data = pd.DataFrame({"x": x, "y": 2 * x + rng.normal(scale=0.1, size=300)})
    >>> scores = tstr_score(data[:100], data[100:200], data[200:], "y",
    ...                     estimator=LinearRegression())
    >>> bool(abs(scores["ratio"] - 1) < 0.01)
    True
    """
    (real_train, synthetic, real_test), kinds = _prepare(
        real_train=real_train, synthetic=synthetic, real_test=real_test
    )
    if not isinstance(target, str) and target not in kinds and f"x{target}" in kinds:
        target = f"x{target}"
    if target not in kinds:
        raise ValueError(f"target {target!r} is not a column; the columns are {list(kinds)}.")
    if task == "auto":
        task = "classification" if kinds[target] == "categorical" else "regression"
    elif task == "regression" and kinds[target] != "numeric":
        raise ValueError(f"task='regression' needs a numeric target; {target!r} is categorical.")
    seed = check_random_state(random_state).randint(np.iinfo(np.int32).max)
    if estimator is None:
        model = (
            HistGradientBoostingClassifier
            if task == "classification"
            else (HistGradientBoostingRegressor)
        )
        estimator = model(random_state=seed)
    if scoring is None:
        scoring = "accuracy" if task == "classification" else "r2"
    scorer = get_scorer(scoring)

    def split(frame):
        frame = frame[frame[target].notna()]
        y = frame[target]
        y = y.astype(object).to_numpy() if task == "classification" else _numeric_values(y)
        return frame.drop(columns=[target]), y

    X_test, y_test = split(real_test)
    X_train, y_train = split(real_train)
    dummy = DummyClassifier() if task == "classification" else DummyRegressor()
    try:
        baseline = float(scorer(dummy.fit(X_train, y_train), X_test, y_test))
    except (AttributeError, ValueError):  # e.g. a scorer that needs decision_function
        baseline = float("nan")
    scores = {}
    for name, (X, y) in (("tstr", split(synthetic)), ("trtr", (X_train, y_train))):
        model = make_pipeline(_encoder(), clone(estimator)).fit(X, y)
        scores[name] = float(scorer(model, X_test, y_test))
    scores["ratio"] = scores["tstr"] / scores["trtr"] if scores["trtr"] else float("nan")
    scores["baseline"] = baseline
    gain = scores["trtr"] - baseline
    scores["ratio_above_baseline"] = (
        (scores["tstr"] - baseline) / gain if gain > 0 else float("nan")
    )
    return scores
