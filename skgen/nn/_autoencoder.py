"""The autoencoder module: encoder, optional corruption and code activation, decoder."""

from __future__ import annotations

from torch import nn


class AutoencoderModule(nn.Module):
    """Encoder and decoder, with an optional input corruption and code activation.

    ``forward`` returns a dict so that criteria can read whatever they need:

    * ``"input"``: the (possibly corrupted) input the encoder saw;
    * ``"code"``: the code :math:`h = a(f(\\tilde x))`;
    * ``"recon"``: the decoder's raw output :math:`g(h)` (logits for
      binary/categorical blocks; see :mod:`skgen._layout`).

    Parameters
    ----------
    encoder, decoder : nn.Module
    corruption : nn.Module or None, default=None
        Applied to the input before encoding; it must be the identity in eval
        mode (see :class:`~skgen.nn.Corruption`).
    code_activation : nn.Module or None, default=None
        Applied to the encoder output to give the code (e.g. a sigmoid for a
        KL-sparse code, top-k for a k-sparse one).
    """

    def __init__(self, encoder, decoder, corruption=None, code_activation=None):
        super().__init__()
        self.encoder = encoder
        self.decoder = decoder
        self.corruption = corruption
        self.code_activation = code_activation

    def encode(self, x):
        """The deterministic code used by ``transform``."""
        h = self.encoder(x)
        return h if self.code_activation is None else self.code_activation(h)

    def decode(self, z):
        """Raw decoder output for codes ``z``."""
        return self.decoder(z)

    def forward(self, x):
        x_in = x if self.corruption is None else self.corruption(x)
        code = self.encode(x_in)
        return {"input": x_in, "code": code, "recon": self.decoder(code)}
