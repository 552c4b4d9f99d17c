"""Neighbour graphs for the neighbour-embedding autoencoders (NumPy/SciPy only).

* :func:`nearest_neighbors`: the k nearest neighbours of every row, excluding
  the row itself. Exact (scikit-learn's ``NearestNeighbors``, brute force on
  BLAS) up to :data:`EXACT_KNN_MAX_SAMPLES` rows; above, approximate with
  pynndescent (NN-descent, what umap-learn uses) when it is installed, and
  exact otherwise.
* :func:`fuzzy_simplicial_set`: UMAP's weighted graph (smooth kNN distances
  and fuzzy union);
* :func:`find_ab_params`: UMAP's fit of :math:`1 / (1 + a d^{2b})` to the
  ``min_dist``/``spread`` curve;
* :func:`perplexity_affinities`: t-SNE's joint probabilities, from
  perplexity-calibrated Gaussian kernels on the ``3 * perplexity`` nearest
  neighbours (a sparse matrix: nothing is ever ``n x n``).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

__all__ = [
    "check_seed",
    "pca_init",
    "umap_layout",
    "EXACT_KNN_MAX_SAMPLES",
    "METRICS",
    "find_ab_params",
    "fuzzy_simplicial_set",
    "nearest_neighbors",
    "perplexity_affinities",
    "perplexity_conditionals",
    "new_point_memberships",
    "refine_embedding",
    "reference_basis",
    "reference_neighbors",
    "to_reference_space",
    "REFERENCE_COMPONENTS",
    "smooth_knn_distances",
]

#: Above this many rows the kNN graph is approximate (pynndescent) when
#: pynndescent is installed. Exact brute force costs O(n^2 d) in BLAS: about a
#: second for 5,000 MNIST rows on one core, several minutes for 60,000.
EXACT_KNN_MAX_SAMPLES = 20_000

#: Metrics understood by both scikit-learn's NearestNeighbors and pynndescent.
METRICS = ("euclidean", "manhattan", "chebyshev", "cosine", "correlation")

# As in umap-learn: binary-search tolerance and the floor of sigma relative to
# the mean neighbour distance.
_SMOOTH_K_TOLERANCE = 1e-5
_MIN_K_DIST_SCALE = 1e-3


def nearest_neighbors(X, n_neighbors, metric="euclidean", random_state=None):
    """The ``n_neighbors`` nearest neighbours of every row of ``X`` (not itself).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    n_neighbors : int
        Must be smaller than ``n_samples``.
    metric : str, default="euclidean"
    random_state : int or None
        Seed of pynndescent's random projection trees (large data only).

    Returns
    -------
    indices : ndarray of int64, shape (n_samples, n_neighbors)
    distances : ndarray of float64, shape (n_samples, n_neighbors)
        Sorted by increasing distance.
    """
    n = len(X)
    if n > EXACT_KNN_MAX_SAMPLES:
        try:
            from pynndescent import NNDescent
        except ImportError:
            NNDescent = None
        if NNDescent is not None:
            index = NNDescent(
                X, n_neighbors=n_neighbors + 1, metric=metric, random_state=random_state
            )
            idx, dist = index.neighbor_graph
            return _drop_self(np.asarray(idx), np.asarray(dist, dtype=np.float64), n_neighbors)
    from sklearn.neighbors import NearestNeighbors

    algorithm = "brute" if metric in ("cosine", "correlation") else "auto"
    nn = NearestNeighbors(n_neighbors=n_neighbors, metric=metric, algorithm=algorithm).fit(X)
    dist, idx = nn.kneighbors()  # X=None: a row is not its own neighbour
    return idx.astype(np.int64), dist.astype(np.float64)


def _drop_self(idx, dist, k):
    """Remove each row's own index (or its farthest neighbour) from ``k + 1`` columns."""
    rows = np.arange(len(idx))[:, None]
    is_self = idx == rows
    # drop the self column where present, else the last column
    drop = np.where(is_self.any(axis=1), is_self.argmax(axis=1), idx.shape[1] - 1)
    keep = np.ones(idx.shape, dtype=bool)
    keep[np.arange(len(idx)), drop] = False
    idx = idx[keep].reshape(len(idx), -1)[:, :k]
    dist = dist[keep].reshape(len(dist), -1)[:, :k]
    idx = np.where(idx < 0, rows, idx)  # pynndescent pads missing neighbours with -1
    return idx.astype(np.int64), dist


