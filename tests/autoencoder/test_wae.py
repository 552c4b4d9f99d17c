"""WAE: MMD and latent-GAN penalties, reconstruction and samples on digits."""

import numpy as np
import pytest
import torch
from sklearn.decomposition import PCA
from sklearn.model_selection import train_test_split
from sklearn.neighbors import NearestNeighbors

from skgen import WAE
from skgen.losses import mmd

FAST = {"lr": 3e-3, "batch_size": 64, "random_state": 0}


@pytest.fixture(scope="module")
def split(digits):
    X, _ = digits
    return train_test_split(X, test_size=0.25, random_state=0)


def _one_nn_accuracy(A, B):
    """Leave-one-out 1-NN accuracy telling A from B: 0.5 when indistinguishable."""
    Z = np.r_[A, B]
    label = np.r_[np.zeros(len(A)), np.ones(len(B))]
    neighbour = NearestNeighbors(n_neighbors=2).fit(Z).kneighbors(Z)[1][:, 1]
    return np.mean(label[neighbour] == label)


@pytest.mark.parametrize("penalty", ["mmd", "gan"])
def test_wae_reconstructs_and_samples_better_than_pca(split, penalty):
    X_train, X_test = split
    pca = PCA(10).fit(X_train)
    pca_mse = np.mean((pca.inverse_transform(pca.transform(X_test)) - X_test) ** 2)
    wae = WAE(10, penalty=penalty, max_epochs=30, **FAST).fit(X_train)
    assert -wae.score(X_test) < 0.85 * pca_mse

    Z = pca.transform(X_train)
    rng = np.random.RandomState(0)
    baseline = pca.inverse_transform(
        rng.multivariate_normal(Z.mean(0), np.cov(Z.T), size=len(X_test))
    )
    samples = wae.sample(len(X_test), random_state=0)
    assert _one_nn_accuracy(samples, X_test) < _one_nn_accuracy(baseline, X_test) - 0.05

    # the codes of held-out rows follow the prior
    codes = torch.from_numpy(wae.transform(X_test))
    prior = torch.randn(codes.shape, generator=torch.Generator().manual_seed(0), dtype=codes.dtype)
    far = prior + 1.0
    assert mmd(codes, prior).item() < 0.2 * mmd(far, prior).item()

    history = wae.history_[-1]
    if penalty == "gan":
        assert {"train_adversarial", "train_discriminator_loss"} <= set(history)
        assert hasattr(wae.net_, "discriminator_") and hasattr(wae.net_, "discriminator_optimizer_")
    else:
        assert "train_mmd" in history


def test_gan_penalty_updates_the_discriminator_with_its_own_optimizer(rng):
    X = rng.randn(64, 5)
    wae = WAE(2, penalty="gan", max_epochs=1, random_state=0).fit(X)
    net = wae.net_
    module_params = {id(p) for p in net.module_.parameters()}
    disc_params = {id(p) for p in net.discriminator_.parameters()}
    main = {id(p) for group in net.optimizer_.param_groups for p in group["params"]}
    disc = {id(p) for group in net.discriminator_optimizer_.param_groups for p in group["params"]}
    assert main == module_params and disc == disc_params
    before = [p.detach().clone() for p in net.discriminator_.parameters()]
    wae.partial_fit(X)
    assert any(not torch.equal(a, b) for a, b in zip(before, net.discriminator_.parameters()))


def test_wae_transform_and_sample_are_deterministic(rng):
    X = rng.randn(50, 4)
    wae = WAE(2, max_epochs=2, random_state=0).fit(X)
    np.testing.assert_array_equal(wae.transform(X), wae.transform(X))
    np.testing.assert_array_equal(wae.sample(5, random_state=1), wae.sample(5, random_state=1))
    assert not np.array_equal(wae.sample(5), wae.sample(5))  # the estimator's own stream moves


def test_lbfgs_is_refused_with_the_gan_penalty(rng):
    with pytest.raises(ValueError, match="lbfgs"):
        WAE(2, penalty="gan", optimizer="lbfgs", max_epochs=1).fit(rng.randn(20, 3))


@pytest.mark.parametrize("container", ["ndarray", "dataframe"])
def test_pickles_from_before_the_sampling_parameter_load(rng, container):
    """A fitted WAE pickled before ``sampling`` and the residual noise (no ``sampling``,
    ``_sample_noise_std`` or ``_latent_mixture``) loads and samples the prior without
    noise, as it did; ``get_params``, ``clone`` and ``repr`` work."""
    import pickle

    import pandas as pd
    from sklearn.base import clone

    X = rng.randn(60, 3)
    if container == "dataframe":
        X = pd.DataFrame({"a": X[:, 0], "b": X[:, 1], "c": np.where(X[:, 2] > 0, "u", "v")})
    wae = WAE(2, max_epochs=2, random_state=0).fit(X)
    state = pickle.loads(pickle.dumps(wae)).__getstate__()
    for key in ("sampling", "_sample_noise_std", "_latent_mixture"):
        del state[key]
    old = WAE.__new__(WAE)
    old.__setstate__(state)
    assert old.get_params()["sampling"] == "auto"
    assert clone(old).get_params() == wae.get_params() and "WAE" in repr(old)
    prior = pickle.loads(pickle.dumps(wae))
    prior._latent_mixture, prior._sample_noise_std = None, None
    a, b = old.sample(5, random_state=0), prior.sample(5, random_state=0)
    if container == "dataframe":
        pd.testing.assert_frame_equal(a, b)
    else:
        np.testing.assert_allclose(a, b)
