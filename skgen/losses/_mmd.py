"""Maximum mean discrepancy between two samples."""

from __future__ import annotations

import torch

KERNELS = ("imq", "rbf")


def _kernel(d2, kernel, scales):
    out = 0.0
    for s in scales:
        if kernel == "rbf":
            out = out + torch.exp(-d2 / (2.0 * s))
        else:  # inverse multiquadratic
            out = out + s / (s + d2)
    return out


def mmd(x, y, kernel="imq", scales=None):
    r"""Unbiased estimate of the squared maximum mean discrepancy.

    .. math::

        \widehat{\mathrm{MMD}}^2 = \frac{1}{n(n-1)} \sum_{i \ne j} k(x_i, x_j)
          + \frac{1}{m(m-1)} \sum_{i \ne j} k(y_i, y_j)
          - \frac{2}{nm} \sum_{i, j} k(x_i, y_j)

    with a sum of kernels over several scales :math:`s`: the inverse
    multiquadratic :math:`k(a, b) = s / (s + \lVert a - b \rVert^2)` (heavy
    tails, the WAE paper's choice) or the Gaussian
    :math:`k(a, b) = \exp(-\lVert a - b \rVert^2 / 2s)`.

    Parameters
    ----------
    x : Tensor of shape (n, d)
    y : Tensor of shape (m, d)
    kernel : {"imq", "rbf"}, default="imq"
    scales : sequence of float or None, default=None
        Kernel scales. None uses ``2 d`` times (0.1, 0.2, 0.5, 1, 2, 5, 10),
        ``2 d`` being :math:`\mathbb{E}\lVert a - b \rVert^2` for two standard
        normal vectors, as in Tolstikhin et al. (2018).

    Returns
    -------
    mmd2 : scalar Tensor
        Can be slightly negative (it is unbiased); 0 in expectation when
        ``x`` and ``y`` come from the same distribution.

    References
    ----------
    .. [1] A. Gretton et al., "A kernel two-sample test", JMLR 13, 2012.
    .. [2] I. Tolstikhin et al., "Wasserstein auto-encoders", ICLR 2018.
    """
    if kernel not in KERNELS:
        raise ValueError(f"Unknown kernel {kernel!r}; expected one of {KERNELS}.")
    n, m = len(x), len(y)
    if n < 2 or m < 2:
        raise ValueError("mmd needs at least two samples on each side.")
    if scales is None:
        base = 2.0 * x.shape[1]
        scales = [base * c for c in (0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0)]
    xx = _kernel(torch.cdist(x, x).pow(2), kernel, scales)
    yy = _kernel(torch.cdist(y, y).pow(2), kernel, scales)
    xy = _kernel(torch.cdist(x, y).pow(2), kernel, scales)
    sum_xx = xx.sum() - xx.diagonal().sum()
    sum_yy = yy.sum() - yy.diagonal().sum()
    return sum_xx / (n * (n - 1)) + sum_yy / (m * (m - 1)) - 2.0 * xy.mean()
