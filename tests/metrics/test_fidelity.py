"""Tests of the fidelity metrics of skgen.metrics on hand-made cases."""

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

from skgen.metrics import (
    association_matrix,
    column_shape_score,
    correlation_difference,
    detection_auc,
    ks_statistic,
    maximum_mean_discrepancy,
    total_variation_distance,
)


@pytest.fixture(autouse=True)
def _one_thread():
    """OpenMP thread pools oversubscribe small CI machines; one thread is faster here."""
    with threadpool_limits(1):
        yield


def _table(n=200, seed=0, shift=0.0):
    rng = np.random.RandomState(seed)
    x = rng.normal(size=n) + shift
    return pd.DataFrame(
        {
            "x": x,
            "n": rng.poisson(5, size=n),
            "when": pd.Timestamp("2024-01-01")
            + pd.to_timedelta(rng.randint(0, 1000, n), unit="h"),
            "pet": pd.Categorical(rng.choice(["cat", "dog", "emu"], n, p=[0.5, 0.3, 0.2])),
            "flag": x + rng.normal(scale=0.5, size=n) > 0,
            "name": pd.Series(rng.choice(["ann", "bob"], n), dtype="str"),
        }
    )


def test_identical_tables_score_ideally():
    real = _table()
    assert ks_statistic(real, real).to_dict() == {"x": 0.0, "n": 0.0, "when": 0.0}
    assert total_variation_distance(real, real).to_dict() == {"pet": 0.0, "flag": 0.0, "name": 0.0}
    assert column_shape_score(real, real) == 1.0
    assert correlation_difference(real, real) == 0.0


def test_disjoint_tables_score_worst():
    real = pd.DataFrame({"x": np.arange(50.0), "pet": ["cat"] * 50})
    other = pd.DataFrame({"x": np.arange(50.0) + 100, "pet": ["dog"] * 50})
    assert ks_statistic(real, other)["x"] == 1.0
    assert total_variation_distance(real, other)["pet"] == 1.0
    assert column_shape_score(real, other) == 0.0


def test_ks_on_a_known_case_and_missing_values():
    real = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0, np.nan], "y": [np.nan] * 5})
    synthetic = pd.DataFrame({"x": [3.0, 4.0, 5.0, 6.0], "y": [1.0, 2.0, 3.0, 4.0]})
    scores = ks_statistic(real, synthetic)
    assert scores["x"] == pytest.approx(0.5)  # missing values are ignored
    assert scores["y"] == 1.0  # only missing in one table


def test_tvd_counts_missing_values_as_a_level():
    real = pd.DataFrame({"pet": ["cat", "dog", None, None]})
    synthetic = pd.DataFrame({"pet": pd.Categorical(["cat", "dog", "dog", "dog"])})
    assert total_variation_distance(real, synthetic)["pet"] == pytest.approx(0.5)


def test_metrics_accept_arrays():
    X = np.arange(20.0).reshape(10, 2)
    assert ks_statistic(X, X).index.tolist() == ["x0", "x1"]
    assert column_shape_score(X, X + 100) == 0.0


def test_association_matrix_known_values():
    rng = np.random.RandomState(0)
    pet = rng.choice(["cat", "dog", "emu"], 90)
    x = rng.normal(size=90)
    data = pd.DataFrame(
        {
            "x": x,
            "minus_x": -x,
            "pet": pet,
            "same_pet": pet,
            "pet_code": pd.Series(pet).map({"cat": 0.0, "dog": 5.0, "emu": 9.0}),
        }
    )
    matrix = association_matrix(data)
    np.testing.assert_allclose(matrix.to_numpy(), matrix.to_numpy().T)
    assert matrix.loc["x", "minus_x"] == pytest.approx(-1.0)
    assert matrix.loc["pet", "same_pet"] == pytest.approx(1.0)  # Cramér's V
    assert matrix.loc["pet", "pet_code"] == pytest.approx(1.0)  # correlation ratio
    assert abs(matrix.loc["x", "pet"]) < 0.3


def test_correlation_difference_detects_broken_dependence():
    rng = np.random.RandomState(0)
    x = rng.normal(size=100)
    real = pd.DataFrame({"x": x, "y": x})
    assert correlation_difference(real, pd.DataFrame({"x": x, "y": -x})) == pytest.approx(2.0)
    pets = rng.choice(["cat", "dog"], 100)
    real = pd.DataFrame({"a": pets, "b": pets})
    independent = pd.DataFrame({"a": pets, "b": rng.permutation(pets)})
    assert correlation_difference(real, independent) > 0.8
    assert np.isnan(correlation_difference(real[["a"]], real[["a"]]))


def test_mmd_same_distribution_near_zero_and_shift_large():
    real, same, shifted = _table(seed=0), _table(seed=1), _table(seed=2, shift=3.0)
    close = maximum_mean_discrepancy(real, same, random_state=0)
    far = maximum_mean_discrepancy(real, shifted, random_state=0)
    assert abs(close) < 0.02
    assert far > 10 * max(abs(close), 1e-3)
    for kernel in ["laplacian", "linear"]:
        assert maximum_mean_discrepancy(real, shifted, kernel=kernel) > abs(
            maximum_mean_discrepancy(real, same, kernel=kernel)
        )


def test_mmd_subsamples_with_max_samples():
    real, same = _table(n=300, seed=0), _table(n=300, seed=1)
    a = maximum_mean_discrepancy(real, same, max_samples=50, random_state=0)
    b = maximum_mean_discrepancy(real, same, max_samples=50, random_state=0)
    assert a == b
    with pytest.raises(ValueError, match="at least 2 rows"):
        maximum_mean_discrepancy(real.iloc[:1], same)


def test_detection_auc_known_cases():
    real, same, shifted = _table(seed=0), _table(seed=1), _table(seed=2, shift=4.0)
    assert abs(detection_auc(real, same, random_state=0) - 0.5) < 0.12
    assert detection_auc(real, shifted, random_state=0) > 0.95
    # exact copies are indistinguishable: identical rows share a fold
    assert detection_auc(real, real, random_state=0) == pytest.approx(0.5)
    logistic = detection_auc(real, shifted, estimator=LogisticRegression(), cv=2, random_state=0)
    assert logistic > 0.95


def test_mismatched_tables_raise():
    real = pd.DataFrame({"x": [1.0, 2.0], "pet": ["cat", "dog"]})
    with pytest.raises(ValueError, match=r"missing \['pet'\], unexpected \['dog'\]"):
        ks_statistic(real, pd.DataFrame({"x": [1.0], "dog": [1.0]}))
    with pytest.raises(ValueError, match="Column 'pet' has incompatible dtypes"):
        ks_statistic(real, pd.DataFrame({"x": [1.0], "pet": [1.0]}))
    with pytest.raises(ValueError, match="synthetic is empty"):
        ks_statistic(real, real.iloc[:0])


def test_column_detection_auc_names_the_off_support_column():
    from skgen.metrics import column_detection_auc

    rng = np.random.RandomState(0)
    real = pd.DataFrame(
        {"a": rng.normal(size=300), "b": rng.choice([0.0, 50.0, 100.0], 300), "c": rng.choice(["x", "y"], 300)}
    )
    fake = pd.DataFrame(
        {"a": rng.normal(size=300), "b": rng.uniform(0, 100, 300), "c": rng.choice(["x", "y"], 300)}
    )
    aucs = column_detection_auc(real, fake, random_state=0)
    assert list(aucs.index) == ["a", "b", "c"] and aucs.idxmax() == "b"
    assert aucs["b"] > 0.95 and aucs["a"] < 0.65 and aucs["c"] < 0.65