def smooth_knn_distances(distances, k, n_iter=64):
    r"""UMAP's local scales: :math:`\rho_i` and :math:`\sigma_i` of every row.

    :math:`\rho_i` is the distance to the nearest neighbour at a positive
    distance, and :math:`\sigma_i` solves
    :math:`\sum_j \exp(-\max(0, d_{ij} - \rho_i) / \sigma_i) = \log_2 k` by
    bisection, all rows at once.

    Parameters
    ----------
    distances : ndarray of shape (n_samples, n_neighbors)
        Sorted distances to the neighbours, the row itself excluded.
    k : float
        Target cardinality (UMAP's ``n_neighbors``, which counts the row itself).
    n_iter : int, default=64

    Returns
    -------
    sigma, rho : ndarray of shape (n_samples,)
    """
    d = np.asarray(distances, dtype=np.float64)
    n = len(d)
    target = np.log2(k)
    positive = np.where(d > 0, d, np.inf)
    rho = positive.min(axis=1)
    rho[~np.isfinite(rho)] = 0.0
    excess = np.maximum(d - rho[:, None], 0.0)
    lo = np.zeros(n)
    hi = np.full(n, np.inf)
    mid = np.ones(n)
    done = np.zeros(n, dtype=bool)
    for _ in range(n_iter):
        psum = np.exp(-excess / mid[:, None]).sum(axis=1)
        done |= np.abs(psum - target) < _SMOOTH_K_TOLERANCE
        above = (psum > target) & ~done
        below = (psum <= target) & ~done
        hi = np.where(above, mid, hi)
        lo = np.where(below, mid, lo)
        mid = np.where(done, mid, np.where(np.isinf(hi), mid * 2.0, (lo + hi) / 2.0))
        if done.all():
            break
    mean_row = d.mean(axis=1)
    floor = np.where(rho > 0, _MIN_K_DIST_SCALE * mean_row, _MIN_K_DIST_SCALE * d.mean())
    sigma = np.maximum(mid, floor)
    return sigma, rho


def fuzzy_simplicial_set(indices, distances, n_neighbors):
    r"""UMAP's graph: directed memberships, then their fuzzy union.

    :math:`w_{i \to j} = \exp(-\max(0, d_{ij} - \rho_i) / \sigma_i)` and
    :math:`W = A + A^\top - A \circ A^\top` (probabilistic t-conorm).

    Parameters
    ----------
    indices, distances : ndarray of shape (n_samples, n_neighbors - 1)
        From :func:`nearest_neighbors` (the row itself excluded).
    n_neighbors : int
        UMAP's ``n_neighbors`` (the row itself included).

    Returns
    -------
    graph : scipy.sparse.csr_matrix of shape (n_samples, n_samples)
        Symmetric, weights in (0, 1], zero diagonal.
    """
    n = len(indices)
    sigma, rho = smooth_knn_distances(distances, n_neighbors)
    weights = np.exp(-np.maximum(distances - rho[:, None], 0.0) / sigma[:, None])
    rows = np.repeat(np.arange(n), indices.shape[1])
    cols = indices.ravel()
    keep = cols != rows
    A = sp.csr_matrix((weights.ravel()[keep], (rows[keep], cols[keep])), shape=(n, n))
    A.sum_duplicates()
    At = A.T.tocsr()
    graph = (A + At - A.multiply(At)).tocsr()
    graph.eliminate_zeros()
    return graph


