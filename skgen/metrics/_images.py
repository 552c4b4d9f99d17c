"""Sample quality in a feature space: manifold precision/recall and classifier scores.

These metrics judge generated images (or any rows) in the feature space of
a model trained on real data, e.g. the hidden layer of a classifier, so
they need no pretrained network from the internet:

* :func:`manifold_precision_recall`: k-NN manifold precision (are the
  samples realistic?) and recall (is the real data covered?), Kynkäänniemi
  et al. (2019);
* :func:`confident_fraction` and :func:`label_entropy`: the share of
  samples a classifier labels confidently, and how evenly its labels spread
  over the classes (low for a collapsed generator);
* :func:`batch_correlation`: the mean pairwise correlation of samples drawn
  in the same batch against that of samples of different batches (batch
  normalisation couples the samples of a batch).
"""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from sklearn.neighbors import NearestNeighbors
from sklearn.utils.validation import check_array

from ..utils._param_validation import Interval, validate_params

__all__ = ["batch_correlation", "confident_fraction", "label_entropy", "manifold_precision_recall"]


def _knn_radii(features, k):
    """Distance of each row to its k-th nearest other row."""
    nn = NearestNeighbors(n_neighbors=k + 1).fit(features)
    distances, _ = nn.kneighbors(features)
    return distances[:, k]


def _covered(points, centres, radii, batch_size=1024):
    """Whether each point lies in at least one ball ``(centre, radius)``."""
    out = np.empty(len(points), dtype=bool)
    sq_radii = radii**2
    sq_c = (centres**2).sum(1)
    for start in range(0, len(points), batch_size):
        p = points[start : start + batch_size]
        d2 = (p**2).sum(1)[:, None] - 2 * p @ centres.T + sq_c[None, :]
        out[start : start + batch_size] = (d2 <= sq_radii[None, :] + 1e-12).any(axis=1)
    return out


@validate_params(
    {
        "real_features": ["array-like"],
        "fake_features": ["array-like"],
        "n_neighbors": [Interval(Integral, 1, None, closed="left")],
    },
    prefer_skip_nested_validation=True,
)
def manifold_precision_recall(real_features, fake_features, *, n_neighbors=3):
    r"""k-NN manifold precision and recall of generated rows (Kynkäänniemi et al., 2019).

    The real manifold is approximated by balls around every real row whose
    radius is the distance to its ``n_neighbors``-th nearest real neighbour;
    likewise for the generated rows. Precision is the share of generated
    rows inside the real manifold (fidelity), recall the share of real rows
    inside the generated manifold (coverage). A collapsed generator has high
    precision and low recall; a blurry one, the reverse.

    Compare them in a feature space where distances mean something, e.g.
    the hidden layer of a classifier trained on real data, and hold out the
    real rows used here from the generator's training.

    Parameters
    ----------
    real_features : array-like of shape (n_real, n_features)
    fake_features : array-like of shape (n_fake, n_features)
    n_neighbors : int, default=3
        :math:`k`; the paper uses 3.

    Returns
    -------
    precision : float
        In [0, 1].
    recall : float
        In [0, 1].

    References
    ----------
    .. [1] T. Kynkäänniemi, T. Karras, S. Laine, J. Lehtinen and T. Aila,
       "Improved precision and recall metric for assessing generative
       models", NeurIPS 2019.

    Examples
    --------
    >>> import numpy as np
    >>> from skgen.metrics import manifold_precision_recall
    >>> rng = np.random.RandomState(0)
    >>> real = rng.normal(size=(300, 2))
    >>> collapsed = 0.05 * rng.normal(size=(300, 2))
    >>> p, r = manifold_precision_recall(real, collapsed)
    >>> bool(p > 0.9 and r < 0.2)
    True
    """
    real = check_array(real_features, dtype=np.float64)
    fake = check_array(fake_features, dtype=np.float64)
    if real.shape[1] != fake.shape[1]:
        raise ValueError(
            f"real_features has {real.shape[1]} features but fake_features has {fake.shape[1]}."
        )
    for name, rows in (("real_features", real), ("fake_features", fake)):
        if len(rows) <= n_neighbors:
            raise ValueError(f"{name} needs more than n_neighbors={n_neighbors} rows; got {len(rows)}.")
    precision = _covered(fake, real, _knn_radii(real, n_neighbors)).mean()
    recall = _covered(real, fake, _knn_radii(fake, n_neighbors)).mean()
    return float(precision), float(recall)


