r"""The variational autoencoder module: a Gaussian encoder and a decoder."""

from __future__ import annotations

import torch
from torch import nn

LOGVAR_RANGE = (-12.0, 8.0)


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
        out = self.net(x)
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
    """

    def __init__(self, encoder, decoder):
        super().__init__()
        self.encoder = encoder
        self.decoder = decoder

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
