"""Convolutional blocks for images passed as flat rows.

The same two stacks serve every convolutional model: :class:`ConvEncoder`
(strided convolutions, the encoder of ``ConvAE`` and the body of the
convolutional discriminators) and :class:`ConvDecoder` (transposed
convolutions, the decoder of ``ConvAE`` and the body of the convolutional
generators). Both take an optional normalisation (see :mod:`skgen.nn._norm`)
placed as DCGAN prescribes: never on the encoder's input layer nor on the
decoder's output layer.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from ._mlp import make_activation
from ._norm import is_structured, make_norm, needs_reference


def _stage(size, kernel_size):
    """Kernel, stride and padding of one downsampling stage along one axis.

    An axis of length 1 is left alone (kernel 1, stride 1), so that a
    ``(C, 1, W)`` input is a 1-D signal.
    """
    if size == 1:
        return 1, 1, 0
    return kernel_size, 2, kernel_size // 2


def conv_geometry(input_shape, n_stages, kernel_size=3):
    """Per-stage convolution settings and the feature-map sizes they produce.

    Parameters
    ----------
    input_shape : tuple of int
        ``(C, H, W)``.
    n_stages : int
    kernel_size : int, default=3
        Odd.

    Returns
    -------
    stages : list of dict
        For each stage, ``kernel_size``, ``stride``, ``padding`` (pairs) and
        ``in_size``/``out_size`` (``(h, w)`` before and after the stage).
    """
    _, h, w = input_shape
    stages = []
    for _ in range(n_stages):
        (kh, sh, ph), (kw, sw, pw) = _stage(h, kernel_size), _stage(w, kernel_size)
        oh, ow = (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1
        stages.append(
            {
                "kernel_size": (kh, kw),
                "stride": (sh, sw),
                "padding": (ph, pw),
                "in_size": (h, w),
                "out_size": (oh, ow),
            }
        )
        h, w = oh, ow
    return stages


class ConvStack(nn.Sequential):
    """``nn.Sequential`` that passes the batch structure to its normalisation layers.

    ``forward(x, groups=1, n_reference=0)``: layers for which
    :func:`~skgen.nn._norm.is_structured` holds also receive ``groups`` (number
    of independent equal sub-batches) and ``n_reference`` (reference rows in
    front of the batch); the others are called on ``x`` alone.
    """

    def forward(self, x, groups=1, n_reference=0):
        for layer in self:
            x = layer(x, groups=groups, n_reference=n_reference) if is_structured(layer) else layer(x)
        return x


class _ReferenceMixin:
    """A fixed reference batch (a buffer) run in front of every input batch."""

    def _init_reference(self, norm, n_reference, width):
        self.n_reference = int(n_reference) if needs_reference(norm) else 0
        if needs_reference(norm) and self.n_reference < 1:
            raise ValueError(f"norm={norm!r} needs a reference batch: pass n_reference >= 1.")
        if self.n_reference:
            self.register_buffer("reference", torch.zeros(self.n_reference, width))
        else:
            self.reference = None

    def set_reference(self, rows):
        """Store ``rows`` (shape ``(n_reference, input width)``) as the reference batch."""
        if self.reference is None:
            raise ValueError("This network has no reference batch (its norm is not 'reference'/'virtual').")
        rows = torch.as_tensor(rows, dtype=self.reference.dtype, device=self.reference.device)
        if rows.shape != self.reference.shape:
            raise ValueError(f"The reference batch must have shape {tuple(self.reference.shape)}; got {tuple(rows.shape)}.")
        self.reference.copy_(rows)

    def _with_reference(self, x):
        if self.reference is None:
            return x, 0
        return torch.cat([self.reference.to(x.dtype), x]), self.n_reference


class ConvEncoder(_ReferenceMixin, nn.Module):
    """Strided convolutions, then (optionally) a linear map to the code.

    Rows of ``C * H * W`` values are reshaped to ``(C, H, W)`` images; every
    stage is ``Conv2d(stride=2) -> [norm] -> activation`` and halves the
    height and width (rounding up); the flattened last feature map goes
    through a linear layer to ``n_components`` values. The first stage is
    never normalised (DCGAN).

    Parameters
    ----------
    input_shape : tuple of int
        ``(C, H, W)``.
    channels : sequence of int
        Output channels of each stage.
    n_components : int or None
        None: no linear layer; the output is the flattened last feature map
        (``out_features`` values), e.g. the body of a discriminator.
    kernel_size : int, default=3
    activation : str, default="relu"
    norm : {None, "batch", "reference", "virtual", "layer"}, default=None
        Normalisation after every convolution but the first.
    extra_channels : int, default=0
        Rows carry ``extra_channels`` more values after the image (e.g. a
        one-hot label); each becomes a constant input plane.
    n_reference : int, default=0
        Size of the reference batch (a buffer, see :meth:`set_reference`)
        for ``norm="reference"`` or ``"virtual"``.
    """

    def __init__(
        self,
        input_shape,
        channels,
        n_components,
        kernel_size=3,
        activation="relu",
        *,
        norm=None,
        extra_channels=0,
        n_reference=0,
    ):
        super().__init__()
        self.input_shape = tuple(int(s) for s in input_shape)
        self.extra_channels = int(extra_channels)
        self._n_pixels = math.prod(self.input_shape)
        self._init_reference(norm, n_reference, self._n_pixels + self.extra_channels)
        stages = conv_geometry(self.input_shape, len(channels), kernel_size)
        layers = []
        width = self.input_shape[0] + self.extra_channels
        for i, (out_channels, stage) in enumerate(zip(channels, stages)):
            layers.append(
                nn.Conv2d(
                    width,
                    out_channels,
                    stage["kernel_size"],
                    stride=stage["stride"],
                    padding=stage["padding"],
                )
            )
            if i > 0 and norm is not None:
                layers.append(make_norm(norm, out_channels))
            layers.append(make_activation(activation))
            width = out_channels
        self.features = ConvStack(*layers)
        h, w = stages[-1]["out_size"] if stages else self.input_shape[1:]
        self.out_features = width * h * w if n_components is None else int(n_components)
        self.head = None if n_components is None else nn.Linear(width * h * w, n_components)

    def forward(self, x, groups=1):
        x, n_ref = self._with_reference(x)
        image = x[:, : self._n_pixels].reshape(len(x), *self.input_shape)
        if self.extra_channels:
            planes = x[:, self._n_pixels :, None, None].expand(-1, -1, *self.input_shape[1:])
            image = torch.cat([image, planes], dim=1)
        h = self.features(image, groups=groups, n_reference=n_ref).flatten(1)
        if self.head is not None:
            h = self.head(h)
        return h[n_ref:]


class ConvDecoder(_ReferenceMixin, nn.Module):
    """The mirror of :class:`ConvEncoder`: linear map, then transposed convolutions.

    The code goes through ``Linear -> [norm] -> activation`` to the
    encoder's last feature map, then every stage is
    ``ConvTranspose2d(stride=2)`` followed by ``[norm] -> activation``
    except at the last stage, whose raw outputs are the result (never
    normalised, DCGAN); ``output_padding`` restores each stage's exact
    input size. Returns flat rows of ``C * H * W`` values.

    Parameters
    ----------
    input_shape : tuple of int
        ``(C, H, W)`` of the images to produce.
    channels : sequence of int
        The encoder's channels (in the encoder's order).
    n_components : int
        Width of the input (code, or a generator's latent vector).
    kernel_size : int, default=3
    activation : str, default="relu"
    norm : {None, "batch", "reference", "virtual", "layer"}, default=None
        Normalisation before every activation.
    n_reference : int, default=0
        Size of the reference batch of inputs (a buffer, see
        :meth:`set_reference`) for ``norm="reference"`` or ``"virtual"``.
    """

    def __init__(
        self,
        input_shape,
        channels,
        n_components,
        kernel_size=3,
        activation="relu",
        *,
        norm=None,
        n_reference=0,
    ):
        super().__init__()
        self.input_shape = tuple(int(s) for s in input_shape)
        self._init_reference(norm, n_reference, int(n_components))
        channels = list(channels)
        stages = conv_geometry(self.input_shape, len(channels), kernel_size)
        if stages:
            h, w = stages[-1]["out_size"]
            self._map_shape = (channels[-1], h, w)
        else:
            self._map_shape = self.input_shape
        c, h, w = self._map_shape
        self.head = nn.Sequential(nn.Linear(n_components, c * h * w))
        layers = []
        if stages:
            if norm is None:  # the layout of ConvAE's decoder (state_dict keys) is kept
                self.head.append(make_activation(activation))
            else:
                layers += [make_norm(norm, c), make_activation(activation)]
        targets = [self.input_shape[0], *channels[:-1]]
        for i in reversed(range(len(stages))):
            stage = stages[i]
            (oh, ow), (th, tw) = stage["out_size"], stage["in_size"]
            (kh, kw), (sh, sw), (ph, pw) = stage["kernel_size"], stage["stride"], stage["padding"]
            output_padding = (
                th - ((oh - 1) * sh - 2 * ph + kh),
                tw - ((ow - 1) * sw - 2 * pw + kw),
            )
            layers.append(
                nn.ConvTranspose2d(
                    channels[i],
                    targets[i],
                    (kh, kw),
                    stride=(sh, sw),
                    padding=(ph, pw),
                    output_padding=output_padding,
                )
            )
            if i > 0:
                if norm is not None:
                    layers.append(make_norm(norm, targets[i]))
                layers.append(make_activation(activation))
        self.features = ConvStack(*layers)

    def forward(self, z, groups=1):
        z, n_ref = self._with_reference(z)
        x = self.head(z).view(len(z), *self._map_shape)
        return self.features(x, groups=groups, n_reference=n_ref).flatten(1)[n_ref:]
