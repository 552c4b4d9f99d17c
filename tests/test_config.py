"""The global configuration and skgen's thread policy (correctness only, no timing)."""

import numpy as np
import pytest
import torch

import skgen
from skgen import config_context, get_config, set_config
from skgen._config import auto_threads, available_cores, thread_scope, use_threads_for


@pytest.fixture
def caller_threads():
    """Run the test with 2 caller threads (conftest pins 1) and restore them after."""
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    yield 2
    torch.set_num_threads(before)


def test_public_api():
    for name in ("config_context", "get_config", "set_config"):
        assert name in skgen.__all__
    assert get_config() == {"n_threads": "auto"}


def test_set_config_and_context():
    assert get_config()["n_threads"] == "auto"
    with config_context(n_threads=3):
        assert get_config()["n_threads"] == 3
        with config_context(n_threads=-1):
            assert get_config()["n_threads"] == -1
        assert get_config()["n_threads"] == 3
        with config_context():  # None: unchanged
            assert get_config()["n_threads"] == 3
    assert get_config()["n_threads"] == "auto"
    try:
        set_config(n_threads=2)
        assert get_config()["n_threads"] == 2
        set_config()  # None: unchanged
        assert get_config()["n_threads"] == 2
    finally:
        set_config(n_threads="auto")
    with pytest.raises(ValueError):
        with config_context(n_threads=0):
            pass
    assert get_config()["n_threads"] == "auto"
    for bad in (0, -2, 1.5, "many", True):
        with pytest.raises(ValueError, match="n_threads"):
            set_config(n_threads=bad)


def test_get_config_returns_a_copy():
    config = get_config()
    config["n_threads"] = 7
    assert get_config()["n_threads"] == "auto"


def test_auto_rule():
    assert auto_threads(0) == 1
    assert auto_threads(1e6) == 1
    # ParametricTSNE/UMAP steps (~1e9 operations) stay on one thread: two threads changed
    # float32 reductions between same-seed fits
    assert auto_threads(1e9) == 1
    assert 1 <= auto_threads(1e15) <= available_cores()


def test_thread_scope_nested_and_exceptions(caller_threads):
    with thread_scope():
        assert torch.get_num_threads() == 1
        with thread_scope():
            with config_context(n_threads=2):
                use_threads_for(0)
                assert torch.get_num_threads() == 2
        assert torch.get_num_threads() == 2  # only the outermost scope restores
    assert torch.get_num_threads() == caller_threads
    with pytest.raises(RuntimeError):
        with thread_scope():
            raise RuntimeError
    assert torch.get_num_threads() == caller_threads
    use_threads_for(1e15)  # outside a scope: no effect
    assert torch.get_num_threads() == caller_threads


class _Recorder:
    """A module hook that records torch's threads while the network runs."""

    def __init__(self):
        self.seen = set()

    def __call__(self, module, args):
        self.seen.add(torch.get_num_threads())


@pytest.mark.parametrize("name", ["Autoencoder", "VAE", "WGANGP"])
def test_estimators_use_policy_and_restore(name, caller_threads):
    X = np.random.RandomState(0).randn(60, 4)
    est = getattr(skgen, name)(max_epochs=2, random_state=0)
    est.fit(X)
    assert torch.get_num_threads() == caller_threads
    recorder = _Recorder()
    est.net_.module_.register_forward_pre_hook(recorder)
    if hasattr(est, "transform"):
        est.transform(X)
        est.inverse_transform(est.transform(X))
        est.score_samples(X)
    if hasattr(est, "sample"):
        est.sample(10)
    est.partial_fit(X)
    assert recorder.seen == {1}  # a small network: one thread
    assert torch.get_num_threads() == caller_threads
    with config_context(n_threads=2):
        recorder.seen.clear()
        est.partial_fit(X)
        assert recorder.seen == {2}
    assert torch.get_num_threads() == caller_threads


def test_threads_restored_when_fit_raises(caller_threads):
    est = skgen.Autoencoder(max_epochs=2)
    with pytest.raises(ValueError):
        est.fit(np.full((10, 3), np.nan))
    assert torch.get_num_threads() == caller_threads
    with pytest.raises(Exception):
        skgen.Autoencoder(max_epochs=2, lr=1e30, random_state=0).fit(
            np.random.RandomState(0).randn(50, 3) * 1e30
        )
    assert torch.get_num_threads() == caller_threads


def test_blas_threads_limited_and_restored():
    threadpoolctl = pytest.importorskip("threadpoolctl")

    def blas_threads():
        info = threadpoolctl.threadpool_info()
        return {i["num_threads"] for i in info if i["user_api"] == "blas"}

    if not blas_threads():
        pytest.skip("no BLAS library found by threadpoolctl")
    seen = []
    est = skgen.Autoencoder(max_epochs=1, random_state=0)
    X = np.random.RandomState(0).randn(40, 3)
    with threadpoolctl.threadpool_limits(2, user_api="blas"):
        caller = blas_threads()
        est.fit(X)
        linear = next(m for m in est.net_.module_.modules() if isinstance(m, torch.nn.Linear))
        linear.register_forward_pre_hook(lambda m, a: seen.append(blas_threads()))
        est.transform(X[:5])
        assert blas_threads() == caller
    assert seen and seen[0] == {1}
