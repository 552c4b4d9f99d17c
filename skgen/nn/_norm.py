r"""Normalisation layers for adversarial networks.

Plain batch normalisation makes each output depend on the other rows of its
batch, which in a generator correlates the samples of a batch and in a
critic breaks per-sample gradient penalties. The layers here are the fixes
of Salimans et al. (2016) and the per-sample alternative:

* :class:`GroupBatchNorm`: batch normalisation whose training statistics
  are computed separately within each of ``groups`` equal sub-batches (a
  discriminator scores real and fake rows in one pass, but each kind gets
  its own statistics, as in DCGAN's separate real and fake batches);
* :class:`ReferenceBatchNorm`: statistics of a fixed *reference batch*
  (``virtual=False``), or of the reference batch plus the row itself
  (``virtual=True``, virtual batch normalisation). The reference rows
  travel in front of the batch through the network, so every layer sees
  their activations; an output never depends on the other rows of its batch;
* ``"layer"``: :class:`torch.nn.GroupNorm` with one group, i.e. layer
  normalisation over channels and positions of each row.

Layers that need to know the batch structure take ``forward(x, groups=1,
n_reference=0)`` (see :func:`is_structured`); :func:`make_norm` builds them
by name.
"""

from __future__ import annotations

import torch
from torch import nn

__all__ = [
    "NORMS",
    "GroupBatchNorm",
    "ReferenceBatchNorm",
    "is_structured",
    "make_norm",
    "needs_reference",
]

#: Normalisation names accepted by :func:`make_norm` (None: no layer).
NORMS = ("batch", "reference", "virtual", "layer")


class GroupBatchNorm(nn.BatchNorm2d):
    """Batch normalisation with separate training statistics per sub-batch.

    In training mode a batch of ``groups * m`` rows is normalised as
    ``groups`` batches of ``m`` rows (a batch that does not split evenly is
    normalised as one); in eval mode the running statistics are used, as
    for :class:`torch.nn.BatchNorm2d`. Works for ``(n, C)`` and
    ``(n, C, H, W)`` inputs.
    """

    def _check_input_dim(self, input):
        if input.dim() not in (2, 4):
            raise ValueError(f"expected 2D or 4D input (got {input.dim()}D input)")

    def forward(self, x, groups=1, n_reference=0):
        if not self.training or groups <= 1 or len(x) % groups:
            return super().forward(x)
        return torch.cat([super(GroupBatchNorm, self).forward(part) for part in x.chunk(groups)])


class ReferenceBatchNorm(nn.Module):
    r"""Reference (``virtual=False``) or virtual (``virtual=True``) batch normalisation.

    The first ``n_reference`` rows of the input are the reference batch
    :math:`R`. With :math:`\mu_R, \overline{x^2}_R` the per-channel mean and
    mean square over the rows and positions of :math:`R`:

    * reference rows and, with ``virtual=False``, every row are normalised
      with :math:`\mu_R` and :math:`\sigma^2_R = \overline{x^2}_R - \mu_R^2`;
    * with ``virtual=True``, row :math:`x_i` is normalised with the
      statistics of :math:`R \cup \{x_i\}`:
      :math:`\mu_i = \tfrac{1}{|R|+1}\bar x_i + \tfrac{|R|}{|R|+1}\mu_R`
      and likewise for the mean square (Salimans et al., 2016).

    Either way an output depends only on its own row and the reference
    batch, in training and in eval mode alike (there are no running
    statistics). Gradients flow through the reference statistics.

    Parameters
    ----------
    num_features : int
        Channels (dimension 1 of the input).
    virtual : bool, default=True
    eps : float, default=1e-5
    """

    def __init__(self, num_features, virtual=True, eps=1e-5):
        super().__init__()
        self.num_features = num_features
        self.virtual = virtual
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(num_features))
        self.bias = nn.Parameter(torch.zeros(num_features))

    def forward(self, x, groups=1, n_reference=0):
        if n_reference < 1:
            raise ValueError(
                "ReferenceBatchNorm needs the reference batch in front of its input "
                "(n_reference >= 1); the network has no reference batch set."
            )
        shape = (1, -1) + (1,) * (x.dim() - 2)
        spatial = tuple(range(2, x.dim()))
        ref = x[:n_reference]
        dims = (0, *spatial)
        mean_r, sq_r = ref.mean(dims), ref.pow(2).mean(dims)
        mean, sq = mean_r.view(shape), sq_r.view(shape)
        if self.virtual:
            own_mean = x.mean(spatial) if spatial else x
            own_sq = x.pow(2).mean(spatial) if spatial else x.pow(2)
            c = 1.0 / (n_reference + 1)
            mean_v = c * own_mean + (1 - c) * mean_r
            sq_v = c * own_sq + (1 - c) * sq_r
            # the reference rows keep the reference statistics (they define them)
            is_ref = torch.arange(len(x), device=x.device) < n_reference
            mean_v = torch.where(is_ref[:, None], mean_r, mean_v)
            sq_v = torch.where(is_ref[:, None], sq_r, sq_v)
            mean = mean_v.view(len(x), -1, *(1,) * len(spatial))
            sq = sq_v.view(len(x), -1, *(1,) * len(spatial))
        var = (sq - mean.pow(2)).clamp_min(0.0)
        out = (x - mean) * torch.rsqrt(var + self.eps)
        return out * self.weight.view(shape) + self.bias.view(shape)

    def extra_repr(self):
        return f"{self.num_features}, virtual={self.virtual}, eps={self.eps}"


def make_norm(norm, num_features):
    """A normalisation layer by name (see :data:`NORMS`), or None for ``norm=None``."""
    if norm is None:
        return None
    if norm == "batch":
        return GroupBatchNorm(num_features)
    if norm in ("reference", "virtual"):
        return ReferenceBatchNorm(num_features, virtual=norm == "virtual")
    if norm == "layer":
        return nn.GroupNorm(1, num_features)
    raise ValueError(f"Unknown normalisation {norm!r}; expected None or one of {NORMS}.")


def is_structured(layer):
    """Whether ``layer`` takes ``groups`` and ``n_reference`` keyword arguments."""
    return isinstance(layer, (GroupBatchNorm, ReferenceBatchNorm))


def needs_reference(norm):
    """Whether the normalisation ``norm`` needs a reference batch."""
    return norm in ("reference", "virtual")

