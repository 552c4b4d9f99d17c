"""Safe persistence: the fitted state is plain data, skops loads it, GPU models load on CPU."""

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import clone

from skgen import GAN, VAE, WGANGP, DenoisingAE
from skgen.utils import trusted_types
from tests._estimators import all_instances

sio = pytest.importorskip("skops.io")


def _id(estimator):
    return type(estimator).__name__


def _output(est, X):
    if hasattr(est, "transform"):
        return est.transform(X)
    return est.sample(7, random_state=0)


def _assert_plain(value, path="state"):
    """Only plain Python data, numpy arrays/random states and skgen or sklearn objects."""
    if isinstance(value, (str, bytes, bool, int, float, type(None), np.ndarray, np.generic, np.dtype)):
        return
    if isinstance(value, np.random.RandomState):
        return
    if isinstance(value, dict):
        for key, item in value.items():
            _assert_plain(item, f"{path}[{key!r}]")
        return
    if isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            _assert_plain(item, f"{path}[{i}]")
        return
    module = type(value).__module__
    assert module.startswith(("skgen.", "sklearn.")), f"{path} is a {module}.{type(value).__name__}"
    assert not isinstance(value, (torch.Tensor, torch.nn.Module)), path
    state = value.__getstate__() if hasattr(value, "__getstate__") else vars(value)
    if isinstance(state, dict):
        _assert_plain(state, path)


@pytest.fixture
def X(rng):
    return rng.randn(64, 4) @ rng.randn(4, 4)


@pytest.mark.parametrize("estimator", all_instances(max_epochs=2), ids=_id)
def test_state_is_plain_data_and_skops_loads_it(estimator, X):
    est = clone(estimator).fit(X)
    _assert_plain(est.__getstate__())
    blob = sio.dumps(est)
    untrusted = sio.get_untrusted_types(data=blob)
    assert set(untrusted) <= set(trusted_types()), set(untrusted) - set(trusted_types())
    restored = sio.loads(blob, trusted=trusted_types())
    np.testing.assert_array_equal(_output(restored, X), _output(est, X))
    assert restored.n_iter_ == est.n_iter_
    np.testing.assert_array_equal(restored.loss_curve_, est.loss_curve_)


@pytest.mark.parametrize("model", [VAE, WGANGP])
def test_tabular_model_round_trips_through_skops(model):
    rng = np.random.RandomState(0)
    frame = pd.DataFrame(
        {
            "x": rng.randn(60),
            "n": rng.randint(0, 9, 60).astype(np.int32),
            "c": rng.choice(["a", "b", None], 60),
            "k": pd.Categorical(rng.choice(["p", "q"], 60)),
        }
    )
    est = model(max_epochs=2, random_state=0).fit(frame)
    restored = sio.loads(sio.dumps(est), trusted=trusted_types())
    pd.testing.assert_frame_equal(
        restored.sample(9, random_state=1, conditions={"k": "q"}),
        est.sample(9, random_state=1, conditions={"k": "q"}),
    )
    assert restored.sample(3).dtypes.tolist() == frame.dtypes.tolist()


def test_conditional_gan_round_trips_through_skops(rng):
    X, y = rng.randn(60, 3), rng.choice(["u", "v"], 60)
    est = GAN(max_epochs=2, random_state=0).fit(X, y)
    restored = sio.loads(sio.dumps(est), trusted=trusted_types())
    np.testing.assert_array_equal(restored.sample(5, y="v", random_state=0), est.sample(5, y="v", random_state=0))
    np.testing.assert_array_equal(restored.classes_, est.classes_)


@pytest.mark.parametrize("estimator", all_instances(max_epochs=2), ids=_id)
def test_training_continues_identically_after_a_round_trip(estimator, X):
    if not hasattr(estimator, "partial_fit"):
        pytest.skip("no partial_fit")
    est = clone(estimator).fit(X)
    restored = pickle.loads(pickle.dumps(est))
    est.partial_fit(X)
    restored.partial_fit(X)
    np.testing.assert_array_equal(restored.loss_curve_, est.loss_curve_)
    np.testing.assert_array_equal(_output(restored, X), _output(est, X))


def test_model_saved_on_a_gpu_loads_on_a_cpu(X):
    """A state saved from CUDA (simulated: only the recorded device differs) loads on CPU."""
    est = DenoisingAE(2, max_epochs=2, random_state=0).fit(X)
    state = est.__getstate__()
    state["_net_state"]["device"] = "cuda:0"
    restored = DenoisingAE.__new__(DenoisingAE)
    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    with pytest.warns(UserWarning, match="loaded on the CPU"):
        restored.__setstate__(state)
    assert restored.net_.device == "cpu"
    np.testing.assert_array_equal(restored.transform(X), est.transform(X))


def test_trusted_types_lists_only_skgen_types():
    types = trusted_types()
    assert types == sorted(types) and all(t.startswith("skgen.") for t in types)
    assert "skgen.autoencoder._vae.VAE" in types


def test_loading_does_not_touch_the_global_rng(X):
    est = DenoisingAE(2, max_epochs=2, random_state=0).fit(X)
    blob = pickle.dumps(est)
    torch.manual_seed(5)
    expected = torch.rand(3)
    torch.manual_seed(5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pickle.loads(blob)
    assert torch.equal(torch.rand(3), expected)
