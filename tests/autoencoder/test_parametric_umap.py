"""ParametricUMAP: UMAP's graph and loss math, held-out quality against PCA, determinism."""

import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KNeighborsClassifier

from skgen import ParametricUMAP
from skgen.autoencoder._neighbour_graphs import (
    find_ab_params,
    fuzzy_simplicial_set,
    nearest_neighbors,
    new_point_memberships,
    reference_neighbors,
    refine_embedding,
    smooth_knn_distances,
)
from skgen.losses import umap_batch_cross_entropy, umap_cross_entropy


@pytest.mark.parametrize("spread, min_dist", [(1.0, 0.1), (1.0, 0.5), (2.0, 0.0)])
def test_ab_params_match_umap(spread, min_dist):
    umap_ = pytest.importorskip("umap.umap_")
    a, b = find_ab_params(spread, min_dist)
    a_ref, b_ref = umap_.find_ab_params(spread, min_dist)
    assert a == pytest.approx(a_ref, rel=1e-6) and b == pytest.approx(b_ref, rel=1e-6)


def test_ab_params_known_values():
    a, b = find_ab_params(1.0, 0.1)  # umap-learn's defaults
    assert a == pytest.approx(1.577, abs=1e-3) and b == pytest.approx(0.895, abs=1e-3)


def test_smooth_knn_distances_hit_log2_k():
    rng = np.random.RandomState(0)
    X = rng.randn(200, 5)
    idx, dist = nearest_neighbors(X, 14)
    sigma, rho = smooth_knn_distances(dist, 15)
    memberships = np.exp(-np.maximum(dist - rho[:, None], 0) / sigma[:, None]).sum(axis=1)
    np.testing.assert_allclose(memberships, np.log2(15), atol=1e-4)
    np.testing.assert_allclose(rho, dist[:, 0])


def test_fuzzy_union_is_symmetric_probabilistic_t_conorm():
    rng = np.random.RandomState(0)
    idx, dist = nearest_neighbors(rng.randn(100, 3), 9)
    G = fuzzy_simplicial_set(idx, dist, 10)
    assert abs(G - G.T).max() < 1e-12
    assert G.diagonal().max() == 0
    assert G.data.min() > 0 and G.data.max() <= 1 + 1e-12
    # each row's nearest neighbour is fully connected
    assert np.allclose(G[np.arange(100), idx[:, 0]], 1.0)


def test_cross_entropy_terms():
    a, b = find_ab_params(1.0, 0.1)
    z = torch.zeros(4, 2)
    far = torch.full((4, 1, 2), 100.0)
    attraction, repulsion = umap_cross_entropy(z, z, far, a, b)
    assert attraction.item() == pytest.approx(0.0, abs=1e-6)  # q(0) = 1
    assert repulsion.item() == pytest.approx(0.0, abs=1e-4)  # q(far) ~ 0
    # q = 1 / (1 + a d^2b) at d = 1: -log q = log(1 + a)
    attraction, _ = umap_cross_entropy(z, z + torch.tensor([1.0, 0.0]), far, a, b)
    assert attraction.item() == pytest.approx(np.log1p(a), rel=1e-5)


def test_batch_negatives_are_the_expectation_of_in_batch_sampling():
    a, b = find_ab_params(1.0, 0.1)
    rows = torch.randn(6, 2, generator=torch.Generator().manual_seed(0))
    head, tail = rows[:3], rows[3:]
    _, dense = umap_batch_cross_entropy(head, tail, rows, a, b, negative_sample_rate=5)
    # every other row of the batch, each with weight 5 / (m - 1)
    others = torch.stack([torch.cat([rows[:i], rows[i + 1 :]]) for i in range(3)])
    _, full = umap_cross_entropy(head, tail, others, a, b)
    assert dense.item() == pytest.approx(full.item() * 5 / 5, rel=1e-5)


@pytest.fixture(scope="module")
def digits_split():
    X, y = load_digits(return_X_y=True)
    X = X[:900] / 16.0
    return train_test_split(X, y[:900], test_size=0.3, stratify=y[:900], random_state=0)


@pytest.fixture(scope="module")
def fitted(digits_split):
    X_train = digits_split[0]
    return ParametricUMAP(max_epochs=10, pretrain_epochs=30, random_state=0).fit(X_train)


def test_held_out_neighbours_beat_pca(digits_split, fitted):
    X_train, X_test, y_train, y_test = digits_split
    pca = PCA(2).fit(X_train)

    def knn(Z_train, Z_test):
        return KNeighborsClassifier(5).fit(Z_train, y_train).score(Z_test, y_test)

    acc = knn(fitted.transform(X_train), fitted.transform(X_test))
    acc_pca = knn(pca.transform(X_train), pca.transform(X_test))
    assert acc > acc_pca + 0.15, (acc, acc_pca)


