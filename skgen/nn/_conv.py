"""Convolutional encoder and decoder for images passed as flat rows."""

from __future__ import annotations

from torch import nn

from ._mlp import make_activation


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


class ConvEncoder(nn.Module):
    """Strided convolutions, then a linear map to the code.

    Rows of ``C * H * W`` values are reshaped to ``(C, H, W)`` images; every
    stage is ``Conv2d(stride=2) -> activation`` and halves the height and
    width (rounding up); the flattened last feature map goes through a
    linear layer to ``n_components`` values.

    Parameters
    ----------
    input_shape : tuple of int
        ``(C, H, W)``.
    channels : sequence of int
        Output channels of each stage.
    n_components : int
    kernel_size : int, default=3
    activation : str, default="relu"
    """

    def __init__(self, input_shape, channels, n_components, kernel_size=3, activation="relu"):
        super().__init__()
        self.input_shape = tuple(int(s) for s in input_shape)
        stages = conv_geometry(self.input_shape, len(channels), kernel_size)
        layers = []
        width = self.input_shape[0]
        for out_channels, stage in zip(channels, stages):
            layers.append(
                nn.Conv2d(
                    width,
                    out_channels,
                    stage["kernel_size"],
                    stride=stage["stride"],
                    padding=stage["padding"],
                )
            )
            layers.append(make_activation(activation))
            width = out_channels
        self.features = nn.Sequential(*layers)
        h, w = stages[-1]["out_size"] if stages else self.input_shape[1:]
        self.head = nn.Linear(width * h * w, n_components)

    def forward(self, x):
        x = x.view(len(x), *self.input_shape)
        return self.head(self.features(x).flatten(1))


class ConvDecoder(nn.Module):
    """The mirror of :class:`ConvEncoder`: linear map, then transposed convolutions.

    The code goes through ``Linear -> activation`` to the encoder's last
    feature map, then every stage is ``ConvTranspose2d(stride=2)``
    (followed by the activation except at the last stage, whose raw outputs
    are the reconstruction); ``output_padding`` restores each stage's exact
    input size. Returns flat rows of ``C * H * W`` values.

    Parameters
    ----------
    input_shape : tuple of int
        ``(C, H, W)`` of the images to reconstruct.
    channels : sequence of int
        The encoder's channels (in the encoder's order).
    n_components : int
    kernel_size : int, default=3
    activation : str, default="relu"
    """

    def __init__(self, input_shape, channels, n_components, kernel_size=3, activation="relu"):
        super().__init__()
        self.input_shape = tuple(int(s) for s in input_shape)
        channels = list(channels)
        stages = conv_geometry(self.input_shape, len(channels), kernel_size)
        if stages:
            h, w = stages[-1]["out_size"]
            self._map_shape = (channels[-1], h, w)
        else:
            self._map_shape = self.input_shape
        c, h, w = self._map_shape
        self.head = nn.Sequential(nn.Linear(n_components, c * h * w))
        if stages:
            self.head.append(make_activation(activation))
        layers = []
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
                layers.append(make_activation(activation))
        self.features = nn.Sequential(*layers)

    def forward(self, z):
        x = self.head(z).view(len(z), *self._map_shape)
        return self.features(x).flatten(1)