@validate_params(
    {"proba": ["array-like"], "threshold": [Interval(Real, 0, 1, closed="both")]},
    prefer_skip_nested_validation=True,
)
def confident_fraction(proba, *, threshold=0.9):
    """Share of rows whose most likely class has probability above ``threshold``.

    With ``proba`` from a classifier trained on real data
    (``predict_proba`` of generated rows), a low share means samples that
    look like no class in particular.

    Parameters
    ----------
    proba : array-like of shape (n_samples, n_classes)
    threshold : float, default=0.9

    Returns
    -------
    fraction : float

    Examples
    --------
    >>> from skgen.metrics import confident_fraction
    >>> confident_fraction([[0.95, 0.05], [0.6, 0.4]])
    0.5
    """
    proba = check_array(proba, dtype=np.float64)
    return float((proba.max(axis=1) > threshold).mean())


@validate_params(
    {"proba": ["array-like"], "normalize": ["boolean"]},
    prefer_skip_nested_validation=True,
)
def label_entropy(proba, *, normalize=False):
    r"""Entropy of the histogram of predicted labels (``argmax`` of ``proba``).

    :math:`H = -\sum_k p_k \log p_k` with :math:`p_k` the share of rows
    predicted as class :math:`k`: :math:`\log K` (nats) when the labels are
    uniform over :math:`K` classes, 0 when every row gets the same label
    (mode collapse).

    Parameters
    ----------
    proba : array-like of shape (n_samples, n_classes)
        Class probabilities (or any scores) of a classifier.
    normalize : bool, default=False
        Divide by :math:`\log K`, giving a value in [0, 1].

    Returns
    -------
    entropy : float

    Examples
    --------
    >>> from skgen.metrics import label_entropy
    >>> label_entropy([[1, 0], [0, 1]], normalize=True)
    1.0
    """
    proba = check_array(proba, dtype=np.float64)
    n_classes = proba.shape[1]
    counts = np.bincount(proba.argmax(axis=1), minlength=n_classes)
    p = counts[counts > 0] / len(proba)
    entropy = float(-(p * np.log(p)).sum())
    if normalize:
        return float(entropy / np.log(n_classes)) if n_classes > 1 else 0.0
    return entropy


@validate_params({"batches": ["array-like"]}, prefer_skip_nested_validation=True)
def batch_correlation(batches):
    r"""Mean pairwise correlation of samples within a batch and between batches.

    Each sample is centred by the mean over *all* batches (per feature) and
    scaled to unit norm; the correlation of two samples is the dot product of
    these vectors. Independent samples give about 0 for both numbers. Batch
    normalisation in training mode makes a sample depend on the rest of its
    batch: the normalised features of a batch sum to zero, so samples of one
    batch are *negatively* correlated (about :math:`-c/(n-1)` for batches of
    :math:`n`), while reference and virtual batch normalisation give each
    sample statistics that do not depend on its batch (Salimans et al., 2016).

    Parameters
    ----------
    batches : array-like of shape (n_batches, batch_size, n_features)
        Samples generated batch by batch (at least two batches of two).

    Returns
    -------
    within : float
        Mean correlation over the pairs of distinct samples of one batch.
    between : float
        Mean correlation over pairs of samples of different batches (each
        batch against the next one).

    Examples
    --------
    >>> import numpy as np
    >>> from skgen.metrics import batch_correlation
    >>> rng = np.random.RandomState(0)
    >>> within, between = batch_correlation(rng.normal(size=(50, 8, 16)))
    >>> abs(within) < 0.02 and abs(between) < 0.02
    True
    """
    S = np.asarray(batches, dtype=np.float64)
    if S.ndim != 3 or S.shape[0] < 2 or S.shape[1] < 2:
        raise ValueError(
            "batches must have shape (n_batches, batch_size, n_features) with at least two "
            f"batches of two samples; got shape {S.shape}."
        )
    n_batches, n = S.shape[:2]
    S = S - S.mean(axis=(0, 1), keepdims=True)
    S = S / np.maximum(np.linalg.norm(S, axis=2, keepdims=True), 1e-12)
    gram = np.einsum("bid,bjd->bij", S, S)
    within = (gram.sum() - np.trace(gram, axis1=1, axis2=2).sum()) / (n_batches * n * (n - 1))
    between = np.einsum("bid,bjd->bij", S, np.roll(S, 1, axis=0)).mean()
    return float(within), float(between)
