"""Multi-layer perceptrons: the default encoder, decoder and critic bodies."""

from __future__ import annotations

import torch
from torch import nn

ACTIVATIONS = {
    "relu": nn.ReLU,
    "leaky_relu": lambda: nn.LeakyReLU(0.2),
    "elu": nn.ELU,
    "gelu": nn.GELU,
    "selu": nn.SELU,
    "tanh": nn.Tanh,
    "sigmoid": nn.Sigmoid,
    "identity": nn.Identity,
}


def make_activation(name: str) -> nn.Module:
    """Return a fresh activation module from its name (see ``ACTIVATIONS``)."""
    try:
        return ACTIVATIONS[name]()
    except KeyError:
        raise ValueError(
            f"Unknown activation {name!r}; expected one of {sorted(ACTIVATIONS)}."
        ) from None


class MLP(nn.Sequential):
    """A stack of ``Linear -> activation`` layers ending in a linear layer.

    Parameters
    ----------
    in_features : int
    hidden_layer_sizes : sequence of int
        Widths of the hidden layers, in order.
    out_features : int
    activation : str, default="relu"
        Activation after every hidden layer (not after the last layer).
    dropout : float, default=0.0
        Dropout probability after every hidden activation.
    """

    def __init__(self, in_features, hidden_layer_sizes, out_features, activation="relu", dropout=0.0):
        layers = []
        width = in_features
        for size in hidden_layer_sizes:
            layers.append(nn.Linear(width, size))
            layers.append(make_activation(activation))
            if dropout > 0:
                layers.append(nn.Dropout(dropout))
            width = size
        layers.append(nn.Linear(width, out_features))
        super().__init__(*layers)

    @property
    def linear_layers(self) -> list[nn.Linear]:
        return [m for m in self if isinstance(m, nn.Linear)]


class TiedDecoder(nn.Module):
    """A decoder that reuses the transposed weights of an :class:`MLP` encoder.

    Layer ``i`` of the decoder is ``h -> act(h @ W_{L-i} + b'_i)`` where
    ``W_{L-i}`` is the weight of the mirrored encoder layer, so the decoder
    owns only its biases. Tied weights halve the parameters and, for a linear
    autoencoder, force the decoder to be the transpose of the encoder as in
    PCA.
    """

    def __init__(self, encoder: MLP, activation="relu"):
        super().__init__()
        self._encoder = [encoder]  # a list: not registered twice as a submodule
        linears = encoder.linear_layers
        self.biases = nn.ParameterList(
            [nn.Parameter(torch.zeros(layer.in_features)) for layer in reversed(linears)]
        )
        self.activation = make_activation(activation)

    def forward(self, h):
        linears = self._encoder[0].linear_layers
        n_layers = len(linears)
        for i, (layer, bias) in enumerate(zip(reversed(linears), self.biases)):
            h = nn.functional.linear(h, layer.weight.t(), bias)
            if i < n_layers - 1:
                h = self.activation(h)
        return h
