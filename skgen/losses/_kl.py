r"""Kullback-Leibler divergences and the variational autoencoder's criterion.

* :func:`gaussian_kl`: :math:`\mathrm{KL}(N(\mu, \mathrm{diag}\,\sigma^2) \,\|\, N(0, I))`
  per sample, in closed form;
* :func:`bernoulli_kl`: :math:`\mathrm{KL}(\mathrm{Bern}(\rho) \,\|\, \mathrm{Bern}(\hat\rho))`,
  the sparsity penalty of sparse autoencoders;
* :func:`gaussian_nll`, :func:`optimal_log_var`, :func:`likelihood_nll`:
  the likelihood of a decoder over a layout, Gaussian with one shared
  (calibrated) variance for numeric blocks;
* :class:`VAECriterion`: the negative ELBO, with :math:`\beta` and a KL
  warm-up factor.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from .._config import accumulation_dtype
from .._layout import compile_layout

_LOG_2PI = math.log(2.0 * math.pi)
MIN_NOISE_VAR = 1e-6


def gaussian_kl(mean, logvar):
    r"""Closed-form KL divergence from :math:`N(\mu, \mathrm{diag}\,\sigma^2)` to :math:`N(0, I)`.

    .. math:: \mathrm{KL} = \tfrac12 \sum_j \left(\mu_j^2 + \sigma_j^2
              - \log \sigma_j^2 - 1\right)

    Parameters
    ----------
    mean : Tensor of shape (n_samples, n_components)
    logvar : Tensor of shape (n_samples, n_components)
        :math:`\log \sigma^2`.

    Returns
    -------
    kl : Tensor of shape (n_samples,)
    """
    return 0.5 * (mean.pow(2) + logvar.exp() - logvar - 1.0).sum(dim=1)


def bernoulli_kl(rho, rho_hat, eps=1e-6):
    r"""KL divergence between Bernoulli distributions, summed over the last axis.

    .. math:: \sum_j \rho \log\frac{\rho}{\hat\rho_j}
              + (1 - \rho) \log\frac{1 - \rho}{1 - \hat\rho_j}

    This is the sparsity penalty of Ng's sparse autoencoder: :math:`\rho` is
    the target mean activation and :math:`\hat\rho_j` the observed mean
    activation of code unit :math:`j`. It is 0 exactly when
    :math:`\hat\rho_j = \rho` for every unit.

    Parameters
    ----------
    rho : float or Tensor
        Target probability, in (0, 1).
    rho_hat : Tensor of shape (..., n_units)
        Observed probabilities, clipped to :math:`[\epsilon, 1 - \epsilon]`.
    eps : float, default=1e-6

    Returns
    -------
    kl : Tensor of shape (...)
    """
    rho = torch.as_tensor(rho, dtype=rho_hat.dtype, device=rho_hat.device)
    rho_hat = rho_hat.clamp(eps, 1.0 - eps)
    kl = rho * torch.log(rho / rho_hat) + (1.0 - rho) * torch.log((1.0 - rho) / (1.0 - rho_hat))
    return kl.sum(dim=-1)


def gaussian_nll(mean, target, log_var):
    r"""Per-sample negative log-likelihood under :math:`N(\hat x, \mathrm{diag}\,\sigma^2)`.

    .. math:: \sum_{j=1}^d \frac{(x_j - \hat x_j)^2}{2 \sigma_j^2}
              + \tfrac12 \left(\log \sigma_j^2 + \log 2\pi\right)

    Parameters
    ----------
    mean : Tensor of shape (n_samples, d)
    target : Tensor of shape (n_samples, d)
    log_var : float, scalar Tensor or Tensor of shape (d,)
        :math:`\log \sigma^2`, shared by all features or one per feature.

    Returns
    -------
    nll : Tensor of shape (n_samples,)
    """
    log_var = torch.as_tensor(log_var, dtype=mean.dtype, device=mean.device)
    log_var = log_var.expand(mean.shape[1])
    sq = (target - mean).pow(2) * torch.exp(-log_var)
    return 0.5 * (sq + log_var + _LOG_2PI).sum(dim=1)


def _numeric_index(layout, device):
    """The numeric columns (a slice or an index tensor), from the cached compiled layout."""
    return compile_layout(layout, device).numeric


def optimal_log_var(raw, target, layout, min_var=MIN_NOISE_VAR):
    r"""Log of the shared variance that maximises the Gaussian likelihood of a batch.

    :math:`\hat\sigma^2 = \frac{1}{n d} \sum_{i, j} (x_{ij} - \hat x_{ij})^2` over
    the numeric blocks (at least ``min_var``), detached: this is the
    "calibrated decoder" of Rybkin et al. (2021), which makes the balance
    between the reconstruction and the KL term independent of the scale of
    the data. Returns 0 when the layout has no numeric block.
    """
    compiled = compile_layout(layout, raw.device, raw.shape[1])
    if compiled.numeric is None:
        return raw.new_zeros(())
    with torch.no_grad():
        mse = (compiled.numeric_columns(raw) - compiled.numeric_columns(target)).pow(2).mean()
    return torch.log(mse.clamp(min=min_var))


def likelihood_nll(raw, target, layout, log_var):
    """Per-sample negative log-likelihood of ``target`` over a layout.

    Numeric blocks are Gaussian with the shared variance ``exp(log_var)``
    (:func:`gaussian_nll`); binary and categorical blocks use
    :func:`~skgen.losses.reconstruction_loss` (Bernoulli and categorical
    likelihoods on logits).

    Parameters
    ----------
    raw : Tensor of shape (n_samples, width)
        Raw decoder outputs.
    target : Tensor of shape (n_samples, width)
    layout : sequence of Block
    log_var : float or scalar Tensor

    Returns
    -------
    nll : Tensor of shape (n_samples,)
    """
    compiled = compile_layout(layout, raw.device, raw.shape[1])
    total = compiled.loss(raw, target, numeric=False)
    if compiled.numeric is not None:
        total = total + gaussian_nll(
            compiled.numeric_columns(raw), compiled.numeric_columns(target), log_var
        )
    return total


class VAECriterion(nn.Module):
    r"""The negative evidence lower bound of a (β-)variational autoencoder.

    Returns two named terms, averaged over the batch:

    * ``"reconstruction"``: :math:`-\log p(x \mid z)` with :math:`z` drawn
      from :math:`q(z \mid x)` (see :func:`likelihood_nll`); numeric blocks
      use the module's per-column variance (``module.observation_log_var()``)
      if it has one, else the batch's maximum-likelihood variance
      (:func:`optimal_log_var`);
    * ``"kl"``: :math:`\gamma_t \beta\, \mathrm{KL}(q(z \mid x) \,\|\, N(0, I))`,
      where :math:`\gamma_t` (attribute ``kl_scale``) is raised from 0 to 1
      during a warm-up by a callback.

    The module's output must hold ``"recon"``, ``"mean"`` and ``"logvar"``.

    ``forward`` has a side effect: with a module that has a per-column variance,
    in train mode with gradients enabled (a training batch), it adds the batch's
    squared residuals of each numeric column :math:`j`,
    :math:`\sum_i (x_{ij} - \hat x_{ij})^2` with :math:`\hat x = g(z)`,
    :math:`z \sim q(z \mid x)`, to ``residual_sq_sum_`` (float64; float32 on mps)
    and the batch's row count to ``residual_count_``. :meth:`residual_variance`
    turns them into the closed-form M-step of the observation variance
    (applied once per epoch by
    :class:`~skgen.autoencoder._callbacks.ObservationNoiseUpdate`, which also
    resets them). Validation and evaluation batches (eval mode or no
    gradients) add nothing.

    Parameters
    ----------
    layout : sequence of Block
        Output blocks of the decoder and their likelihoods.
    beta : float, default=1.0
        Weight :math:`\beta` of the KL term.

    Attributes
    ----------
    kl_scale : float
        The warm-up factor :math:`\gamma_t` (set by a callback).
    residual_sq_sum_ : torch.Tensor of shape (n_numeric,) or None
        Sum of the squared residuals of the numeric columns over the training
        batches since the last reset, or None.
    residual_count_ : int
        Number of rows in that sum.
    """

    def __init__(self, layout, beta=1.0):
        super().__init__()
        self.layout = tuple(layout)
        self.beta = float(beta)
        self.kl_scale = 1.0
        self.reset_residual_statistics()

    def reset_residual_statistics(self):
        """Forget the squared residuals accumulated by the training batches."""
        self.residual_sq_sum_ = None
        self.residual_count_ = 0

    def residual_variance(self):
        """Mean squared residual per numeric column over the accumulated batches, or None.

        Residuals of training batches (``z`` drawn from :math:`q(z \\mid x)`), so this is
        the variance that maximises the expected log-likelihood term of the ELBO for
        the current decoder: the closed-form M-step of the observation noise.
        """
        if self.residual_sq_sum_ is None or not self.residual_count_:
            return None
        return self.residual_sq_sum_ / self.residual_count_

    def forward(self, output, X, module=None):
        raw = output["recon"]
        learned = None if module is None else getattr(module, "observation_log_var", None)
        learned = None if learned is None else learned()
        if learned is None:
            log_var = optimal_log_var(raw, X, self.layout)
        else:  # a learned variance per numeric column
            index = _numeric_index(self.layout, raw.device)
            log_var = learned if index is None else learned[index]
            if index is not None and module.training and torch.is_grad_enabled():
                compiled = compile_layout(self.layout, raw.device, raw.shape[1])
                with torch.no_grad():
                    sq = (compiled.numeric_columns(raw) - compiled.numeric_columns(X)).pow(2)
                    sq = sq.sum(dim=0, dtype=accumulation_dtype(sq.device))
                self.residual_sq_sum_ = sq if self.residual_sq_sum_ is None else self.residual_sq_sum_ + sq
                self.residual_count_ += len(X)
        nll = likelihood_nll(raw, X, self.layout, log_var)
        kl = gaussian_kl(output["mean"], output["logvar"])
        return {
            "reconstruction": nll.mean(),
            "kl": (self.kl_scale * self.beta) * kl.mean(),
        }
