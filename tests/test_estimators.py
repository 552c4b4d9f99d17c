"""Behaviour every skgen estimator shares: reproducibility, persistence, errors."""

import pickle

import joblib
import numpy as np
import pytest
import torch
from scipy import sparse
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV
from sklearn.utils.validation import check_is_fitted

from skgen import DenoisingAE, SkgenError, TrainingDivergedError
from skgen.exceptions import ConvergenceWarning
from tests._estimators import all_instances


def _id(estimator):
    return type(estimator).__name__


def _output(est, X):
    """What a fitted estimator produces: codes for transformers, samples otherwise."""
    if hasattr(est, "transform"):
        return est.transform(X)
    return est.sample(25, random_state=0)


@pytest.fixture
def X(rng):
    return rng.randn(64, 4) @ rng.randn(4, 4)


@pytest.mark.parametrize("estimator", all_instances(max_epochs=3), ids=_id)
def test_same_random_state_same_fit(estimator, X):
    a = clone(estimator).fit(X)
    b = clone(estimator).fit(X)
    np.testing.assert_array_equal(_output(a, X), _output(b, X))
    np.testing.assert_array_equal(a.loss_curve_, b.loss_curve_)


@pytest.mark.parametrize("estimator", all_instances(max_epochs=2), ids=_id)
def test_fit_leaves_global_rng_alone(estimator, X):
    np.random.seed(123)
    torch.manual_seed(123)
    expected_np, expected_torch = np.random.rand(3), torch.rand(3)
    np.random.seed(123)
    torch.manual_seed(123)
    est = clone(estimator).fit(X)
    _output(est, X)
    np.testing.assert_array_equal(np.random.rand(3), expected_np)
    assert torch.equal(torch.rand(3), expected_torch)


@pytest.mark.parametrize("estimator", all_instances(max_epochs=2), ids=_id)
def test_pickle_and_joblib_round_trip(estimator, X, tmp_path):
    est = clone(estimator).fit(X)
    expected = _output(est, X)
    restored = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(_output(restored, X), expected)
    joblib.dump(est, tmp_path / "model.joblib")
    np.testing.assert_array_equal(_output(joblib.load(tmp_path / "model.joblib"), X), expected)


@pytest.mark.parametrize("estimator", all_instances(max_epochs=2), ids=_id)
def test_clone_of_fitted_estimator_is_unfitted(estimator, X):
    est = clone(estimator).fit(X)
    fresh = clone(est)
    assert fresh.get_params() == est.get_params()
    with pytest.raises(NotFittedError):
        check_is_fitted(fresh)


class _NaNOptimizer(torch.optim.SGD):
    """An optimizer whose step writes NaN into every parameter."""

    def step(self, closure=None):
        loss = super().step(closure)
        with torch.no_grad():
            for group in self.param_groups:
                for param in group["params"]:
                    param.fill_(float("nan"))
        return loss


@pytest.mark.parametrize("estimator", all_instances(max_epochs=3), ids=_id)
def test_diverging_training_raises_a_named_error(estimator, X):
    est = clone(estimator).set_params(optimizer=_NaNOptimizer)
    with pytest.raises(TrainingDivergedError, match=r"diverged at epoch \d+.*lower learning rate") as info:
        est.fit(X)
    assert isinstance(info.value, SkgenError) and isinstance(info.value, ValueError)
    assert info.value.epoch >= 1


@pytest.mark.parametrize("estimator", all_instances(max_epochs=2), ids=_id)
@pytest.mark.parametrize(
    "bad, error, match",
    [
        (np.array([[1.0, np.nan, 0.0, 1.0]] * 5), ValueError, "NaN"),
        (np.array([[1.0, np.inf, 0.0, 1.0]] * 5), ValueError, "infinity"),
        (np.zeros((0, 4)), ValueError, "0 sample"),
        (np.arange(5.0), ValueError, "Expected 2D array"),
        (np.ones((5, 4)) * 1j, ValueError, "Complex data not supported"),
        (sparse.csr_matrix(np.eye(5, 4)), TypeError, "(?i)sparse"),
        (np.array([["a", "b", "c", "d"]] * 5, dtype=object), ValueError, "convert"),
    ],
)
def test_bad_input_is_rejected_with_a_clear_error(estimator, bad, error, match):
    with pytest.raises(error, match=match):
        clone(estimator).fit(bad)


