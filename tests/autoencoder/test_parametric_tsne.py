"""ParametricTSNE: perplexity calibration, the batch KL, exaggeration, held-out quality."""

import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KNeighborsClassifier

from skgen import ParametricTSNE
from skgen.autoencoder._neighbour_graphs import nearest_neighbors, perplexity_affinities
from skgen.losses import student_t_log_kernel, tsne_block_kl


def test_perplexity_is_calibrated_and_rows_sum_to_one():
    rng = np.random.RandomState(0)
    X = rng.randn(300, 6)
    idx, dist = nearest_neighbors(X, 45)
    P, conditional = perplexity_affinities(idx, dist, perplexity=15.0)
    np.testing.assert_allclose(conditional.sum(axis=1), 1.0, atol=1e-12)
    entropy = -(conditional * np.log(np.maximum(conditional, 1e-300))).sum(axis=1)
    np.testing.assert_allclose(np.exp(entropy), 15.0, rtol=1e-3)
    assert abs(P - P.T).max() < 1e-15
    assert P.sum() == pytest.approx(1.0)
    assert P.nnz <= 2 * 300 * 45  # sparse: no n x n matrix


def test_block_kl_is_the_kl_divergence_up_to_a_constant():
    gen = torch.Generator().manual_seed(0)
    code = torch.randn(7, 2, generator=gen, dtype=torch.float64)
    P = torch.rand(7, 7, generator=gen, dtype=torch.float64)
    P = P + P.T
    P.fill_diagonal_(0)
    P = P / P.sum()
    rows, cols = P.nonzero(as_tuple=True)
    for dof in (1.0, 3.0):
        attraction, repulsion = tsne_block_kl(code, rows, cols, P[rows, cols], dof=dof)
        W = torch.exp(student_t_log_kernel(torch.cdist(code, code).pow(2), dof))
        W.fill_diagonal_(0)
        Q = W / W.sum()
        mask = P > 0
        kl = (P[mask] * torch.log(P[mask] / Q[mask])).sum()
        entropy = -(P[mask] * torch.log(P[mask])).sum()
        assert (attraction + repulsion - entropy).item() == pytest.approx(kl.item(), rel=1e-10)


def test_exaggeration_multiplies_the_attraction():
    code = torch.randn(5, 2, generator=torch.Generator().manual_seed(1))
    rows, cols = torch.tensor([0, 1, 2]), torch.tensor([1, 2, 3])
    values = torch.tensor([0.2, 0.3, 0.5])
    a1, r1 = tsne_block_kl(code, rows, cols, values, exaggeration=1.0)
    a12, r12 = tsne_block_kl(code, rows, cols, values, exaggeration=12.0)
    assert a12.item() == pytest.approx(12 * a1.item(), rel=1e-6) and r12 == r1


@pytest.fixture(scope="module")
def digits_split():
    X, y = load_digits(return_X_y=True)
    X = X[:900] / 16.0
    return train_test_split(X, y[:900], test_size=0.3, stratify=y[:900], random_state=0)


@pytest.fixture(scope="module")
def fitted(digits_split):
    return ParametricTSNE(max_epochs=10, pretrain_epochs=30, random_state=0).fit(digits_split[0])


def test_held_out_neighbours_beat_pca(digits_split, fitted):
    X_train, X_test, y_train, y_test = digits_split
    pca = PCA(2).fit(X_train)

    def knn(Z_train, Z_test):
        return KNeighborsClassifier(5).fit(Z_train, y_train).score(Z_test, y_test)

    acc = knn(fitted.transform(X_train), fitted.transform(X_test))
    acc_pca = knn(pca.transform(X_train), pca.transform(X_test))
    assert acc > acc_pca + 0.15, (acc, acc_pca)


def test_refinement_beats_the_encoder_alone(digits_split, fitted):
    import copy

    X_train, X_test, y_train, y_test = digits_split

    def knn(model):
        Z_train, Z_test = model.transform(X_train), model.transform(X_test)
        return KNeighborsClassifier(5).fit(Z_train, y_train).score(Z_test, y_test)

    refined = knn(fitted)
    encoder = knn(copy.deepcopy(fitted).set_params(transform_epochs=0))
    assert refined > encoder + 0.04, (refined, encoder)


def test_inverse_beats_pca(digits_split, fitted):
    X_train, X_test = digits_split[:2]
    pca = PCA(2).fit(X_train)
    mse = np.mean((fitted.inverse_transform(fitted.transform(X_test)) - X_test) ** 2)
    mse_pca = np.mean((pca.inverse_transform(pca.transform(X_test)) - X_test) ** 2)
    assert mse < mse_pca, (mse, mse_pca)


def test_early_exaggeration_schedule(digits_split):
    X = digits_split[0][:150]
    model = ParametricTSNE(
        max_epochs=3, exaggeration_epochs=2, pretrain_epochs=0, layout_epochs=0, random_state=0
    )
    seen = []
    original = model._build_criterion

    def spy():
        criterion = original()
        forward = criterion.forward

        def recording(*args, **kwargs):
            seen.append(criterion.exaggeration)
            return forward(*args, **kwargs)

        criterion.forward = recording
        return criterion

    model._build_criterion = spy
    model.fit(X)
    assert seen[0] == 12.0 and seen[-1] == 1.0


def test_deterministic(digits_split):
    X = digits_split[0][:200]
    params = dict(max_epochs=2, pretrain_epochs=3, layout_epochs=20, random_state=3)
    np.testing.assert_array_equal(
        ParametricTSNE(**params).fit_transform(X), ParametricTSNE(**params).fit_transform(X)
    )


def test_small_data_lowers_the_perplexity():
    model = ParametricTSNE(perplexity=30.0)
    assert model._effective_perplexity(31) == (30, 10.0)
    assert model._effective_perplexity(1000) == (90, 30.0)
