"""Convolutional architectures of the GAN family: resolution at ``fit``.

Every GAN variant takes ``input_shape`` (None: MLP networks), ``channels``
and ``batch_norm``. :func:`resolve_architecture` turns them into an
:class:`ImageArchitecture` once per ``fit``; the architecture swaps the MLP
networks' classes and keyword arguments for the convolutional ones of
:mod:`skgen.nn._conv_gan` and draws the reference batches of reference and
virtual batch normalisation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Integral

import torch

from ..nn import (
    AutoencoderDiscriminator,
    ConvAutoencoderDiscriminator,
    ConvDiscriminator,
    ConvGenerator,
    Discriminator,
)
from ..nn._norm import needs_reference

BATCH_NORMS = ("auto", "batch", "reference", "virtual")
_CONV_DISCRIMINATORS = {
    Discriminator: ConvDiscriminator,
    AutoencoderDiscriminator: ConvAutoencoderDiscriminator,
}


def check_input_shape(input_shape, n_features, name):
    """``input_shape`` as a tuple of three positive ints holding ``n_features`` values."""
    shape = tuple(input_shape)
    if len(shape) != 3 or not all(
        isinstance(s, Integral) and not isinstance(s, bool) and s >= 1 for s in shape
    ):
        raise ValueError(
            f"{name}: input_shape must be three positive integers (C, H, W); got {input_shape!r}."
        )
    if math.prod(shape) != n_features:
        raise ValueError(
            f"{name}: input_shape={shape} holds {math.prod(shape)} values per image, but X has "
            f"{n_features} features; rows must be images flattened in C order, so C * H * W "
            "must equal n_features."
        )
    return tuple(int(s) for s in shape)


@dataclass(frozen=True)
class ImageArchitecture:
    """The convolutional networks of one fit.

    Attributes
    ----------
    input_shape : tuple of int
    channels : tuple of int
        Discriminator stages (the generator mirrors them).
    generator_norm, discriminator_norm : str or None
    n_reference : int
        Size of the reference batches (0 when no norm needs one).
    """

    input_shape: tuple
    channels: tuple
    generator_norm: str | None
    discriminator_norm: str | None
    n_reference: int

    def generator_params(self, params):
        """The MLP generator's keyword arguments -> :class:`~skgen.nn.ConvGenerator`'s."""
        params = {k: v for k, v in params.items() if k != "hidden_layer_sizes"}
        return {
            **params,
            "input_shape": self.input_shape,
            "channels": self.channels,
            "norm": self.generator_norm,
            "n_reference": self.n_reference if needs_reference(self.generator_norm) else 0,
        }

    def discriminator_class(self, mlp_class):
        try:
            return _CONV_DISCRIMINATORS[mlp_class]
        except KeyError:
            raise ValueError(f"No convolutional version of {mlp_class.__name__}.") from None

    def discriminator_params(self, params):
        """The MLP discriminator's keyword arguments -> the convolutional one's."""
        params = {k: v for k, v in params.items() if k != "hidden_layer_sizes"}
        return {
            **params,
            "input_shape": self.input_shape,
            "channels": self.channels,
            "norm": self.discriminator_norm,
            "n_reference": self.n_reference if needs_reference(self.discriminator_norm) else 0,
        }

    def set_references(self, net, Xn, y):
        """Draw the reference batches (torch's RNG, seeded by the estimator).

        The discriminator's is ``n_reference`` training rows (with their
        labels); the generator's is as many latent vectors with the labels
        of those rows. Both are buffers of the networks, so they are saved
        with the model.
        """
        if not self.n_reference:
            return
        generator, discriminator = net.module_, net.discriminator_
        idx = torch.randperm(len(Xn))[: self.n_reference]
        device = net.device
        labels = None if y is None else torch.as_tensor(y)[idx].to(device)
        if getattr(generator, "n_reference", 0):
            latent = generator.sample_latent(self.n_reference).to(device)
            generator.set_reference(latent, labels)
        if getattr(discriminator, "n_reference", 0):
            rows = torch.as_tensor(Xn[idx.numpy()]).to(device)
            discriminator.set_reference(rows, labels)


def resolve_architecture(estimator, n_features, n_samples, batch_size):
    """The estimator's :class:`ImageArchitecture`, or None for MLP networks.

    ``batch_norm="auto"`` means ``"batch"`` for convolutional networks.
    The discriminator follows ``batch_norm`` unless the variant says
    otherwise (``_critic_norm``: ``"layer"`` under a per-sample gradient
    penalty, None for BEGAN's autoencoder).
    """
    name = type(estimator).__name__
    batch_norm = estimator.batch_norm
    if estimator.input_shape is None:
        if batch_norm not in (None, "auto"):
            raise ValueError(
                f"{name}: batch_norm={batch_norm!r} applies to the convolutional networks; set "
                "input_shape=(C, H, W) for image data, or batch_norm=None."
            )
        return None
    if getattr(estimator, "_conditioner", None):
        raise ValueError(
            f"{name}: input_shape is for image data; X has categorical columns (a preprocessor "
            "with column conditions). Use input_shape=None for tabular data."
        )
    shape = check_input_shape(estimator.input_shape, n_features, name)
    channels = list(estimator.channels)
    if not channels or any(
        not isinstance(c, Integral) or isinstance(c, bool) or c < 1 for c in channels
    ):
        raise ValueError(f"{name}: channels must be positive integers; got {estimator.channels!r}.")
    g_norm = "batch" if batch_norm == "auto" else batch_norm
    d_norm = getattr(estimator, "_critic_norm", "follow")
    if d_norm == "follow":
        d_norm = g_norm
    n_reference = min(int(batch_size), int(n_samples))
    return ImageArchitecture(shape, tuple(int(c) for c in channels), g_norm, d_norm, n_reference)