def find_ab_params(spread, min_dist):
    r"""Fit :math:`\phi(d) = 1 / (1 + a d^{2b})` to UMAP's target curve.

    The target is 1 for :math:`d < \text{min\_dist}` and
    :math:`\exp(-(d - \text{min\_dist}) / \text{spread})` beyond, on 300
    points of :math:`[0, 3\,\text{spread}]`, fitted by least squares
    (``scipy.optimize.curve_fit``), as umap-learn does.

    Returns
    -------
    a, b : float
    """
    from scipy.optimize import curve_fit

    def curve(x, a, b):
        return 1.0 / (1.0 + a * x ** (2 * b))

    x = np.linspace(0, spread * 3, 300)
    y = np.where(x < min_dist, 1.0, np.exp(-(x - min_dist) / spread))
    (a, b), _ = curve_fit(curve, x, y)
    return float(a), float(b)


def perplexity_affinities(indices, distances, perplexity, n_iter=100, tol=1e-5):
    r"""t-SNE's joint probabilities on a kNN graph.

    For each row the precision :math:`\beta_i` of
    :math:`p_{j \mid i} \propto \exp(-\beta_i d_{ij}^2)` (over its neighbours)
    is found by bisection so that the entropy of :math:`p_{\cdot \mid i}` is
    :math:`\log(\text{perplexity})`; then
    :math:`p_{ij} = (p_{j \mid i} + p_{i \mid j}) / (2n)`.

    Parameters
    ----------
    indices, distances : ndarray of shape (n_samples, n_neighbors)
        From :func:`nearest_neighbors`, e.g. with ``3 * perplexity`` neighbours.
    perplexity : float
        Must be smaller than ``n_neighbors``.

    Returns
    -------
    P : scipy.sparse.csr_matrix of shape (n_samples, n_samples)
        Symmetric, sums to 1.
    conditional : ndarray of shape (n_samples, n_neighbors)
        :math:`p_{j \mid i}`, rows summing to 1.
    """
    n, k = indices.shape
    conditional = perplexity_conditionals(distances, perplexity, n_iter=n_iter, tol=tol)
    rows = np.repeat(np.arange(n), k)
    cols = indices.ravel()
    keep = cols != rows
    C = sp.csr_matrix((conditional.ravel()[keep], (rows[keep], cols[keep])), shape=(n, n))
    C.sum_duplicates()
    P = ((C + C.T) / (2.0 * n)).tocsr()
    P.eliminate_zeros()
    return P, conditional


def perplexity_conditionals(distances, perplexity, n_iter=100, tol=1e-5):
    r"""t-SNE's conditional probabilities :math:`p_{j \mid i}` of a given perplexity.

    :math:`p_{j \mid i} \propto \exp(-\beta_i d_{ij}^2)` over the neighbours of
    row :math:`i`, with entropy :math:`\log(\text{perplexity})`.

    The precisions :math:`\beta_i` are found by bisection, all rows at once.

    Parameters
    ----------
    distances : ndarray of shape (n_samples, n_neighbors)
        Sorted distances to the neighbours of each row.
    perplexity : float
        Must be smaller than ``n_neighbors``.

    Returns
    -------
    conditional : ndarray of shape (n_samples, n_neighbors)
        Rows summing to 1.
    """
    n = len(distances)
    d2 = np.asarray(distances, dtype=np.float64) ** 2
    d2 = d2 - d2[:, :1]  # shift by the nearest: same probabilities, no underflow
    target = np.log(perplexity)
    beta = np.ones(n)
    lo = np.zeros(n)
    hi = np.full(n, np.inf)
    for _ in range(n_iter):
        logits = -d2 * beta[:, None]
        p = np.exp(logits)
        s = p.sum(axis=1)
        entropy = np.log(s) + beta * (d2 * p).sum(axis=1) / s
        err = entropy - target
        if np.all(np.abs(err) < tol):
            break
        too_flat = err > 0  # entropy too high: sharpen (larger beta)
        lo = np.where(too_flat, beta, lo)
        hi = np.where(too_flat, hi, beta)
        beta = np.where(np.isinf(hi), beta * 2.0, (lo + hi) / 2.0)
    p = np.exp(-d2 * beta[:, None])
    return p / p.sum(axis=1, keepdims=True)


