"""Discriminators and critics of the adversarial models.

* :class:`Discriminator`: an MLP critic with optional minibatch
  discrimination features, a projection term for class labels and an
  InfoGAN Q head;
* :class:`MinibatchDiscrimination`: the layer of Salimans et al. (2016);
* :class:`AutoencoderDiscriminator`: BEGAN's autoencoder discriminator.

Every discriminator is called as ``discriminator(x, y=None, groups=1)``:
``y`` holds class labels (long) for conditional models and ``groups`` says
how many equal, independent sub-batches ``x`` stacks (real and fake rows are
scored in one pass; minibatch features are computed within each group).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from ._mlp import MLP, make_activation


def _body(in_features, hidden_layer_sizes, activation, dropout=0.0):
    layers = []
    width = in_features
    for size in hidden_layer_sizes:
        layers.append(nn.Linear(width, size))
        layers.append(make_activation(activation))
        if dropout > 0:
            layers.append(nn.Dropout(dropout))
        width = size
    return (nn.Sequential(*layers) if layers else nn.Identity()), width


class MinibatchDiscrimination(nn.Module):
    r"""Minibatch discrimination features (Salimans et al., 2016).

    With :math:`M_i = h_i T \in \mathbb{R}^{B \times C}`, feature :math:`b` of
    row :math:`i` is :math:`o_b(x_i) = \sum_{j \ne i} \exp(-\lVert M_{i,b} - M_{j,b}\rVert_1)`:
    how close the row is to the others of its batch. A collapsed generator
    produces batches of near-identical rows, which these features expose.
    The output is ``[h, o]``.

    Parameters
    ----------
    in_features : int
    n_kernels : int, default=16
        :math:`B`.
    kernel_dim : int, default=8
        :math:`C`.
    """

    def __init__(self, in_features, n_kernels=16, kernel_dim=8):
        super().__init__()
        self.n_kernels = n_kernels
        self.kernel_dim = kernel_dim
        self.T = nn.Parameter(torch.randn(in_features, n_kernels * kernel_dim) * 0.1)

    @property
    def out_features(self):
        return self.T.shape[0] + self.n_kernels

    def forward(self, h, groups=1):
        n = len(h)
        if groups < 1 or n % groups:
            groups = 1
        m, B, C = n // groups, self.n_kernels, self.kernel_dim
        M = (h @ self.T).view(groups, m, B, C).transpose(1, 2).reshape(groups * B, m, C)
        dist = torch.cdist(M, M, p=1)  # (g * B, m, m) L1 distances
        o = torch.exp(-dist).sum(-1) - 1.0  # drop the row itself (distance 0)
        o = o.view(groups, B, m).transpose(1, 2).reshape(n, B)
        return torch.cat([h, o], dim=1)


class Discriminator(nn.Module):
    r"""MLP discriminator (or critic) :math:`D(x, y)` returning one score per row.

    The score is :math:`w^\top \phi(x) + b` plus, for a conditional model,
    the projection term :math:`e_y^\top \phi(x)` (Miyato and Koyama, 2018)
    with a learned class embedding :math:`e_y` (initialised at 0). With
    ``conditioning="both"`` the one-hot label is also concatenated to the
    input of :math:`\phi`; with ``"projection"`` it is not, so :math:`\phi`
    (and the Q head built on it) does not depend on the label.

    Parameters
    ----------
    n_features : int
    hidden_layer_sizes : sequence of int, default=(128, 128)
        ``()`` gives a linear critic.
    activation : str, default="leaky_relu"
    n_classes : int, default=0
    minibatch_discrimination : bool, default=False
        Append :class:`MinibatchDiscrimination` features before the output.
    n_kernels, kernel_dim : int, default=16, 8
        Size of the minibatch discrimination features.
    q_features : int, default=0
        Width of an InfoGAN Q head on the (label-free) body features; when
        > 0 ``forward`` returns ``(scores, q_out)``.
    dropout : float, default=0.0
    conditioning : {"both", "projection"}, default="both"
        How a conditional discriminator (``n_classes > 0``) receives the label.
    body : nn.Module or None, default=None
        The feature network :math:`\phi` (with an ``out_features``
        attribute, called as ``body(x, groups=groups)`` on the rows and, with
        ``conditioning="both"``, their one-hot labels), e.g. a convolutional
        stack (see :class:`~skgen.nn.ConvDiscriminator`); None builds an MLP
        with ``hidden_layer_sizes``.
    pac : int, default=1
        PacGAN packing (Lin et al., 2018): every ``pac`` consecutive rows are
        concatenated into one input and get one score, so the discriminator
        judges sets of rows and sees a collapsed generator's near-copies.
        The batch length must be a multiple of ``pac`` (of each group's
        length when ``groups > 1``); MLP body without class labels only.
    """

    def __init__(
        self,
        n_features,
        hidden_layer_sizes=(128, 128),
        activation="leaky_relu",
        n_classes=0,
        minibatch_discrimination=False,
        n_kernels=16,
        kernel_dim=8,
        q_features=0,
        dropout=0.0,
        conditioning="both",
        body=None,
        pac=1,
    ):
        super().__init__()
        self.pac = int(pac)
        if self.pac > 1 and (n_classes or body is not None):
            raise ValueError("pac > 1 needs an MLP body and no class labels.")
        if conditioning not in ("both", "projection"):
            raise ValueError(f"Unknown conditioning {conditioning!r}; expected 'both' or 'projection'.")
        self.n_classes = n_classes
        self.label_input = bool(n_classes) and conditioning == "both"
        in_features = (n_features + (n_classes if self.label_input else 0)) * self.pac
        self._structured_body = body is not None
        if body is None:
            self.body, width = _body(in_features, list(hidden_layer_sizes), activation, dropout)
        else:
            self.body, width = body, body.out_features
        self.minibatch = (
            MinibatchDiscrimination(width, n_kernels, kernel_dim) if minibatch_discrimination else None
        )
        out_width = self.minibatch.out_features if self.minibatch is not None else width
        self.head = nn.Linear(out_width, 1)
        self.embedding = None
        if n_classes:
            self.embedding = nn.Embedding(n_classes, out_width)
            nn.init.zeros_(self.embedding.weight)
        self.q_head = None
        if q_features:
            self.q_head = nn.Sequential(
                nn.Linear(width, width), make_activation(activation), nn.Linear(width, q_features)
            )

    def forward(self, x, y=None, groups=1):
        if self.label_input:
            if y is None:
                raise ValueError("This discriminator is conditional: pass class labels y.")
            x = torch.cat([x, F.one_hot(y, self.n_classes).to(x.dtype)], dim=1)
        if getattr(self, "pac", 1) > 1:
            x = x.reshape(len(x) // self.pac, self.pac * x.shape[1])
        h = self.body(x, groups=groups) if getattr(self, "_structured_body", False) else self.body(x)
        f = h if self.minibatch is None else self.minibatch(h, groups)
        out = self.head(f).squeeze(-1)
        if self.embedding is not None and y is not None:
            out = out + (self.embedding(y) * f).sum(dim=1)
        if self.q_head is not None:
            return out, self.q_head(h)
        return out

    def infer_codes(self, x):
        """Q-head output for ``x`` (InfoGAN): categorical logits, then continuous means."""
        if self.q_head is None:
            raise ValueError("This discriminator has no Q head (q_features=0).")
        if self.label_input:
            raise ValueError("Codes need a label-free body: use conditioning='projection'.")
        return self.q_head(self.body(x))


class AutoencoderDiscriminator(nn.Module):
    """BEGAN's discriminator: an autoencoder whose output is the reconstruction.

    A conditional model concatenates the one-hot label to the encoder's input
    and to the code.

    Parameters
    ----------
    n_features : int
    hidden_layer_sizes : sequence of int, default=(128, 128)
        Encoder widths; the decoder mirrors them.
    n_components : int, default=16
        Code size.
    activation : str, default="elu"
    n_classes : int, default=0
    """

    def __init__(self, n_features, hidden_layer_sizes=(128, 128), n_components=16, activation="elu", n_classes=0):
        super().__init__()
        sizes = list(hidden_layer_sizes)
        self.n_classes = n_classes
        self.encoder = MLP(n_features + n_classes, sizes, n_components, activation)
        self.decoder = MLP(n_components + n_classes, sizes[::-1], n_features, activation)

    def encode(self, x, y=None):
        """The code of ``x`` (BEGAN's latent-consistency term reads it)."""
        if self.n_classes and y is not None:
            return self.encoder(torch.cat([x, F.one_hot(y, self.n_classes).to(x.dtype)], dim=1))
        return self.encoder(x)

    def forward(self, x, y=None, groups=1):
        if self.n_classes and y is not None:
            onehot = F.one_hot(y, self.n_classes).to(x.dtype)
            code = self.encoder(torch.cat([x, onehot], dim=1))
            return self.decoder(torch.cat([code, onehot], dim=1))
        return self.decoder(self.encoder(x))