def test_refinement_beats_the_encoder_alone(digits_split, fitted):
    X_train, X_test, y_train, y_test = digits_split

    def knn(model):
        Z_train, Z_test = model.transform(X_train), model.transform(X_test)
        return KNeighborsClassifier(5).fit(Z_train, y_train).score(Z_test, y_test)

    refined = knn(fitted)
    encoder = knn(clone_fitted(fitted, transform_epochs=0))
    assert refined > encoder + 0.04, (refined, encoder)


def clone_fitted(model, **params):
    import copy

    return copy.deepcopy(model).set_params(**params)


def test_new_point_memberships_sum_to_log2_k():
    d = np.sort(np.random.RandomState(0).rand(50, 15), axis=1)
    w = new_point_memberships(d, 15)
    np.testing.assert_allclose(w.sum(axis=1), np.log2(15), atol=1e-4)
    assert np.all(np.diff(w, axis=1) <= 0)  # nearer, stronger


@pytest.mark.parametrize("metric", ["euclidean", "cosine", "manhattan"])
def test_reference_neighbors_are_exact(metric):
    from sklearn.neighbors import NearestNeighbors

    from skgen.autoencoder._neighbour_graphs import to_reference_space

    rng = np.random.RandomState(0)
    R, Q = rng.rand(120, 6), rng.rand(30, 6)
    to = lambda X: torch.from_numpy(to_reference_space(X, metric, None, None))  # noqa: E731
    d, i = reference_neighbors(to(Q), to(R), 5, metric)
    algorithm = "brute" if metric == "cosine" else "auto"
    d_ref, i_ref = NearestNeighbors(n_neighbors=5, metric=metric, algorithm=algorithm).fit(
        R
    ).kneighbors(Q)
    np.testing.assert_array_equal(i.numpy(), i_ref)
    np.testing.assert_allclose(d.numpy(), d_ref, rtol=1e-4, atol=1e-5)


def test_refinement_pulls_rows_to_their_neighbours_independently():
    a, b = find_ab_params(1.0, 0.1)
    gen = torch.Generator().manual_seed(0)
    reference = torch.randn(200, 2, generator=gen) * 10
    # every new row's 15 neighbours sit at one reference point
    targets = reference[:5]
    neighbours = targets[:, None, :].expand(5, 15, 2)
    weights = torch.full((5, 15), 0.3)
    start = targets + 3.0
    Y = refine_embedding(start, neighbours, weights, reference, a, b, 50, random_state=0)
    assert (Y - targets).norm(dim=1).max() < 0.5 * (start - targets).norm(dim=1).min()
    # a row's result does not depend on the other rows
    Y2 = refine_embedding(start[2:3], neighbours[2:3], weights[2:3], reference, a, b, 50,
                          random_state=0)
    torch.testing.assert_close(Y2, Y[2:3])


def test_partial_fit_refines_against_its_rows(digits_split):
    X = digits_split[0][:150]
    model = ParametricUMAP(max_epochs=1, pretrain_epochs=2, layout_epochs=10, random_state=0)
    model.fit(X)
    assert model.embedding_.shape == (150, 2)
    model.partial_fit(X[:60])
    assert model.embedding_.shape == (60, 2)
    np.testing.assert_allclose(
        model.embedding_, clone_fitted(model, transform_epochs=0).transform(X[:60]), atol=1e-4
    )
    assert np.isfinite(model.transform(X)).all()


def test_inverse_beats_pca(digits_split, fitted):
    X_train, X_test = digits_split[:2]
    pca = PCA(2).fit(X_train)
    mse = np.mean((fitted.inverse_transform(fitted.transform(X_test)) - X_test) ** 2)
    mse_pca = np.mean((pca.inverse_transform(pca.transform(X_test)) - X_test) ** 2)
    assert mse < mse_pca, (mse, mse_pca)


def test_history_has_named_terms(fitted):
    row = fitted.history_[-1]
    assert {"train_attraction", "train_repulsion", "train_reconstruction"} <= set(row)
    assert fitted.pretrain_loss_curve_.shape == (30,)


def test_deterministic(digits_split):
    X = digits_split[0][:200]
    params = dict(max_epochs=2, pretrain_epochs=3, layout_epochs=20, random_state=3)
    Z1 = ParametricUMAP(**params).fit_transform(X)
    Z2 = ParametricUMAP(**params).fit_transform(X)
    np.testing.assert_array_equal(Z1, Z2)


def test_min_dist_above_spread_is_an_error():
    with pytest.raises(ValueError, match="min_dist"):
        ParametricUMAP(min_dist=2.0, spread=1.0, max_epochs=1).fit(np.random.rand(20, 3))


@pytest.mark.filterwarnings("ignore::skgen.exceptions.ConvergenceWarning")
def test_early_stopping_holds_out_edges(digits_split):
    X = digits_split[0][:200]
    model = ParametricUMAP(
        max_epochs=3, pretrain_epochs=0, layout_epochs=0, early_stopping=True, random_state=0
    ).fit(X)
    assert model.validation_loss_curve_.shape == (3,)
