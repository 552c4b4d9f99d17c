"""Tests of the privacy metrics of skgen.metrics."""

import numpy as np
import pandas as pd
import pytest

from skgen.metrics import distance_to_closest_record, exact_copy_rate


def _table(n, seed):
    rng = np.random.RandomState(seed)
    x = rng.normal(size=n)
    x[::10] = np.nan
    return pd.DataFrame({"x": x, "y": rng.normal(size=n), "pet": rng.choice(["cat", "dog"], n)})


def test_exact_copy_rate_known_cases():
    train = _table(100, 0)
    assert exact_copy_rate(train, train) == 1.0  # missing values match missing values
    assert exact_copy_rate(train, _table(100, 1)) == 0.0
    half = pd.concat([train.iloc[:50], _table(50, 1)], ignore_index=True)
    assert exact_copy_rate(train, half) == 0.5


def test_exact_copy_rate_aligns_dtypes():
    train = pd.DataFrame({"n": [1, 2, 3], "pet": pd.Categorical(["cat", "dog", "cat"])})
    synthetic = pd.DataFrame({"n": [1.0, 3.0, -0.0], "pet": ["cat", "cat", "cat"]})
    assert exact_copy_rate(train, synthetic) == pytest.approx(2 / 3)
    assert exact_copy_rate(train.to_numpy()[:, :1].astype(float), np.array([[0.0], [2.0]])) == 0.5


def test_dcr_of_copies_and_of_fresh_samples():
    train, holdout, fresh = _table(150, 0), _table(150, 1), _table(150, 2)
    copies = distance_to_closest_record(train, train.sample(frac=1, random_state=0), holdout)
    assert copies["synthetic_median"] == 0.0 and copies["synthetic_p05"] == 0.0
    assert copies["synthetic_closer_rate"] == 1.0
    assert copies["holdout_median"] > 0
    honest = distance_to_closest_record(train, fresh, holdout)
    assert abs(honest["synthetic_closer_rate"] - 0.5) < 0.1
    assert honest["synthetic_median"] == pytest.approx(honest["holdout_median"], rel=0.3)


def test_dcr_without_holdout():
    train = _table(50, 0)
    summary = distance_to_closest_record(train, _table(30, 1))
    assert set(summary) == {"synthetic_median", "synthetic_p05"}
    assert summary["synthetic_median"] > 0
