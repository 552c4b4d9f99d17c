"""StackedAE: greedy pretraining is used, reproducible, and fine-tuning beats PCA."""

import numpy as np
import pytest
from sklearn.decomposition import PCA
from sklearn.model_selection import train_test_split

from skgen import Autoencoder, StackedAE

FAST = {"lr": 3e-3, "batch_size": 64, "random_state": 0}


@pytest.fixture(scope="module")
def split(digits):
    X, _ = digits
    return train_test_split(X, test_size=0.25, random_state=0)


def test_stacked_autoencoder_beats_pca_on_held_out_digits(split):
    X_train, X_test = split
    pca = PCA(10).fit(X_train)
    pca_mse = np.mean((pca.inverse_transform(pca.transform(X_test)) - X_test) ** 2)
    sae = StackedAE(10, pretrain_epochs=5, max_epochs=30, **FAST).fit(X_train)
    assert -sae.score(X_test) < 0.8 * pca_mse
    curves = sae.pretraining_loss_curves_
    assert [len(c) for c in curves] == [5, 5, 5]  # hidden layers (128, 64), then the code
    assert all(c[-1] < c[0] for c in curves)


@pytest.mark.parametrize("pretraining", ["denoising", "sparse", "plain"])
@pytest.mark.parametrize("tied_weights", [False, True])
def test_pretrained_weights_initialise_the_deep_network(split, pretraining, tied_weights):
    # After a single fine-tuning epoch, a network started from the pretrained
    # layers reconstructs far better than one started from random weights.
    X_train, X_test = split
    X_train = X_train[:500]
    params = dict(
        pretraining=pretraining,
        hidden_layer_sizes=(32,),
        tied_weights=tied_weights,
        init="random",
        max_epochs=1,
        **FAST,
    )
    pretrained = StackedAE(8, pretrain_epochs=15, **params).fit(X_train)
    random_init = StackedAE(8, pretrain_epochs=0, **params).fit(X_train)
    assert random_init.pretraining_loss_curves_ == []
    assert -pretrained.score(X_test) < 0.7 * -random_init.score(X_test)


def test_stacked_fit_is_reproducible(rng):
    X = rng.randn(120, 6)
    params = {
        "hidden_layer_sizes": (8,),
        "pretrain_epochs": 3,
        "max_epochs": 3,
        "init": "random",
        "random_state": 3,
    }
    a = StackedAE(2, **params).fit(X)
    b = StackedAE(2, **params).fit(X)
    np.testing.assert_array_equal(a.transform(X), b.transform(X))
    for ca, cb in zip(a.pretraining_loss_curves_, b.pretraining_loss_curves_):
        np.testing.assert_array_equal(ca, cb)
    c = StackedAE(2, **{**params, "random_state": 4}).fit(X)
    assert not np.array_equal(a.transform(X), c.transform(X))


def test_stacked_matches_autoencoder_architecture(rng):
    X = rng.rand(50, 5)
    params = {"hidden_layer_sizes": (4, 3), "init": "random", "max_epochs": 1}
    sae = StackedAE(2, pretrain_epochs=1, **params).fit(X)
    ae = Autoencoder(2, **params).fit(X)

    def shapes(model):
        return [p.shape for p in model.net_.module_.parameters()]

    assert shapes(sae) == shapes(ae)
    assert sae.layout_[0].kind == "binary"