def pca_init(X, n_components, random_state=None, extent=10.0):
    """PCA coordinates of ``X`` scaled so that the largest absolute value is ``extent``."""
    from sklearn.decomposition import PCA

    k = min(n_components, X.shape[1], len(X))
    Z = PCA(k, svd_solver="auto", random_state=random_state).fit_transform(X)
    if k < n_components:
        Z = np.hstack([Z, np.zeros((len(X), n_components - k))])
    top = np.abs(Z).max()
    return Z * (extent / top) if top > 0 else Z


def umap_layout(graph, init, a, b, n_epochs, random_state=None, negative_sample_rate=5,
                repulsion_strength=1.0, device="cpu"):
    r"""Non-parametric UMAP layout of ``graph`` by UMAP's SGD, vectorised over edges.

    As umap-learn's ``optimize_layout_euclidean``: at epoch :math:`e` every edge
    is sampled with probability :math:`w / \max w` (edges below
    :math:`\max w / n_\text{epochs}` are dropped); both ends move along the
    clipped attractive gradient of :math:`-\log q`, and the head is pushed away
    from ``negative_sample_rate`` uniformly drawn vertices along the clipped
    repulsive gradient of :math:`-\log(1 - q)`, with the learning rate falling
    linearly from 1 to 0. The updates of an epoch are computed from the same
    positions and summed (umap-learn applies them one by one).

    Parameters
    ----------
    graph : scipy.sparse matrix of shape (n, n)
    init : ndarray of shape (n, d)
    a, b : float
    n_epochs : int
    random_state : int, RandomState or None

    Returns
    -------
    embedding : ndarray of float32, shape (n, d)
    """
    import torch

    rng = np.random.RandomState(check_seed(random_state))
    gen = torch.Generator(device="cpu").manual_seed(int(rng.randint(2**31 - 1)))
    coo = graph.tocoo()
    keep = coo.data >= coo.data.max() / float(n_epochs)
    head = torch.from_numpy(coo.row[keep].astype(np.int64)).to(device)
    tail = torch.from_numpy(coo.col[keep].astype(np.int64)).to(device)
    prob = torch.from_numpy(coo.data[keep] / coo.data[keep].max()).to(device)
    Y = torch.as_tensor(np.asarray(init, dtype=np.float32), device=device).clone()
    n = len(Y)
    for epoch in range(n_epochs):
        alpha = 1.0 - epoch / float(n_epochs)
        pick = torch.rand(len(prob), generator=gen).to(device) < prob
        i, j = head[pick], tail[pick]
        diff = Y[i] - Y[j]
        d2 = diff.pow(2).sum(1, keepdim=True)
        coef = (-2.0 * a * b * d2.clamp_min(1e-12).pow(b - 1.0)) / (1.0 + a * d2.pow(b))
        grad = (coef * diff).clamp(-4.0, 4.0)
        update = torch.zeros_like(Y)
        update.index_add_(0, i, alpha * grad)
        update.index_add_(0, j, -alpha * grad)
        ii = i.repeat_interleave(negative_sample_rate)
        kk = torch.randint(0, n, (len(ii),), generator=gen).to(device)
        diff = Y[ii] - Y[kk]
        d2 = diff.pow(2).sum(1, keepdim=True)
        coef = (2.0 * repulsion_strength * b) / ((0.001 + d2) * (1.0 + a * d2.pow(b)))
        grad = torch.where(d2 > 0, (coef * diff).clamp(-4.0, 4.0), torch.zeros_like(diff))
        update.index_add_(0, ii, alpha * grad)
        Y += update
    return Y.cpu().numpy()


def check_seed(random_state):
    """An int seed from ``random_state`` (int, RandomState or None)."""
    from sklearn.utils import check_random_state

    return int(check_random_state(random_state).randint(2**31 - 1))


