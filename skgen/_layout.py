"""Column layout of the encoded data a network sees.

A *layout* is a tuple of :class:`Block` objects that partition the columns of
the (encoded) training matrix. Each block says which likelihood/loss and which
output activation the decoder or generator uses for those columns:

============= ====================== ================== ==========================
kind          data in the block      output activation  loss (per sample)
============= ====================== ================== ==========================
``numeric``   real values            identity           :math:`\\tfrac12\\|\\hat x - x\\|^2`
``binary``    values in [0, 1]       sigmoid            binary cross-entropy
``categorical`` one one-hot group    softmax            categorical cross-entropy
============= ====================== ================== ==========================

`skgen.preprocessing.TabularEncoder.output_layout_` produces a layout for mixed
DataFrames; plain numeric arrays get a single ``numeric`` or ``binary`` block.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

BLOCK_KINDS = ("numeric", "binary", "categorical")


@dataclass(frozen=True)
class Block:
    """A contiguous group of encoded columns sharing one output head.

    Parameters
    ----------
    kind : {"numeric", "binary", "categorical"}
        The likelihood of the block (see the module docstring).
    start, stop : int
        The block is ``X[:, start:stop]``.
    column : str or None, default=None
        Name of the original column the block encodes, when there is one.
    """

    kind: str
    start: int
    stop: int
    column: str | None = None

    def __post_init__(self):
        if self.kind not in BLOCK_KINDS:
            raise ValueError(f"Unknown block kind {self.kind!r}; expected one of {BLOCK_KINDS}.")
        if not 0 <= self.start < self.stop:
            raise ValueError(f"Invalid block bounds [{self.start}, {self.stop}).")

    @property
    def slice(self) -> slice:
        return slice(self.start, self.stop)

    @property
    def width(self) -> int:
        return self.stop - self.start


def single_block_layout(n_features: int, kind: str = "numeric") -> tuple[Block, ...]:
    """The layout of a plain numeric matrix: one block of ``kind``."""
    return (Block(kind, 0, n_features),)


def layout_width(layout) -> int:
    return max(block.stop for block in layout)


def apply_output_activations(raw: torch.Tensor, layout, *, hard: bool = False) -> torch.Tensor:
    """Map raw network outputs (logits) to data space block by block.

    Parameters
    ----------
    raw : Tensor of shape (n_samples, width)
    layout : sequence of Block
    hard : bool, default=False
        If True, categorical blocks become exact one-hot vectors (argmax) and
        binary blocks stay probabilities.
    """
    if len(layout) == 1 and layout[0].kind == "numeric":
        return raw
    parts = []
    for block in layout:
        chunk = raw[:, block.slice]
        if block.kind == "numeric":
            parts.append(chunk)
        elif block.kind == "binary":
            parts.append(torch.sigmoid(chunk))
        elif hard:
            parts.append(F.one_hot(chunk.argmax(dim=1), block.width).to(raw.dtype))
        else:
            parts.append(torch.softmax(chunk, dim=1))
    return torch.cat(parts, dim=1)
