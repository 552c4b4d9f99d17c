r"""The variational autoencoder module: a Gaussian encoder and a decoder."""

from __future__ import annotations

import torch
from torch import nn

from .._conditions import ConditionRows, conditioned_forward
from .._config import accumulation_dtype

LOGVAR_RANGE = (-12.0, 8.0)
#: Range of the learned observation log-variance (network space, where the mean
#: feature variance is about 1).
NOISE_LOGVAR_RANGE = (-9.2, 4.6)


class GaussianEncoder(nn.Module):
    r"""Wrap a network with ``2 k`` outputs into the parameters of :math:`q(z \mid x)`.

    The first ``k`` outputs are the mean :math:`\mu(x)`, the last ``k`` the
    log-variance :math:`\log \sigma^2(x)` (clipped to ``[-12, 8]`` so that
    :math:`\sigma^2` can neither vanish nor overflow): two linear heads on a
    shared body.

    Parameters
    ----------
    net : nn.Module
        Maps inputs to ``2 * n_components`` values.
    n_components : int
    """

    def __init__(self, net, n_components):
        super().__init__()
        self.net = net
        self.n_components = int(n_components)

    def forward(self, x):
        return self.split(self.net(x))

    def split(self, out):
        """The network's output -> (mean, clipped log-variance)."""
        mean, logvar = out[:, : self.n_components], out[:, self.n_components :]
        return mean, logvar.clamp(*LOGVAR_RANGE)


class VariationalAutoencoderModule(nn.Module):
    r"""Gaussian encoder :math:`q(z \mid x)` and decoder :math:`p(x \mid z)`.

    ``forward`` returns a dict:

    * ``"input"``: the input;
    * ``"mean"``, ``"logvar"``: the parameters of :math:`q(z \mid x)`;
    * ``"code"``: :math:`z = \mu + \sigma \odot \epsilon`,
      :math:`\epsilon \sim N(0, I)` (the reparameterisation trick) in train
      mode, :math:`z = \mu` in eval mode;
    * ``"recon"``: the decoder's raw output for :math:`z`.

    ``encode`` returns the posterior mean (what ``transform`` gives).

    Parameters
    ----------
    encoder : GaussianEncoder
    decoder : nn.Module
    log_noise_var : array-like of shape (n_outputs,) or None, default=None
        Initial log-variance of a learned per-column Gaussian observation noise
        (a parameter, clipped to ``NOISE_LOGVAR_RANGE`` when used); None for
        none (the criterion then calibrates one shared variance per batch).
    shared_noise : bool, default=False
        Learn one variance for all columns (isotropic noise, as in probabilistic
        PCA), initialised at the mean of ``log_noise_var``.
    """

    def __init__(self, encoder, decoder, log_noise_var=None, shared_noise=False):
        super().__init__()
        self.encoder = encoder
        self.decoder = decoder
        if log_noise_var is None:
            self.log_noise_var = None
        else:
            init = torch.as_tensor(log_noise_var, dtype=torch.float32).clamp(*NOISE_LOGVAR_RANGE)
            self._noise_width = len(init)
            self.log_noise_var = nn.Parameter(init.mean().reshape(1) if shared_noise else init.clone())

    def observation_log_var(self):
        """The per-column observation log-variance (clipped), or None."""
        if self.log_noise_var is None:
            return None
        return self.log_noise_var.clamp(*NOISE_LOGVAR_RANGE).expand(self._noise_width)

    def set_observation_variance(self, variance, index=None):
        """Set the observation variance of the columns ``index`` (None: all), clipped.

        With ``shared_noise`` the one variance becomes the mean of ``variance``.
        """
        if self.log_noise_var is None:
            return
        variance = torch.as_tensor(variance)
        variance = variance.to(accumulation_dtype(variance.device))
        log_var = torch.log(variance).clamp(*NOISE_LOGVAR_RANGE)
        with torch.no_grad():
            target = self.log_noise_var
            if target.numel() == 1:
                target.fill_(float(torch.log(log_var.exp().mean())))
            elif index is None:
                target.copy_(log_var.to(target))
            else:
                target[index] = log_var.to(target)

    def encode_stats(self, x):
        """Mean and log-variance of :math:`q(z \\mid x)`."""
        return self.encoder(x)

    def encode(self, x):
        return self.encoder(x)[0]

    def decode(self, z):
        return self.decoder(z)

    def forward(self, x):
        mean, logvar = self.encoder(x)
        if self.training:
            z = mean + torch.exp(0.5 * logvar) * torch.randn_like(mean)
        else:
            z = mean
        return {"input": x, "mean": mean, "logvar": logvar, "code": z, "recon": self.decoder(z)}


class ConditionalVAEModule(VariationalAutoencoderModule):
    r"""A VAE whose encoder and decoder also see a conditional vector :math:`c`.

    :math:`q(z \mid x, c)` and :math:`p(x \mid z, c)`, with :math:`c` drawn by
    ``conditioner.training_vectors(x)`` in train mode (a one-hot of the row's own value
    in one categorical column, or zeros; see :mod:`skgen._conditions`) and zeros in
    eval mode unless given. ``sample(n, conditions=...)`` decodes prior draws with the
    requested :math:`c`.

    Parameters
    ----------
    encoder : GaussianEncoder
        Takes ``n_features + conditioner.width`` inputs.
    decoder : nn.Module
        Takes ``n_components + conditioner.width`` inputs.
    conditioner : ColumnConditioner
    """

    def __init__(self, encoder, decoder, conditioner, log_noise_var=None, shared_noise=False):
        super().__init__(encoder, decoder, log_noise_var, shared_noise)
        self.conditioner = conditioner

    def _conditioned(self, net, h, c):
        """``net(cat([h, c]))``; ``c``: dense, :class:`~skgen._conditions.ConditionRows`
        or None (zeros), the last two without the dense condition columns."""
        if c is None or isinstance(c, ConditionRows):
            return conditioned_forward(net, h, c, self.conditioner.width)
        return net(torch.cat([h, c], dim=1))

    def encode_stats(self, x, c=None):
        return self._conditioned(self.encoder, x, c)

    def encode(self, x, c=None):
        return self.encode_stats(x, c)[0]

    def decode(self, z, c=None):
        return self._conditioned(self.decoder, z, c)

    def forward(self, x):
        c = self.conditioner.training_rows(x) if self.training else None
        mean, logvar = self.encode_stats(x, c)
        if self.training:
            z = mean + torch.exp(0.5 * logvar) * torch.randn_like(mean)
        else:
            z = mean
        return {"input": x, "mean": mean, "logvar": logvar, "code": z, "recon": self.decode(z, c)}
