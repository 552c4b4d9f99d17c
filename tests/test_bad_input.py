"""Regression tests for the root causes found by fuzzing (issue 11).

Each test pins one cause: silent garbage or a foreign exception became a
correct result or a clear error.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from skorch.callbacks import Callback

from skgen import GAN, VAE, WGANGP, Autoencoder, ConvAE
from skgen.exceptions import NonFiniteOutputError
from tests._estimators import all_instances, transformer_instances


def _id(estimator):
    return type(estimator).__name__


# 1. Huge (or tiny) values: scales computed without overflow, never non-finite output.
@pytest.mark.parametrize("magnitude", [1e200, 1e-200])
def test_extreme_magnitudes_are_scaled_stably(magnitude, rng):
    X = rng.randn(80, 4) * magnitude
    gan = WGANGP(max_epochs=3, random_state=0).fit(X)
    samples = gan.sample(50, random_state=0)
    assert np.isfinite(samples).all()
    # the samples live on the data's scale, not at +-inf or at 0
    assert 0.01 < (samples / magnitude).std() < 100
    ae = Autoencoder(2, max_epochs=3, random_state=0).fit(X)
    assert np.isfinite(ae.transform(X)).all()
    assert len(np.unique(ae.transform(X)[:, 0])) > 1
    assert np.isfinite(ae.inverse_transform(ae.transform(X))).all()


def test_outputs_that_overflow_raise_instead_of_returning_inf(rng):
    X = rng.randn(60, 3) * 1e300
    ae = Autoencoder(2, max_epochs=2, random_state=0).fit(X)
    with pytest.raises(NonFiniteOutputError, match="not finite.*Rescale"):
        ae.score(X)  # squared errors of ~1e300 overflow float64
    with pytest.raises(NonFiniteOutputError):
        # init="random": codes in the network's units (with "pca" they are on the scale of
        # PCA's scores, ~1e300 here, and 1e30 is a small code)
        Autoencoder(2, init="random", max_epochs=2, random_state=0).fit(X).inverse_transform(
            np.full((2, 2), 1e30)
        )
    with pytest.raises(ValueError, match="overflow the network's float32 input"):
        Autoencoder(2, max_epochs=2, random_state=0).fit(rng.randn(60, 3)).transform(X)


# 2. Integer (non-string) column names are checked too.
def test_reordered_integer_columns_are_rejected(rng):
    frame = pd.DataFrame(rng.randn(50, 3))
    vae = VAE(2, max_epochs=2, random_state=0).fit(frame)
    vae.transform(frame)
    with pytest.raises(ValueError, match="feature names should match"):
        vae.transform(frame[[1, 0, 2]])


# 3. KeyboardInterrupt: propagates, the estimator is consistent, the epoch in progress dropped.
class _Interrupt(Callback):
    def __init__(self, at_batch):
        self.at_batch = at_batch

    def on_train_begin(self, net, **kwargs):
        self.count = 0

    def on_batch_end(self, net, **kwargs):
        self.count += 1
        if self.count == self.at_batch:
            raise KeyboardInterrupt


def _interruptible(estimator, at_batch):
    return estimator.set_params(callbacks=[("interrupt", _Interrupt(at_batch))])


@pytest.mark.parametrize("estimator", all_instances(max_epochs=5, batch_size=32), ids=_id)
def test_keyboard_interrupt_in_first_epoch_leaves_estimator_unfitted(estimator, rng):
    est = _interruptible(clone(estimator), at_batch=1)
    with pytest.raises(KeyboardInterrupt):
        est.fit(rng.randn(64, 4))
    with pytest.raises(NotFittedError):
        est.transform(rng.randn(3, 4)) if hasattr(est, "transform") else est.sample(2)
    assert not [k for k in vars(est) if k.endswith("_") and not k.startswith("_")]


@pytest.mark.parametrize("estimator", all_instances(max_epochs=5, batch_size=32), ids=_id)
def test_keyboard_interrupt_later_keeps_completed_epochs(estimator, rng):
    X = rng.randn(64, 4)
    est = _interruptible(clone(estimator), at_batch=5)  # 2 batches per epoch: during epoch 3
    with pytest.warns(UserWarning, match="interrupted"), pytest.raises(KeyboardInterrupt):
        est.fit(X)
    assert est.n_iter_ == 2 and len(est.loss_curve_) == 2
    assert all("train_loss" in row for row in est.history_)
    out = est.transform(X) if hasattr(est, "transform") else est.sample(5, random_state=0)
    assert np.isfinite(np.asarray(out, dtype=float)).all()


# 4. sample(conditions=...) with missing or nested values: a clear error.
@pytest.fixture(scope="module")
def tabular_gan():
    rng = np.random.RandomState(0)
    frame = pd.DataFrame({"a": rng.randn(60), "c": rng.choice(["x", "y"], 60)})
    return GAN(max_epochs=2, random_state=0).fit(frame)


@pytest.mark.parametrize(
    "value, match",
    [
        (pd.NA, "Unknown value"),
        (np.nan, "Unknown value"),
        ([["x"], ["y"], ["x"]], "1-D sequence"),
        ([["x", "y"], ["x"], ["y"]], "Unknown value"),
    ],
)
def test_bad_condition_values_get_a_clear_error(tabular_gan, value, match):
    with pytest.raises(ValueError, match=match):
        tabular_gan.sample(3, conditions={"c": value})


# 5. A DataFrame without columns.
@pytest.mark.parametrize("estimator", all_instances(max_epochs=2), ids=_id)
def test_frame_without_columns(estimator):
    with pytest.raises(ValueError, match="0 feature"):
        clone(estimator).fit(pd.DataFrame(index=range(5)))


# 6. DataFrame in, DataFrame out (numeric frames too), with the fitted dtypes.
@pytest.mark.parametrize("estimator", [e for e in all_instances(max_epochs=2) if hasattr(e, "sample")], ids=_id)
def test_numeric_frame_round_trips_as_frame(estimator, rng):
    frame = pd.DataFrame(
        {"n": rng.randint(0, 100, 64).astype(np.int32), "x": rng.randn(64), "f": rng.randn(64).astype(np.float32)}
    )
    est = clone(estimator).fit(frame)
    out = est.sample(5, random_state=0)
    assert isinstance(out, pd.DataFrame)
    assert list(out.columns) == ["n", "x", "f"]
    assert out.dtypes.tolist() == frame.dtypes.tolist()


def test_inverse_transform_returns_the_fitted_frame(rng):
    frame = pd.DataFrame({0: rng.randn(40), 1: rng.randint(0, 5, 40)})
    ae = Autoencoder(1, max_epochs=2, random_state=0).fit(frame)
    out = ae.inverse_transform(ae.transform(frame))
    assert isinstance(out, pd.DataFrame) and list(out.columns) == [0, 1]
    assert out[1].dtype == np.int64


def test_integer_columns_near_the_int64_limits_stay_in_range():
    from skgen.utils._validation import _to_frame

    big = np.iinfo(np.int64).max
    out = _to_frame(np.array([[9.3e18], [-9.3e18], [1.0]]), ["a"], ["int64"])
    assert out["a"].tolist()[2] == 1
    assert out["a"].iloc[0] > 0 and out["a"].iloc[0] <= big and out["a"].iloc[1] < 0


# 8. get_feature_names_out before fit.
@pytest.mark.parametrize("estimator", transformer_instances(), ids=_id)
def test_get_feature_names_out_before_fit_raises(estimator):
    with pytest.raises(NotFittedError):
        clone(estimator).get_feature_names_out()


# 9. ConvAE (and preprocessor=None) on non-numeric data: what to do instead.
@pytest.mark.parametrize(
    "frame",
    [
        pd.DataFrame({"a": ["x", "y"] * 4, "b": [1.0] * 8}),
        pd.DataFrame({"a": pd.date_range("2020", periods=8), "b": [1.0] * 8}),
    ],
    ids=["strings", "datetimes"],
)
def test_convae_on_tabular_frames_explains(frame):
    with pytest.raises(ValueError, match="ConvAE takes numeric arrays.*Autoencoder or VAE"):
        ConvAE(max_epochs=1).fit(frame)
    with pytest.raises(ValueError, match="preprocessor='auto'"):
        Autoencoder(max_epochs=1, preprocessor=None).fit(frame)
