"""Tests of skgen.metrics.tstr_score."""

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LinearRegression, LogisticRegression
from threadpoolctl import threadpool_limits

from skgen.metrics import tstr_score


@pytest.fixture(autouse=True)
def _one_thread():
    with threadpool_limits(1):
        yield


def _table(n, seed):
    rng = np.random.RandomState(seed)
    x = rng.normal(size=n)
    pet = rng.choice(["cat", "dog"], n)
    return pd.DataFrame(
        {
            "x": x,
            "pet": pet,
            "y": 2 * x + (pet == "dog") + rng.normal(scale=0.3, size=n),
            "label": np.where(x + rng.normal(scale=0.3, size=n) > 0, "high", "low"),
        }
    )


def test_ratio_is_about_one_for_a_real_sample():
    train, synthetic, test = _table(200, 0), _table(200, 1), _table(200, 2)
    scores = tstr_score(train, synthetic, test, "y", estimator=LinearRegression())
    assert set(scores) == {"tstr", "trtr", "ratio", "baseline", "ratio_above_baseline"}
    assert scores["ratio_above_baseline"] == pytest.approx(1.0, abs=0.03)
    assert scores["trtr"] > 0.8
    assert scores["ratio"] == pytest.approx(1.0, abs=0.03)
    scores = tstr_score(train, synthetic, test, "label", estimator=LogisticRegression())
    assert scores["ratio"] == pytest.approx(1.0, abs=0.05)


def test_default_estimator_and_task():
    train, test = _table(150, 0), _table(150, 2)
    scores = tstr_score(train, train, test, "label", random_state=0)
    assert scores["tstr"] == scores["trtr"] and scores["ratio"] == 1.0
    assert 0.5 < scores["tstr"] <= 1.0  # accuracy


def test_useless_synthetic_data_score_low():
    train, test = _table(200, 0), _table(200, 2)
    rng = np.random.RandomState(3)
    noise = train.assign(y=rng.permutation(train["y"].to_numpy()))
    scores = tstr_score(train, noise, test, "y", estimator=LinearRegression())
    assert scores["ratio"] < 0.2


def test_task_scoring_and_errors():
    train, test = _table(100, 0), _table(100, 2)
    scores = tstr_score(
        train, train, test, "label", estimator=LogisticRegression(), scoring="roc_auc"
    )
    assert scores["trtr"] > 0.9
    with pytest.raises(ValueError, match="target 'nope' is not a column"):
        tstr_score(train, train, test, "nope")
    with pytest.raises(ValueError, match="task='regression' needs a numeric target"):
        tstr_score(train, train, test, "label", task="regression")


def test_ratio_above_baseline_sees_through_a_weak_task():
    # Three classes, weakly predictable: the real data beat the majority class by little,
    # so shuffled labels (no information) keep most of the plain ratio but none of the gain.
    rng = np.random.RandomState(0)

    def table(n):
        x = rng.normal(size=(n, 2))
        s = x[:, 0] + rng.normal(scale=1.5, size=n)
        label = np.where(s > 1.2, "a", np.where(s < -1.2, "b", "c"))
        return pd.DataFrame({"x0": x[:, 0], "x1": x[:, 1], "label": label})

    train, test = table(600), table(600)
    shuffled = train.assign(label=rng.permutation(train["label"].to_numpy()))
    scores = tstr_score(train, shuffled, test, "label", estimator=LogisticRegression())
    assert scores["baseline"] == pytest.approx((test["label"] == "c").mean())
    assert scores["trtr"] - scores["baseline"] > 0.05
    assert scores["ratio"] > 0.85
    assert scores["ratio_above_baseline"] < 0.1
    real = tstr_score(train, table(600), test, "label", estimator=LogisticRegression())
    assert real["ratio_above_baseline"] > 0.8


def test_a_scorer_the_baseline_cannot_use_leaves_the_baseline_nan():
    """A scorer that needs ``decision_function`` (which the baseline's
    ``DummyClassifier`` lacks) still scores the two models; only the baseline and
    ``ratio_above_baseline`` are NaN."""
    from sklearn.metrics import make_scorer, roc_auc_score

    rng = np.random.RandomState(0)

    def table(n):
        x = rng.normal(size=(n, 2))
        y = np.where(x[:, 0] + rng.normal(size=n) > 0, "p", "q")
        return pd.DataFrame({"a": x[:, 0], "b": x[:, 1], "y": y})

    scorer = make_scorer(roc_auc_score, response_method="decision_function")
    scores = tstr_score(
        table(200), table(200), table(200), "y", estimator=LogisticRegression(), scoring=scorer
    )
    assert scores["trtr"] > 0.75 and scores["tstr"] > 0.75  # the signal is in "a"
    assert abs(scores["ratio"] - 1) < 0.05
    assert np.isnan(scores["baseline"]) and np.isnan(scores["ratio_above_baseline"])
