"""Reconstruction losses over a layout (see :mod:`skgen._layout`), all blocks at once."""

from __future__ import annotations

import torch.nn.functional as F
from torch import nn

from .._layout import compile_layout


def reconstruction_loss(raw, target, layout):
    r"""Per-sample negative log-likelihood of ``target`` under the decoder output.

    For each block of the layout:

    * ``numeric``: :math:`\tfrac12 \sum_j (\hat x_j - x_j)^2` (a unit-variance
      Gaussian in the network's input space, up to a constant);
    * ``binary``: :math:`-\sum_j x_j \log \sigma(\hat x_j) + (1 - x_j)\log(1 - \sigma(\hat x_j))`;
    * ``categorical``: :math:`-\sum_k x_k \log \mathrm{softmax}(\hat x)_k`.

    Parameters
    ----------
    raw : Tensor of shape (n_samples, width)
        Raw decoder output (logits for binary and categorical blocks).
    target : Tensor of shape (n_samples, width)
    layout : sequence of Block

    Returns
    -------
    loss : Tensor of shape (n_samples,)
    """
    if len(layout) == 1 and layout[0].start == 0 and layout[0].stop == raw.shape[1]:
        kind = layout[0].kind  # one block over every column: no slicing
        if kind == "numeric":
            return 0.5 * (raw - target).pow(2).sum(dim=1)
        if kind == "binary":
            return F.binary_cross_entropy_with_logits(raw, target, reduction="none").sum(dim=1)
    return compile_layout(layout, raw.device, raw.shape[1]).loss(raw, target)


class ReconstructionCriterion(nn.Module):
    """The loss of a plain autoencoder: one term, ``"reconstruction"``.

    Variants subclass it and add named terms to the returned dict.

    Parameters
    ----------
    layout : sequence of Block
    """

    def __init__(self, layout):
        super().__init__()
        self.layout = tuple(layout)

    def forward(self, output, X, module=None):
        return {"reconstruction": reconstruction_loss(output["recon"], X, self.layout).mean()}
