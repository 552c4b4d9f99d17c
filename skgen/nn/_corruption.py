"""Input corruption for denoising autoencoders (active in train mode only)."""

from __future__ import annotations

import torch
from torch import nn

CORRUPTIONS = ("gaussian", "masking", "salt_pepper")


class Corruption(nn.Module):
    r"""Corrupt a batch of inputs; the identity in eval mode.

    Parameters
    ----------
    kind : {"gaussian", "masking", "salt_pepper"}
        * ``"gaussian"``: :math:`\tilde x_j = x_j + \sigma_j \epsilon`,
          :math:`\epsilon \sim N(0, 1)`, with :math:`\sigma_j` = ``level`` times
          the scale of feature ``j``;
        * ``"masking"``: each entry is replaced by ``fill`` (the feature's mean
          in the network's input space) with probability ``level``;
        * ``"salt_pepper"``: each entry is replaced with probability ``level``
          by the feature's minimum or maximum, with equal chance.
    level : float
    scale, fill, low, high : Tensor of shape (n_features,) or None
        Per-feature statistics of the training inputs (in the network's input
        space). Defaults: scale 1, fill 0, low 0, high 1.
    """

    def __init__(self, kind, level, scale=None, fill=None, low=None, high=None):
        super().__init__()
        if kind not in CORRUPTIONS:
            raise ValueError(f"Unknown corruption {kind!r}; expected one of {CORRUPTIONS}.")
        self.kind = kind
        self.level = float(level)
        for name, value, default in (
            ("scale", scale, 1.0),
            ("fill", fill, 0.0),
            ("low", low, 0.0),
            ("high", high, 1.0),
        ):
            tensor = torch.as_tensor(default if value is None else value, dtype=torch.float32)
            self.register_buffer(name, tensor)

    def forward(self, x):
        if not self.training or self.level == 0:
            return x
        if self.kind == "gaussian":
            return x + self.level * self.scale * torch.randn_like(x)
        hit = torch.rand_like(x) < self.level
        if self.kind == "masking":
            return torch.where(hit, self.fill.expand_as(x), x)
        salt = torch.rand_like(x) < 0.5
        replacement = torch.where(salt, self.high.expand_as(x), self.low.expand_as(x))
        return torch.where(hit, replacement, x)

    def extra_repr(self):
        return f"kind={self.kind!r}, level={self.level}"
