r"""PCA-initialised maps: a fixed affine (PCA) part plus a learned residual.

``init="pca"`` (the default of the autoencoders) builds every encoder and decoder as

.. math:: y = A (x - m) + b + r(x),

where the affine part :math:`A, m, b` comes from a principal component analysis of
the training data (fixed buffers) and :math:`r` is the usual network whose last
layer starts at zero. At initialisation the autoencoder *is* PCA (the code is the
projection on the leading principal axes, the decoder its reconstruction),
and training learns only a nonlinear correction. A linear autoencoder starts at
PCA's optimum, and early stopping with best-weight restoration keeps the fit from
ending up worse than it on held-out data.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from ..utils._validation import _row_chunks

__all__ = ["AffineResidual", "PCABasis", "pca_basis", "zero_last_layer"]


@dataclass(frozen=True)
class PCABasis:
    """Principal axes of a data matrix (float64).

    Attributes
    ----------
    mean : ndarray of shape (n_features,)
    components : ndarray of shape (n_components, n_features)
        Orthonormal rows, padded with zero rows when the data have fewer than
        ``n_components`` non-degenerate directions.
    variances : ndarray of shape (n_components,)
        Variance along each axis (0 for the padding).
    noise_variance : float
        Mean variance of the discarded directions (probabilistic PCA's
        maximum-likelihood noise); 0 when nothing is discarded.
    """

    mean: np.ndarray
    components: np.ndarray
    variances: np.ndarray
    noise_variance: float


def _moments(X):
    """Column means and centred scatter matrix of ``X`` (float64, by chunks of rows)."""
    n, d = X.shape
    mean = np.zeros(d)
    for rows in _row_chunks(X):
        mean += np.asarray(X[rows], dtype=np.float64).sum(axis=0)
    mean /= max(n, 1)
    scatter = np.zeros((d, d))
    for rows in _row_chunks(X):
        part = np.array(X[rows], dtype=np.float64)
        part -= mean
        scatter += part.T @ part
        del part  # freed before the next chunk is allocated
    return mean, scatter


def _mean_variance(X):
    """``X.var(axis=0).mean()`` without a float64 copy of ``X``."""
    n = len(X)
    if n == 0:
        return 0.0
    mean, total = _moments_diagonal(X)
    return float(total.sum() / (n * X.shape[1]))


def _moments_diagonal(X):
    n, d = X.shape
    mean = np.zeros(d)
    for rows in _row_chunks(X):
        mean += np.asarray(X[rows], dtype=np.float64).sum(axis=0)
    mean /= n
    total = np.zeros(d)
    for rows in _row_chunks(X):
        part = np.array(X[rows], dtype=np.float64)
        part -= mean
        part *= part
        total += part.sum(axis=0)
        del part  # freed before the next chunk is allocated
    return mean, total


def pca_basis(X, n_components):
    """The :class:`PCABasis` of ``X`` (rows are samples) with ``n_components`` axes.

    Signs are fixed as in :func:`sklearn.utils.extmath.svd_flip` (largest
    absolute loading positive), so the result is deterministic.
    """
    n, d = np.shape(X)
    if n > 1 and n >= 4 * d:
        # Tall data: eigenvectors of the d x d scatter matrix, accumulated in float64 by
        # chunks of rows (no float64 copy, centred copy or n x d singular vectors: the
        # SVD of a 1M-row matrix needed about 6 copies of it).
        mean, scatter = _moments(X)
        eigenvalues, eigenvectors = np.linalg.eigh(scatter)
        order = np.argsort(eigenvalues)[::-1]
        variances = np.clip(eigenvalues[order], 0, None) / (n - 1)
        vt = eigenvectors[:, order].T
    else:
        X = np.asarray(X, dtype=np.float64)
        mean = X.mean(axis=0)
        if n > 1:
            _, s, vt = np.linalg.svd(X - mean, full_matrices=False)
            variances = s**2 / (n - 1)
        else:
            vt = np.zeros((0, d))
            variances = np.zeros(0)
    keep = variances > 1e-12 * max(variances.max(initial=0.0), 1e-300)
    vt, variances = vt[keep], variances[keep]
    signs = np.sign(vt[np.arange(len(vt)), np.abs(vt).argmax(axis=1)]) if len(vt) else []
    vt = vt * np.asarray(signs).reshape(-1, 1) if len(vt) else vt
    k = min(n_components, len(vt))
    discarded = variances[k:]
    # Probabilistic PCA's noise: the mean variance of the discarded directions over all
    # d - k of them (directions with no variance at all count as zero).
    noise = float(discarded.sum() / (d - k)) if d > k else 0.0
    components = np.zeros((n_components, d))
    components[:k] = vt[:k]
    var = np.zeros(n_components)
    var[:k] = variances[:k]
    return PCABasis(mean, components, var, noise)


def _buffer(value):
    return torch.as_tensor(np.asarray(value, dtype=np.float32))


def zero_last_layer(module):
    """Set the weight and bias of the last ``Linear``/``ConvTranspose*`` of ``module`` to 0.

    Returns True when a layer was found. The residual then starts at zero while the
    gradient still reaches that layer (and, once it moves, the earlier ones).
    """
    from ._lowrank import BlockFactorizedLinear

    last = None
    for sub in module.modules():
        if isinstance(
            sub, (nn.Linear, nn.ConvTranspose1d, nn.ConvTranspose2d, nn.Conv2d, BlockFactorizedLinear)
        ):
            last = sub
    if last is None:
        return False
    if isinstance(last, BlockFactorizedLinear):
        last.zero_output_()
        return True
    with torch.no_grad():
        last.weight.zero_()
        if last.bias is not None:
            last.bias.zero_()
    return True


class AffineResidual(nn.Module):
    r""":math:`y = (x - \text{shift}) A^\top + b + \gamma\, r(x)`: a fixed affine map plus a residual.

    Parameters
    ----------
    weight : array-like of shape (out_features, in_features)
        :math:`A` (a buffer, not trained).
    bias : array-like of shape (out_features,)
        :math:`b` (a buffer).
    shift : array-like of shape (in_features,)
        Subtracted from the input before :math:`A` (a buffer).
    residual : nn.Module
        The learned part :math:`r`, mapping ``in_features`` to ``out_features``.
        Its last layer is set to zero unless ``gate=True``.
    gate : bool, default=False
        Multiply the residual by a learned scalar :math:`\gamma` that starts at 0
        (for residuals without a last layer of their own, e.g. a tied decoder).
        Otherwise :math:`\gamma = 1`.
    """

    def __init__(self, weight, bias, shift, residual, gate=False):
        super().__init__()
        self.register_buffer("weight", _buffer(weight))
        self.register_buffer("bias", _buffer(bias))
        self.register_buffer("shift", _buffer(shift))
        self.residual = residual
        if gate or not zero_last_layer(residual):
            self.gate = nn.Parameter(torch.zeros(()))
        else:
            self.gate = None

    def affine(self, x):
        """The fixed part alone."""
        return nn.functional.linear(x - self.shift, self.weight, self.bias)

    def forward(self, x):
        if not torch.is_grad_enabled() and self.gate is None:
            # a factorised last layer (skgen.nn._lowrank) takes the fixed part into its products
            residual = self.residual
            if isinstance(residual, nn.Sequential) and len(residual) > 1:
                head = getattr(residual[-1], "forward_with_affine", None)
                if head is not None:
                    hidden = x
                    for layer in list(residual)[:-1]:
                        hidden = layer(hidden)
                    return head(hidden, x - self.shift, self.weight, self.bias)
        r = self.residual(x)
        if self.gate is not None:
            r = self.gate * r
        return self.affine(x) + r

    def extra_repr(self):
        out, inp = self.weight.shape
        return f"in_features={inp}, out_features={out}, gate={self.gate is not None}"




def pca_autoencoder_maps(
    X, n_components, encoder_residual, decoder_residual, *, gate_decoder=False, whiten=False
):
    """Encoder and decoder that start as PCA: code = projection, decoder its transpose.

    ``X`` is in the network's input space (centred, divided by one global scale), so
    the codes are PCA's scores divided by that scale: PCA's geometry (distances,
    hence kNN, are PCA's up to one factor) at the data's own order of magnitude,
    which suits the linear models, kernels and neighbours put after them.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Training data in the network's input space.
    n_components : int
    encoder_residual, decoder_residual : nn.Module
    gate_decoder : bool, default=False
        Gate the decoder's residual (see :class:`AffineResidual`).
    whiten : bool, default=False
        Divide each score by its standard deviation (codes with unit variances,
        for models whose codes must match an :math:`N(0, I)` prior).

    Returns
    -------
    encoder, decoder : AffineResidual
    basis : PCABasis
    """
    basis = pca_basis(X, n_components)
    std = np.ones(n_components)
    if whiten:
        std = np.where(basis.variances > 0, np.sqrt(np.maximum(basis.variances, 1e-300)), 1.0)
    encoder = AffineResidual(
        basis.components / std[:, None], np.zeros(n_components), basis.mean, encoder_residual
    )
    decoder = AffineResidual(
        basis.components.T * std, basis.mean, np.zeros(n_components), decoder_residual,
        gate=gate_decoder,
    )
    return encoder, decoder, basis


def ppca_variational_maps(X, n_components, encoder_residual, decoder_residual, n_conditions=0):
    r"""Gaussian encoder and decoder that start as probabilistic PCA's maximum-likelihood fit.

    With the principal variances :math:`\lambda_i` and the noise :math:`\sigma^2`
    (mean discarded variance), the decoder mean is :math:`W z + m` with
    :math:`W = U (\Lambda - \sigma^2)^{1/2}`, and :math:`q(z \mid x)` the exact
    posterior: mean :math:`\Lambda^{-1} W^\top (x - m)`, variance
    :math:`\sigma^2 \Lambda^{-1}` (Tipping and Bishop, 1999). The encoder residual
    maps to ``2 * n_components`` outputs (mean, log-variance). With ``n_conditions``
    > 0 both maps also take that many conditioning columns (appended to their input),
    which the fixed part ignores.

    Returns
    -------
    encoder, decoder : AffineResidual
    noise_variance : float
        :math:`\sigma^2` (floored at 1e-4 times the mean feature variance).
    """
    basis = pca_basis(X, n_components)
    k = n_components
    floor = 1e-4 * max(_mean_variance(X), 1e-12)
    noise = max(basis.noise_variance, floor)
    lam = basis.variances
    active = lam > noise
    scale = np.where(active, np.sqrt(np.clip(lam - noise, 0, None)), 0.0)
    enc_weight = np.zeros((2 * k, X.shape[1]))
    enc_weight[:k] = (np.where(active, scale / np.where(active, lam, 1.0), 0.0))[:, None] * basis.components
    enc_bias = np.zeros(2 * k)
    enc_bias[k:] = np.where(active, np.log(noise / np.where(active, lam, 1.0)), 0.0)
    c = int(n_conditions)
    enc_weight = np.hstack([enc_weight, np.zeros((2 * k, c))])
    dec_weight = np.hstack([basis.components.T * scale, np.zeros((X.shape[1], c))])
    encoder = AffineResidual(enc_weight, enc_bias, np.r_[basis.mean, np.zeros(c)], encoder_residual)
    decoder = AffineResidual(dec_weight, basis.mean, np.zeros(k + c), decoder_residual)
    return encoder, decoder, noise


class Logit(nn.Module):
    """The inverse of the sigmoid, on values clipped to ``[eps, 1 - eps]``.

    Put in front of a PCA-initialised decoder when the code is a sigmoid of the
    encoder's output, so that the decoder's fixed part reads the PCA scores back.
    """

    def __init__(self, eps=1e-6):
        super().__init__()
        self.eps = float(eps)

    def forward(self, h):
        return torch.logit(h, eps=self.eps)