def new_point_memberships(distances, k):
    r"""UMAP's memberships of new rows to their ``k`` nearest training rows.

    As ``UMAP.transform``: :math:`\exp(-d_{ij} / \sigma_i)` with
    :math:`\rho_i = 0` (local connectivity 0) and :math:`\sigma_i` such that
    a row's memberships sum to :math:`\log_2 k`, all rows at once by bisection.

    Parameters
    ----------
    distances : ndarray of shape (n_samples, n_neighbors)
    k : float
        Target cardinality (UMAP's ``n_neighbors``).

    Returns
    -------
    memberships : ndarray of shape (n_samples, n_neighbors)
    """
    d = np.asarray(distances, dtype=np.float64)
    n = len(d)
    target = np.log2(k)
    lo = np.zeros(n)
    hi = np.full(n, np.inf)
    mid = np.ones(n)
    for _ in range(64):
        psum = np.exp(-d / mid[:, None]).sum(axis=1)
        if np.all(np.abs(psum - target) < _SMOOTH_K_TOLERANCE):
            break
        above = psum > target
        hi = np.where(above, mid, hi)
        lo = np.where(above, lo, mid)
        mid = np.where(np.isinf(hi), mid * 2.0, (lo + hi) / 2.0)
    sigma = np.maximum(mid, np.maximum(_MIN_K_DIST_SCALE * d.mean(axis=1), 1e-12))
    return np.exp(-d / sigma[:, None])


def refine_embedding(Y, neighbours, weights, reference, a, b, n_epochs, random_state=None,
                     negative_sample_rate=5, repulsion_strength=1.0, n_negatives=32,
                     learning_rate=0.25):
    r"""Move new points against a fixed embedding with UMAP's transform-time SGD, vectorised.

    The expected update of ``UMAP.transform``'s optimiser, all points at once:
    at epoch :math:`e` (of :math:`E`), point :math:`y_i` moves by
    :math:`\alpha_e \big[\sum_j w_{ij}\, g^+(y_i, z_{ij}) + \gamma M \big(\sum_j
    w_{ij}\big) \overline{g^-}(y_i)\big]`, with :math:`z_{ij}` the fixed
    positions of its neighbours, :math:`g^\pm` UMAP's attractive and repulsive
    gradients of :math:`q(d) = 1 / (1 + a d^{2b})` (each clipped to length 4),
    :math:`\overline{g^-}` their mean over ``n_negatives`` rows of
    ``reference`` drawn per epoch (the same rows for every point, so that a
    point's result does not depend on the others) and :math:`\alpha_e`
    falling linearly from ``learning_rate`` to 0.

    Parameters
    ----------
    Y : Tensor of shape (n_samples, d)
        Initial positions.
    neighbours : Tensor of shape (n_samples, k, d)
        Fixed positions of each point's neighbours.
    weights : Tensor of shape (n_samples, k)
        Edge weights (UMAP memberships, at most 1).
    reference : Tensor of shape (n_reference, d)
        The fixed embedding the negatives are drawn from.
    a, b : float
    n_epochs : int
    random_state : int or None
        Seed of the negatives.

    Returns
    -------
    Y : Tensor of shape (n_samples, d)
    """
    import torch

    gen = torch.Generator(device="cpu").manual_seed(check_seed(random_state))
    picks = torch.randint(0, len(reference), (n_epochs, n_negatives), generator=gen)
    anchors = reference[picks.to(reference.device)]  # (n_epochs, n_negatives, d)
    d = Y.shape[1]
    Y = Y.clone()
    # one contiguous plane per coordinate: elementwise work only, no reduction over d
    near = [neighbours[..., c].contiguous() for c in range(d)]
    far = [anchors[..., c].contiguous() for c in range(d)]
    total = (negative_sample_rate * repulsion_strength) * weights.sum(1)
    for epoch in range(n_epochs):
        alpha = learning_rate * (1.0 - epoch / float(n_epochs))
        diff = [near[c] - Y[:, c : c + 1] for c in range(d)]  # towards the neighbours
        d2 = _squared_norm(diff).clamp_min_(1e-12)
        if b == 1.0:
            coef = (2.0 * a) / (1.0 + a * d2)
        else:
            pb = d2.pow(b)
            coef = ((2.0 * a * b) * pb / d2) / (1.0 + a * pb)
        coef = torch.minimum(coef, 4.0 * d2.rsqrt()).mul_(weights)
        away = [Y[:, c : c + 1] - far[c][epoch] for c in range(d)]
        d2 = _squared_norm(away)
        pb = d2 if b == 1.0 else d2.pow(b)
        push = (2.0 * b) / ((0.001 + d2) * (1.0 + a * pb))
        push = torch.where(d2 > 0, torch.minimum(push, 4.0 * d2.rsqrt()), 0.0)
        for c in range(d):
            Y[:, c] += alpha * ((coef * diff[c]).sum(1) + total * (push * away[c]).mean(1))
    return Y


