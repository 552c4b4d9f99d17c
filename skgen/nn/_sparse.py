"""Code activations that make a code sparse."""

from __future__ import annotations

import torch
from torch import nn


class TopK(nn.Module):
    """Keep the ``k`` largest values of each row and set the others to 0.

    The k-sparse autoencoder's code activation (Makhzani and Frey, 2014):
    the output has exactly ``k`` non-zero entries per row (unless some of the
    ``k`` largest values are themselves 0). Gradients flow through the kept
    entries only. ``k`` is a plain attribute, so a schedule may change it
    during training.

    Parameters
    ----------
    k : int
    """

    def __init__(self, k):
        super().__init__()
        self.k = int(k)

    def forward(self, h):
        k = min(self.k, h.shape[1])
        if k >= h.shape[1]:
            return h
        _, index = h.topk(k, dim=1)
        mask = torch.zeros_like(h, dtype=torch.bool).scatter_(1, index, True)
        return h * mask

    def extra_repr(self):
        return f"k={self.k}"