@pytest.mark.parametrize("estimator", all_instances(max_epochs=2), ids=_id)
def test_wrong_width_after_fit(estimator, X):
    est = clone(estimator).fit(X)
    method = est.transform if hasattr(est, "transform") else est.score
    with pytest.raises(ValueError, match="X has 3 features"):
        method(X[:, :3])


@pytest.mark.parametrize("estimator", all_instances(max_epochs=2), ids=_id)
def test_partial_fit_adds_one_epoch(estimator, X):
    if not hasattr(estimator, "partial_fit"):
        pytest.skip("no partial_fit")
    est = clone(estimator).partial_fit(X)
    assert est.n_iter_ == 1
    est.partial_fit(X)
    assert est.n_iter_ == 2 and len(est.loss_curve_) == 2


def test_partial_fit_keeps_learning(rng):
    X = rng.randn(200, 6) @ rng.randn(6, 6)
    est = DenoisingAE(2, noise_level=0.0, random_state=0).partial_fit(X)
    first = est.score(X)
    for _ in range(30):
        est.partial_fit(X)
    assert est.score(X) > first


def test_early_stopping_records_validation_curve(rng):
    X = rng.randn(200, 5)
    est = DenoisingAE(2, early_stopping=True, n_iter_no_change=3, max_epochs=300, random_state=0).fit(X)
    assert est.n_iter_ < 300
    assert est.validation_loss_curve_.shape == (est.n_iter_,)
    assert "valid_reconstruction" in est.history_[-1]
    with pytest.warns(ConvergenceWarning, match="max_epochs=2 reached"):
        DenoisingAE(2, early_stopping=True, max_epochs=2, random_state=0).fit(X)


def test_history_records_named_terms(rng):
    est = DenoisingAE(2, max_epochs=3, random_state=0).fit(rng.randn(40, 3))
    assert len(est.history_) == 3
    assert est.history_[-1, "train_reconstruction"] == pytest.approx(est.loss_curve_[-1])


def test_grid_search_parallel_matches_serial(rng):
    X = rng.randn(90, 6) @ rng.randn(6, 6)
    grid = {"n_components": [1, 3], "noise_level": [0.1, 0.3]}
    searches = [
        GridSearchCV(DenoisingAE(max_epochs=4, random_state=0), grid, cv=2, n_jobs=n_jobs).fit(X)
        for n_jobs in (1, 2)
    ]
    assert searches[0].best_params_ == searches[1].best_params_
    np.testing.assert_allclose(
        searches[0].cv_results_["mean_test_score"], searches[1].cv_results_["mean_test_score"], rtol=1e-4
    )
    assert searches[0].best_params_["n_components"] == 3


def test_device_validation(rng):
    X = rng.randn(20, 3)
    est = DenoisingAE(max_epochs=1, device="cpu", random_state=0).fit(X)
    assert est.net_.device == "cpu"
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="CUDA is not available"):
            DenoisingAE(max_epochs=1, device="cuda").fit(X)
    with pytest.raises(ValueError, match="Invalid device"):
        DenoisingAE(max_epochs=1, device="not-a-device").fit(X)


def test_verbose_shows_progress(rng, capsys):
    DenoisingAE(max_epochs=2, verbose=1, random_state=0).fit(rng.randn(20, 3))
    assert "epoch" in capsys.readouterr().err


@pytest.mark.cuda
def test_cuda_fit_then_load_on_cpu_only_machine(rng, monkeypatch):
    X = rng.randn(50, 4)
    est = DenoisingAE(2, max_epochs=3, device="cuda", random_state=0).fit(X)
    assert est.net_.device.startswith("cuda")
    expected = est.transform(X)
    blob = pickle.dumps(est)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.warns(Warning):
        restored = pickle.loads(blob)
    np.testing.assert_allclose(restored.transform(X), expected, rtol=1e-4, atol=1e-5)
