r"""Neighbour-embedding losses: UMAP's fuzzy cross-entropy and t-SNE's KL divergence.

Both act on codes computed by an encoder for a mini-batch of rows, and both
criteria add an optional reconstruction term (a decoder trained jointly, for
``inverse_transform``).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from ._reconstruction import reconstruction_loss

__all__ = [
    "TSNECriterion",
    "UMAPCriterion",
    "student_t_log_kernel",
    "tsne_block_kl",
    "umap_batch_cross_entropy",
    "umap_cross_entropy",
]

# umap-learn clips the probabilities at this value inside the logarithms.
_EPS = 1e-4


def _umap_logits(sq_dist, a, b):
    r"""``u`` such that :math:`q = 1 / (1 + a d^{2b}) = \sigma(u)`: :math:`u = -\log a - b \log d^2`."""
    return -(math.log(a) + b * torch.log(sq_dist.clamp_min(1e-12)))


def umap_cross_entropy(head, tail, negative, a, b, repulsion_strength=1.0):
    r"""UMAP's fuzzy-set cross-entropy on sampled edges and negative samples.

    With :math:`q(d) = 1 / (1 + a d^{2b})`, the loss of a batch is

    .. math:: \frac1B \sum_{e} \Big[-\log q(\lVert z_{h_e} - z_{t_e} \rVert)
              - \gamma \sum_{m=1}^{M} \log\big(1 - q(\lVert z_{h_e} - z_{n_{em}} \rVert)\big)\Big]

    (edges drawn with probability proportional to their weight, :math:`M`
    negative samples per edge, :math:`\gamma` = ``repulsion_strength``), the
    terms clipped at :math:`-\log 10^{-4}` as in umap-learn.

    Parameters
    ----------
    head, tail : Tensor of shape (B, d)
        Codes of the two ends of each sampled edge.
    negative : Tensor of shape (B, M, d)
        Codes of the negative samples of each edge.
    a, b : float
    repulsion_strength : float, default=1.0

    Returns
    -------
    attraction, repulsion : scalar Tensors
    """
    pos = _umap_logits((head - tail).pow(2).sum(-1), a, b)
    neg = _umap_logits((head.unsqueeze(1) - negative).pow(2).sum(-1), a, b)
    cap = -math.log(_EPS)
    attraction = F.softplus(-pos).clamp_max(cap).mean()  # -log q
    repulsion = F.softplus(neg).clamp_max(cap).sum(dim=1).mean()  # -log(1 - q)
    return attraction, repulsion_strength * repulsion


def student_t_log_kernel(sq_dist, dof=1.0):
    r""":math:`\log w = -\frac{\nu + 1}{2} \log(1 + d^2 / \nu)`, the Student-t kernel."""
    return -0.5 * (dof + 1.0) * torch.log1p(sq_dist / dof)


def tsne_block_kl(code, rows, cols, values, dof=1.0, exaggeration=1.0):
    r"""KL divergence between a block of P and the Student-t Q of a batch.

    ``(rows, cols, values)`` are the nonzero entries of :math:`P` restricted to
    the batch's rows (renormalised here to sum to 1); :math:`Q` is the
    Student-t similarity with ``dof`` degrees of freedom, normalised over
    every ordered pair of distinct rows of the batch:

    .. math:: \mathrm{KL}(P \,\|\, Q) = \text{const}
              - \alpha \sum_{ij} p_{ij} \log w_{ij} + \log \sum_{k \ne l} w_{kl},

    with early exaggeration :math:`\alpha` (1 = the plain KL, up to a
    constant).

    Returns
    -------
    attraction, repulsion : scalar Tensors
        The two terms above; their sum is the loss.
    """
    values = values / values.sum()
    edge_sq = (code[rows] - code[cols]).pow(2).sum(-1)
    attraction = -exaggeration * (values * student_t_log_kernel(edge_sq, dof)).sum()
    norms = code.pow(2).sum(-1)
    sq = (norms[:, None] + norms[None, :] - 2.0 * code @ code.T).clamp_min(0.0)
    log_w = student_t_log_kernel(sq, dof)
    m = len(code)
    off_diagonal = ~torch.eye(m, dtype=torch.bool, device=code.device)
    repulsion = torch.logsumexp(log_w[off_diagonal], dim=0)
    return attraction, repulsion


def _reconstruction_term(output, X, layout, weight):
    """Mean per-feature reconstruction loss, times ``weight``."""
    return weight * reconstruction_loss(output["recon"], X, layout).mean() / X.shape[1]


class UMAPCriterion(nn.Module):
    r"""Parametric UMAP's loss on a batch of edges: ``attraction``, ``repulsion``,
    ``reconstruction``.

    The batch's rows are the heads of the sampled edges followed by their
    tails. The negative samples of an edge are rows of the batch; rather than
    drawing ``negative_sample_rate`` of them, every other row of the batch
    repels the head with weight ``negative_sample_rate / (2B - 1)``: the same
    expected gradient as in-batch negative sampling, without its variance, for
    a cost (one ``2B x 2B`` distance matrix) small beside the encoder's.

    Parameters
    ----------
    layout : sequence of Block
    a, b : float
    negative_sample_rate : int
    repulsion_strength : float
    reconstruction_weight : float
    """

    def __init__(self, layout, a, b, negative_sample_rate=5, repulsion_strength=1.0,
                 reconstruction_weight=0.0):
        super().__init__()
        self.layout = tuple(layout)
        self.a = a
        self.b = b
        self.negative_sample_rate = negative_sample_rate
        self.repulsion_strength = repulsion_strength
        self.reconstruction_weight = reconstruction_weight

    def forward(self, output, X, module=None, target=None):
        code = output["code"]
        n_edges = len(code) // 2
        head, tail = code[:n_edges], code[n_edges : 2 * n_edges]
        attraction, repulsion = umap_batch_cross_entropy(
            head, tail, code, self.a, self.b, self.negative_sample_rate, self.repulsion_strength
        )
        terms = {"attraction": attraction, "repulsion": repulsion}
        if self.reconstruction_weight > 0:
            terms["reconstruction"] = _reconstruction_term(
                output, X, self.layout, self.reconstruction_weight
            )
        return terms


def umap_batch_cross_entropy(head, tail, rows, a, b, negative_sample_rate=5,
                             repulsion_strength=1.0):
    r""":func:`umap_cross_entropy` with every row of the batch as a weighted negative.

    Each head is repelled by all ``m`` rows of the batch (itself excluded)
    with weight :math:`M / (m - 1)`, the expectation of :math:`M` negatives
    drawn uniformly from the batch.

    Returns
    -------
    attraction, repulsion : scalar Tensors
    """
    cap = -math.log(_EPS)
    pos = _umap_logits((head - tail).pow(2).sum(-1), a, b)
    attraction = F.softplus(-pos).clamp_max(cap).mean()
    n_head, m = len(head), len(rows)
    head_sq = head.pow(2).sum(-1)
    row_sq = rows.pow(2).sum(-1)
    sq = (head_sq[:, None] + row_sq[None, :] - 2.0 * head @ rows.T).clamp_min(0.0)
    neg = F.softplus(_umap_logits(sq, a, b)).clamp_max(cap)
    # the head itself (row i of the batch) is not a negative
    own = torch.arange(n_head, device=rows.device)
    neg = neg.sum(dim=1) - neg[own, own]
    repulsion = negative_sample_rate * neg.mean() / max(m - 1, 1)
    return attraction, repulsion_strength * repulsion


class TSNECriterion(nn.Module):
    r"""Parametric t-SNE's loss on a batch: ``attraction``, ``repulsion``
    (the KL divergence of :func:`tsne_block_kl`) and ``reconstruction``.

    ``target`` is the batch's block of P as ``(rows, cols, values)``.

    Parameters
    ----------
    layout : sequence of Block
    dof : float
    reconstruction_weight : float
    exaggeration : float, default=1.0
        Set per epoch by a schedule (early exaggeration).
    """

    def __init__(self, layout, dof=1.0, reconstruction_weight=0.0, exaggeration=1.0):
        super().__init__()
        self.layout = tuple(layout)
        self.dof = dof
        self.reconstruction_weight = reconstruction_weight
        self.exaggeration = exaggeration

    def forward(self, output, X, module=None, target=None):
        rows, cols, values = target
        attraction, repulsion = tsne_block_kl(
            output["code"], rows, cols, values, self.dof, self.exaggeration
        )
        terms = {"attraction": attraction, "repulsion": repulsion}
        if self.reconstruction_weight > 0:
            terms["reconstruction"] = _reconstruction_term(
                output, X, self.layout, self.reconstruction_weight
            )
        return terms
