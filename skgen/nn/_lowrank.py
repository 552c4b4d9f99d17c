r"""Output layers whose wide categorical blocks are factorised (low rank).

A decoder's last layer maps the last hidden layer :math:`h` (128 units by default)
to every encoded column. For a categorical column with a thousand levels that is a
``128 x 1000`` product per row, most of the cost of a fit and of ``sample``.
:class:`BlockFactorizedLinear` keeps a full ``Linear`` for the other columns and
gives each wide block :math:`b` the logits

.. math:: \ell_b(h) = (h A_b^\top) B_b^\top + c_b,

with :math:`A_b` of shape ``(rank, in_features)`` and :math:`B_b` of shape
``(width, rank)``: the level embeddings :math:`B_b` (one row of ``rank`` numbers per
level) scored against a ``rank``-dimensional projection of :math:`h`. The bias
:math:`c_b` is full, so the marginal frequency of every level is still free; only the
way the levels depend on the code is restricted to ``rank`` directions.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

__all__ = ["BlockFactorizedLinear", "factorize_output", "wide_blocks"]

#: Categorical blocks of at least this many columns get a factorised head.
WIDE_BLOCK_WIDTH = 128
#: Rank of the factorised heads.
WIDE_BLOCK_RANK = 16


def wide_blocks(layout, min_width=None):
    """The categorical blocks of ``layout`` with at least ``min_width`` columns, in order."""
    min_width = WIDE_BLOCK_WIDTH if min_width is None else int(min_width)
    return tuple(b for b in layout or () if b.kind == "categorical" and b.width >= min_width)


class BlockFactorizedLinear(nn.Module):
    """``Linear(in_features, out_features)`` with some column blocks of rank ``rank``.

    Parameters
    ----------
    in_features, out_features : int
    blocks : sequence of (start, stop)
        Disjoint, sorted column ranges whose weights are factorised.
    rank : int

    Attributes
    ----------
    weight : Parameter of shape (out_features - factorised columns, in_features)
        The full-rank rows, for the other columns in order.
    bias : Parameter of shape (out_features,)
    factors_in : ParameterList
        :math:`A_b`, shape ``(rank, in_features)`` per block.
    factors_out : ParameterList
        :math:`B_b`, shape ``(width, rank)`` per block.
    """

    def __init__(self, in_features, out_features, blocks, rank):
        super().__init__()
        self.in_features, self.out_features, self.rank = int(in_features), int(out_features), int(rank)
        self.blocks = tuple((int(a), int(b)) for a, b in blocks)
        # segments of the output, in order: ("full", start, stop, row0) or ("low", start, stop, i)
        segments, position, row = [], 0, 0
        for i, (start, stop) in enumerate(self.blocks):
            if not position <= start < stop <= self.out_features:
                raise ValueError(f"blocks must be sorted, disjoint ranges; got {self.blocks}.")
            if start > position:
                segments.append(("full", position, start, row))
                row += start - position
            segments.append(("low", start, stop, i))
            position = stop
        if position < self.out_features:
            segments.append(("full", position, self.out_features, row))
            row += self.out_features - position
        self._segments = tuple(segments)
        self.weight = nn.Parameter(torch.empty(row, self.in_features))
        self.bias = nn.Parameter(torch.empty(self.out_features))
        self.factors_in = nn.ParameterList(
            [nn.Parameter(torch.empty(self.rank, self.in_features)) for _ in self.blocks]
        )
        self.factors_out = nn.ParameterList(
            [nn.Parameter(torch.empty(b - a, self.rank)) for a, b in self.blocks]
        )
        self.reset_parameters()

    def reset_parameters(self):
        """``nn.Linear``'s initialisation for the full rows and the bias; for a block,
        factors whose product has about the variance of a ``Linear``'s weight."""
        nn.init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        bound = 1 / math.sqrt(self.in_features) if self.in_features else 0.0
        nn.init.uniform_(self.bias, -bound, bound)
        # Orthogonal rows of norm sqrt(2 in / rank) for A: with B = 0 at the start (a
        # zero-initialised residual) the head learns first through B, whose updates reach
        # the logits through A; kaiming-sized rows made a 200-level column learn about
        # three times slower than with a full layer (held-out cross-entropy after 40
        # epochs 4.23 nats vs 3.91; this init: 3.93; tests/test_wide_columns.py).
        gain = math.sqrt(2.0 * self.in_features / self.rank)
        for a, b in zip(self.factors_in, self.factors_out):
            nn.init.orthogonal_(a, gain=gain)
            nn.init.uniform_(b, -1 / math.sqrt(self.in_features), 1 / math.sqrt(self.in_features))

    def zero_output_(self):
        """Set the output to zero while gradients still reach every factor (``B = 0``,
        ``A`` kept random, as for a zero-initialised residual's last layer)."""
        with torch.no_grad():
            self.weight.zero_()
            self.bias.zero_()
            for b in self.factors_out:
                b.zero_()

    def forward(self, h):
        parts = []
        for kind, start, stop, index in self._segments:
            if kind == "full":
                parts.append(
                    F.linear(h, self.weight[index : index + stop - start], self.bias[start:stop])
                )
            else:
                low = F.linear(h, self.factors_in[index])
                parts.append(F.linear(low, self.factors_out[index], self.bias[start:stop]))
        return parts[0] if len(parts) == 1 else torch.cat(parts, dim=1)

    def forward_with_affine(self, h, x, weight, bias):
        """``forward(h) + F.linear(x, weight, bias)`` without autograd (e.g. for ``sample``).

        The fixed affine part of a PCA-initialised decoder (see
        :class:`~skgen.nn.AffineResidual`) joins each product as extra inner
        columns: a wide block's logits are one product of ``[h A^T, x]`` with
        ``[B, W]`` (inner size ``rank + x``'s width), with no second pass over the
        output to add the fixed part and its bias.
        """
        # every product writes into its columns of one output (BLAS takes the row stride):
        # no concatenation, whose copy and second large buffer cost as much as the product
        out = h.new_empty(len(h), self.out_features)
        hx = None
        for kind, start, stop, index in self._segments:
            b = self.bias[start:stop] + bias[start:stop]
            if kind == "full":
                hx = torch.cat([h, x], 1) if hx is None else hx
                w = torch.cat([self.weight[index : index + stop - start], weight[start:stop]], 1)
                torch.addmm(b, hx, w.t(), out=out[:, start:stop])
            else:
                low = torch.cat([F.linear(h, self.factors_in[index]), x], 1)
                w = torch.cat([self.factors_out[index], weight[start:stop]], 1)
                torch.addmm(b, low, w.t(), out=out[:, start:stop])
        return out

    def extra_repr(self):
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"factorised_blocks={self.blocks}, rank={self.rank}"
        )


def factorize_output(layer, layout=None, *, rank=None, min_width=None):
    """``layer`` (a decoder's last ``nn.Linear``) with its wide categorical blocks factorised.

    Returns ``layer`` itself when ``layout`` has no categorical block of at least
    ``min_width`` columns for which the factorisation is smaller than the full
    product, else a new :class:`BlockFactorizedLinear` of the same shape (freshly
    initialised, as ``layer`` was: a decoder's layers are built before training).
    """
    rank = WIDE_BLOCK_RANK if rank is None else int(rank)
    n_in, n_out = layer.in_features, layer.out_features
    blocks = [
        (b.start, b.stop)
        for b in wide_blocks(layout, min_width)
        if b.stop <= n_out and rank * (n_in + b.width) < n_in * b.width
    ]
    if not blocks or rank < 1:
        return layer
    return BlockFactorizedLinear(n_in, n_out, blocks, rank)
