"""Convolutional generator and discriminators of the adversarial models (DCGAN).

They reuse the blocks of :mod:`skgen.nn._conv` and keep the interface of
the MLP networks (:class:`~skgen.nn.Generator`,
:class:`~skgen.nn.Discriminator`, :class:`~skgen.nn.AutoencoderDiscriminator`),
so every GAN variant can swap one for the other. Images travel as flat rows
of ``C * H * W`` values in C order.

The architecture follows Radford et al. (2016): strided (transposed)
convolutions instead of pooling, ReLU in the generator and LeakyReLU in the
discriminator, normalisation in both except on the generator's output and
the discriminator's input.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from ._conv import ConvDecoder, ConvEncoder
from ._discriminator import Discriminator
from ._generator import Generator

__all__ = ["ConvAutoencoderDiscriminator", "ConvDiscriminator", "ConvGenerator"]


def _check_width(input_shape, n_features, name):
    if math.prod(input_shape) != n_features:
        raise ValueError(
            f"{name}: input_shape={tuple(input_shape)} holds {math.prod(input_shape)} values "
            f"but the rows have {n_features}."
        )


class ConvGenerator(Generator):
    """A :class:`~skgen.nn.Generator` whose network is a :class:`~skgen.nn.ConvDecoder`.

    The input (latent vector, one-hot label) goes through
    ``Linear -> [norm] -> ReLU`` to the smallest feature map, then through
    transposed convolutions that double the height and width up to
    ``input_shape``; the last one gives the raw outputs (no norm; the
    layout's sigmoid, if any, is applied by :meth:`activate`).

    Parameters
    ----------
    n_components : int
        Dimension of the noise.
    input_shape : tuple of int
        ``(C, H, W)`` of the generated images.
    channels : sequence of int, default=(32, 64)
        Channels of the matching encoder's stages; the generator runs them in
        reverse (the widest map first).
    kernel_size : int, default=3
    activation : str, default="relu"
    norm : {None, "batch", "reference", "virtual", "layer"}, default="batch"
    n_reference : int, default=0
        Size of the reference batch of generator inputs for
        ``norm="reference"``/``"virtual"`` (see :meth:`set_reference`).
    n_classes, layout, categorical_codes, n_continuous_codes, temperature, n_conditions
        As for :class:`~skgen.nn.Generator`.
    n_features : int or None, default=None
        Checked against ``input_shape`` when given.
    """

    def __init__(
        self,
        n_components,
        input_shape,
        channels=(32, 64),
        kernel_size=3,
        activation="relu",
        norm="batch",
        n_reference=0,
        n_classes=0,
        layout=None,
        categorical_codes=(),
        n_continuous_codes=0,
        temperature=0.2,
        n_conditions=0,
        n_features=None,
    ):
        input_shape = tuple(int(s) for s in input_shape)
        if n_features is not None:
            _check_width(input_shape, n_features, type(self).__name__)

        def network(in_features, width):
            return ConvDecoder(
                input_shape,
                list(channels),
                in_features,
                kernel_size,
                activation,
                norm=norm,
                n_reference=n_reference,
            )

        super().__init__(
            n_components,
            math.prod(input_shape),
            n_classes=n_classes,
            layout=layout,
            categorical_codes=categorical_codes,
            n_continuous_codes=n_continuous_codes,
            temperature=temperature,
            n_conditions=n_conditions,
            network=network,
        )
        self.input_shape = input_shape

    @property
    def n_reference(self):
        return self.mlp.n_reference

    def set_reference(self, latent, y=None):
        """Fix the reference batch: latent vectors (and labels) drawn once at ``fit``."""
        with torch.no_grad():
            self.mlp.set_reference(self._inputs(latent, y))


class ConvDiscriminator(Discriminator):
    """A :class:`~skgen.nn.Discriminator` whose body is a :class:`~skgen.nn.ConvEncoder`.

    Strided convolutions with LeakyReLU (the first one not normalised), then
    the flattened feature map :math:`\\phi(x)` feeds the score head, the
    class projection and the InfoGAN Q head as in the MLP discriminator. A
    label given as input (``conditioning="both"``) becomes constant one-hot
    planes next to the image channels.

    Parameters
    ----------
    n_features : int
        ``C * H * W``.
    input_shape : tuple of int
    channels : sequence of int, default=(32, 64)
    kernel_size : int, default=3
    activation : str, default="leaky_relu"
    norm : {None, "batch", "reference", "virtual", "layer"}, default="batch"
        ``"batch"`` normalises the real and the fake rows of one pass
        separately; use ``"layer"`` or None under a gradient penalty
        (it is per sample).
    n_reference : int, default=0
        Size of the reference batch of real rows for
        ``norm="reference"``/``"virtual"``.
    n_classes, minibatch_discrimination, n_kernels, kernel_dim, q_features, conditioning
        As for :class:`~skgen.nn.Discriminator`.
    hidden_layer_sizes, dropout
        Ignored (accepted for interchangeability with the MLP).
    """

    def __init__(
        self,
        n_features,
        input_shape,
        channels=(32, 64),
        kernel_size=3,
        activation="leaky_relu",
        norm="batch",
        n_reference=0,
        n_classes=0,
        minibatch_discrimination=False,
        n_kernels=16,
        kernel_dim=8,
        q_features=0,
        conditioning="both",
        hidden_layer_sizes=None,
        dropout=0.0,
    ):
        input_shape = tuple(int(s) for s in input_shape)
        _check_width(input_shape, n_features, type(self).__name__)
        label_planes = n_classes if (n_classes and conditioning == "both") else 0
        body = ConvEncoder(
            input_shape,
            list(channels),
            None,
            kernel_size,
            activation,
            norm=norm,
            extra_channels=label_planes,
            n_reference=n_reference,
        )
        super().__init__(
            n_features,
            (),
            activation,
            n_classes=n_classes,
            minibatch_discrimination=minibatch_discrimination,
            n_kernels=n_kernels,
            kernel_dim=kernel_dim,
            q_features=q_features,
            conditioning=conditioning,
            body=body,
        )
        self.input_shape = input_shape

    @property
    def n_reference(self):
        return self.body.n_reference

    def set_reference(self, x, y=None):
        """Fix the reference batch: real rows (and their labels) drawn once at ``fit``."""
        if self.label_input:
            x = torch.cat([x, F.one_hot(y, self.n_classes).to(x.dtype)], dim=1)
        self.body.set_reference(x)


class ConvAutoencoderDiscriminator(nn.Module):
    """BEGAN's autoencoder discriminator with convolutional encoder and decoder.

    :class:`~skgen.nn.ConvEncoder` to a code of ``n_components`` values and
    :class:`~skgen.nn.ConvDecoder` back to the image (ELU activations, no
    normalisation, as in Berthelot et al., 2017). A conditional model adds
    one-hot label planes to the encoder's input and the one-hot label to
    the code.

    Parameters
    ----------
    n_features : int
    input_shape : tuple of int
    channels : sequence of int, default=(32, 64)
    n_components : int, default=16
    kernel_size : int, default=3
    activation : str, default="elu"
    n_classes : int, default=0
    norm : None or str, default=None
        Normalisation of both stacks (see :class:`~skgen.nn.ConvEncoder`).
    hidden_layer_sizes
        Ignored (accepted for interchangeability with the MLP).
    """

    def __init__(
        self,
        n_features,
        input_shape,
        channels=(32, 64),
        n_components=16,
        kernel_size=3,
        activation="elu",
        n_classes=0,
        norm=None,
        n_reference=0,
        hidden_layer_sizes=None,
    ):
        super().__init__()
        input_shape = tuple(int(s) for s in input_shape)
        _check_width(input_shape, n_features, type(self).__name__)
        if norm in ("reference", "virtual"):
            norm = None  # a reconstruction per row: no reference batch needed
        self.n_classes = n_classes
        self.input_shape = input_shape
        self.encoder = ConvEncoder(
            input_shape, list(channels), n_components, kernel_size, activation,
            norm=norm, extra_channels=n_classes,
        )
        self.decoder = ConvDecoder(
            input_shape, list(channels), n_components + n_classes, kernel_size, activation, norm=norm
        )

    def encode(self, x, y=None, groups=1):
        """The code of ``x`` (BEGAN's latent-consistency term reads it)."""
        if self.n_classes:
            if y is None:
                raise ValueError("This discriminator is conditional: pass class labels y.")
            onehot = F.one_hot(y, self.n_classes).to(x.dtype)
            return self.encoder(torch.cat([x, onehot], dim=1), groups=groups)
        return self.encoder(x, groups=groups)

    def forward(self, x, y=None, groups=1):
        if self.n_classes:
            if y is None:
                raise ValueError("This discriminator is conditional: pass class labels y.")
            onehot = F.one_hot(y, self.n_classes).to(x.dtype)
            code = self.encoder(torch.cat([x, onehot], dim=1), groups=groups)
            return self.decoder(torch.cat([code, onehot], dim=1), groups=groups)
        return self.decoder(self.encoder(x, groups=groups), groups=groups)
