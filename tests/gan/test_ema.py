"""Generator averaging (``ema_decay``): what samples, what is saved, what is left alone."""

import pickle

import numpy as np
import pytest
import torch

from skgen import GAN, WGANGP


@pytest.fixture(scope="module")
def images():
    from sklearn.datasets import load_digits

    X, _ = load_digits(return_X_y=True)
    return X[:128] / 16.0


def _states_equal(a, b):
    a, b = a.state_dict(), b.state_dict()
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


@pytest.mark.parametrize("cls", [GAN, WGANGP])
def test_averaging_leaves_training_alone_and_counts_generator_steps(cls, rng):
    X = rng.rand(96, 5)
    kw = dict(max_epochs=2, batch_size=32, random_state=0)
    plain = cls(**kw).fit(X)
    averaged = cls(ema_decay=0.9, **kw).fit(X)
    # the trained networks are those of the plain fit: the average only watches
    assert _states_equal(plain.net_.module_, averaged.net_.module_)
    assert _states_equal(plain.net_.discriminator_, averaged.net_.discriminator_)
    avg = averaged.net_.averaged_generator_
    assert avg.n_averaged == 2 * 3  # one update per generator step (3 batches an epoch)
    assert not avg.training and not any(p.requires_grad for p in avg.parameters())
    assert not _states_equal(avg, averaged.net_.module_)
    # sampling uses the average
    assert not np.allclose(plain.sample(20, random_state=0), averaged.sample(20, random_state=0))
    assert not hasattr(plain.net_, "averaged_generator_")


def test_zero_decay_is_the_generator(rng):
    X = rng.rand(96, 5)
    kw = dict(max_epochs=2, batch_size=32, random_state=0)
    plain = GAN(**kw).fit(X)
    copy = GAN(ema_decay=0.0, **kw).fit(X)
    np.testing.assert_allclose(
        copy.sample(50, random_state=1), plain.sample(50, random_state=1), atol=1e-6
    )
    assert copy.score(X) == pytest.approx(plain.score(X), abs=1e-6)


def test_average_is_deterministic_and_persisted(images):
    sio = pytest.importorskip("skops.io")
    from skgen.utils import trusted_types

    kw = dict(
        input_shape=(1, 8, 8), channels=(4, 8), batch_norm="virtual", ema_decay=0.9,
        max_epochs=2, random_state=0,
    )
    a, b = GAN(**kw).fit(images), GAN(**kw).fit(images)
    assert _states_equal(a.net_.averaged_generator_, b.net_.averaged_generator_)
    samples = a.sample(10, random_state=0)
    np.testing.assert_array_equal(samples, b.sample(10, random_state=0))
    blob = sio.dumps(a)
    restored_models = (pickle.loads(pickle.dumps(a)), sio.loads(blob, trusted=trusted_types()))
    for restored in restored_models:
        np.testing.assert_array_equal(restored.sample(10, random_state=0), samples)
        assert restored.net_.averaged_generator_.n_averaged == a.net_.averaged_generator_.n_averaged
        assert not restored.net_.averaged_generator_.training
    # partial_fit continues the same average
    steps = a.net_.averaged_generator_.n_averaged
    a.partial_fit(images)
    assert a.net_.averaged_generator_.n_averaged == steps + steps // 2


def test_early_stopping_restores_the_average_of_the_best_epoch(rng):
    X = rng.rand(120, 3)
    gan = GAN(
        ema_decay=0.5, early_stopping=True, n_iter_no_change=2, tol=10.0, max_epochs=20,
        batch_size=32, random_state=0,
    ).fit(X)
    # tol=10: no epoch after the first counts as an improvement, so training stops after
    # 1 + patience epochs and the average of epoch 1 (3 generator steps) comes back
    assert gan.n_iter_ == 3
    assert gan.net_.averaged_generator_.n_averaged == 3


@pytest.mark.parametrize("cls", [GAN, WGANGP])
def test_pickles_from_before_ema_decay_load(cls):
    """A pickle without ``ema_decay`` (saved before the parameter existed) loads with
    its default; it samples as before and ``get_params``, ``clone``, ``repr`` and
    ``partial_fit`` work."""
    from sklearn.base import clone

    X = np.random.RandomState(0).rand(96, 4)
    model = cls(max_epochs=2, random_state=0).fit(X)
    state = model.__getstate__()
    del state["ema_decay"]
    old = cls.__new__(cls)
    old.__setstate__(state)
    assert old.get_params() == model.get_params() and clone(old).ema_decay is None
    assert cls.__name__ in repr(old)
    np.testing.assert_array_equal(old.sample(5, random_state=0), model.sample(5, random_state=0))
    old.partial_fit(X)