def _squared_norm(planes):
    out = planes[0].square()
    for plane in planes[1:]:
        out += plane.square()
    return out


#: Width of the copy of the training rows that ``transform`` searches for
#: neighbours (PCA above it, for the metrics that are Euclidean after a row
#: normalisation): the search then costs milliseconds.
REFERENCE_COMPONENTS = 32


def reference_basis(X, metric, random_state=None, n_components=REFERENCE_COMPONENTS):
    """Mean and PCA axes of the neighbour-search copy of ``X`` (None: no projection).

    Only Euclidean distances survive a projection; ``"cosine"`` and
    ``"correlation"`` are Euclidean after :func:`_normalise_rows`.
    """
    if metric in ("manhattan", "chebyshev") or X.shape[1] <= n_components:
        return None, None
    from sklearn.decomposition import PCA

    Xs = _normalise_rows(X, metric)
    k = min(n_components, len(Xs))
    pca = PCA(k, svd_solver="auto", random_state=random_state).fit(Xs)
    return pca.mean_.astype(np.float32), pca.components_.T.astype(np.float32)


def to_reference_space(X, metric, mean, components):
    """Rows of ``X`` in the space where :func:`reference_distances` searches (float32)."""
    Xs = _normalise_rows(np.asarray(X, dtype=np.float64), metric).astype(np.float32)
    if components is None:
        return np.ascontiguousarray(Xs)
    return np.ascontiguousarray((Xs - mean) @ components)


def _normalise_rows(X, metric):
    if metric == "correlation":
        X = X - X.mean(axis=1, keepdims=True)
    if metric in ("cosine", "correlation"):
        norm = np.linalg.norm(X, axis=1, keepdims=True)
        X = X / np.where(norm > 0, norm, 1.0)
    return X


def reference_neighbors(Q, R, k, metric, chunk_elements=2**24):
    """The ``k`` nearest rows of ``R`` to each row of ``Q`` (tensors in reference space).

    Exact brute force, by chunks of rows of ``Q``. Distances are in the
    metric's units (``1 - cos`` for ``"cosine"`` and ``"correlation"``,
    approximate after a projection).

    Returns
    -------
    distances : Tensor of shape (len(Q), k), sorted
    indices : Tensor of int64, shape (len(Q), k)
    """
    import torch

    p = {"manhattan": 1.0, "chebyshev": float("inf")}.get(metric, 2.0)
    step = max(1, chunk_elements // max(1, len(R)))
    dist, idx = [], []
    for start in range(0, len(Q), step):
        D = torch.cdist(Q[start : start + step], R, p=p)
        d, i = D.topk(k, dim=1, largest=False, sorted=True)
        dist.append(d)
        idx.append(i)
    d, i = torch.cat(dist), torch.cat(idx)
    if metric in ("cosine", "correlation"):
        d = d.pow(2) / 2.0  # |u - v|^2 = 2 - 2 cos for unit vectors
    return d, i
