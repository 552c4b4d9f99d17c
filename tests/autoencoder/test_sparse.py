"""SparseAE: k-sparse, KL and L1 codes; overcomplete codes; reconstruction."""

import numpy as np
import pytest
import torch
from sklearn.decomposition import PCA
from sklearn.model_selection import train_test_split

from skgen import SparseAE
from skgen.nn import TopK

FAST = {"lr": 3e-3, "batch_size": 64, "random_state": 0}


@pytest.fixture(scope="module")
def split(digits):
    X, _ = digits
    return train_test_split(X, test_size=0.25, random_state=0)


def test_top_k_keeps_exactly_k_values():
    h = torch.randn(50, 12, generator=torch.Generator().manual_seed(0))
    out = TopK(3)(h)
    assert ((out != 0).sum(dim=1) == 3).all()
    kept = torch.where(out != 0, h, torch.full_like(h, -torch.inf))
    assert torch.equal(kept.topk(3, dim=1).values, h.topk(3, dim=1).values)
    assert torch.equal(TopK(20)(h), h)


def test_k_sparse_overcomplete_code_has_exactly_k_nonzeros(split):
    X_train, X_test = split
    ae = SparseAE(100, sparsity="k_sparse", k=7, max_epochs=4, **FAST).fit(X_train)
    assert ae.n_components > X_train.shape[1]
    assert ae.net_.module_.code_activation.k == 7  # the schedule's end, forced after fit
    codes = ae.transform(X_test)
    assert codes.shape == (len(X_test), 100)
    np.testing.assert_array_equal((codes != 0).sum(axis=1), 7)
    np.testing.assert_array_equal(codes, ae.transform(X_test))
    # the schedule starts with every unit and lowers k linearly over max_epochs // 2 epochs
    schedule = dict(ae.net_.callbacks)["k_schedule"]
    assert [schedule.value(e) for e in (1, 2, 3)] == [100, 54, 7]


def test_k_larger_than_code_is_an_error(rng):
    with pytest.raises(ValueError, match="k=5 exceeds n_components=4"):
        SparseAE(4, sparsity="k_sparse", k=5, max_epochs=1).fit(rng.randn(20, 3))


def test_kl_sparsity_pulls_mean_activation_to_the_target(split):
    X_train, X_test = split
    X_train = X_train[:600]
    common = dict(sparsity="kl", sparsity_target=0.05, max_epochs=30, **FAST)
    sparse = SparseAE(32, **common).fit(X_train)
    dense = SparseAE(32, sparsity_weight=0.0, **common).fit(X_train)
    rho_sparse = sparse.transform(X_test).mean(axis=0)
    rho_dense = dense.transform(X_test).mean(axis=0)
    assert rho_sparse.mean() < 0.15 < rho_dense.mean()
    assert np.median(rho_sparse) < 0.1


def test_l1_weight_controls_the_number_of_zeros(split):
    X_train, X_test = split
    X_train = X_train[:600]
    zeros = []
    for weight in (0.0, 0.1):
        ae = SparseAE(
            80, sparsity="l1", sparsity_weight=weight, init="random", max_epochs=20, **FAST
        )
        zeros.append((ae.fit(X_train).transform(X_test) == 0).mean())
    assert zeros[1] > zeros[0] + 0.2


def test_l1_sparse_autoencoder_beats_pca_on_held_out_digits(split):
    X_train, X_test = split
    pca = PCA(10).fit(X_train)
    pca_mse = np.mean((pca.inverse_transform(pca.transform(X_test)) - X_test) ** 2)
    ae = SparseAE(10, sparsity="l1", max_epochs=40, **FAST).fit(X_train)
    assert -ae.score(X_test) < 0.9 * pca_mse
    # PCA-initialised codes start dense (a shifted PCA score); the penalty thins them.
    assert (ae.transform(X_test) == 0).mean() > 0.01
    assert {"train_reconstruction", "train_sparsity"} <= set(ae.history_[-1])
