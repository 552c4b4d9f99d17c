"""ContractiveAE: the penalty it trains on, what it buys, and reconstruction."""

import numpy as np
import pytest
import torch
from sklearn.decomposition import PCA
from sklearn.model_selection import train_test_split

from skgen import ContractiveAE
from skgen.losses import jacobian_frobenius

FAST = {"lr": 5e-3, "max_epochs": 40, "random_state": 0}


@pytest.fixture(scope="module")
def split(digits):
    X, _ = digits
    return train_test_split(X, test_size=0.25, random_state=0)


@pytest.fixture(scope="module")
def cae(split):
    return ContractiveAE(10, **FAST).fit(split[0])


def _mean_jacobian_norm(est, X):
    Xn, _ = est._validate_input(X, reset=False)
    module = est.net_.module_.eval()
    with torch.no_grad():
        return jacobian_frobenius(module.encode, torch.from_numpy(Xn)).mean().item()


def test_contractive_autoencoder_beats_pca_on_held_out_digits(split, cae):
    X_train, X_test = split
    pca = PCA(10).fit(X_train)
    pca_mse = np.mean((pca.inverse_transform(pca.transform(X_test)) - X_test) ** 2)
    assert -cae.score(X_test) < 0.9 * pca_mse
    assert cae.history_[-1, "train_contractive"] > 0


def test_penalty_makes_the_code_less_sensitive_to_the_input(split, cae):
    X_train, X_test = split
    # the classic model (a sigmoid code, the whole Jacobian penalised)
    cae = ContractiveAE(10, init="random", **FAST).fit(X_train)
    free = ContractiveAE(10, contractive_weight=0.0, init="random", **FAST).fit(X_train)
    assert ((cae.transform(X_test) > 0) & (cae.transform(X_test) < 1)).all()  # sigmoid code
    assert free.history_[-1, "train_contractive"] == 0
    assert _mean_jacobian_norm(cae, X_test) < 0.7 * _mean_jacobian_norm(free, X_test)
    # ... and so to small perturbations of held-out rows
    noise = np.random.RandomState(0).normal(scale=0.5, size=X_test.shape)
    shift = [np.abs(m.transform(X_test + noise) - m.transform(X_test)).mean() for m in (cae, free)]
    assert shift[0] < shift[1]


@pytest.mark.parametrize("hidden, n_projections", [((), None), ((16,), 3)])
def test_one_layer_and_projection_variants_train(rng, hidden, n_projections):
    X = rng.randn(80, 6)
    cae = ContractiveAE(
        3, hidden_layer_sizes=hidden, n_projections=n_projections, max_epochs=3, random_state=0
    ).fit(X)
    assert np.isfinite(cae.loss_curve_).all()
    np.testing.assert_array_equal(cae.transform(X), cae.transform(X))
