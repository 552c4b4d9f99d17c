"""The generator of the adversarial models: latent noise (and codes, labels) to data."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from .._conditions import ConditionRows, conditioned_forward
from .._layout import apply_output_activations, compile_layout
from ._mlp import MLP


class Generator(nn.Module):
    """An MLP from a latent vector (and optional class label) to raw data outputs.

    The latent vector is ``n_components`` standard normal values, followed by
    the InfoGAN codes when there are any: one one-hot block per categorical
    code (uniform categories) and ``n_continuous_codes`` values uniform in
    [-1, 1]. A conditional generator also receives the one-hot class label.

    ``forward`` returns raw outputs (logits for binary and categorical
    blocks of the layout); :meth:`activate` maps them to data space in the
    network's input space (what the discriminator sees).

    Parameters
    ----------
    n_components : int
        Dimension of the noise.
    n_features : int
        Width of the output (encoded data).
    hidden_layer_sizes : sequence of int, default=(128, 128)
    activation : str, default="relu"
    n_classes : int, default=0
        Number of classes of a conditional generator; 0 for an unconditional one.
    layout : sequence of Block or None, default=None
        Output blocks; None means one numeric block (identity output).
    categorical_codes : sequence of int, default=()
        Number of categories of each InfoGAN categorical code.
    n_continuous_codes : int, default=0
        Number of InfoGAN continuous codes.
    temperature : float, default=0.2
        Temperature of the Gumbel-softmax relaxation used for categorical
        output blocks while training (softmax in eval mode).
    n_conditions : int, default=0
        Width of the column-conditional vector appended to the input (see
        :mod:`skgen._conditions`); zeros when none is given.
    network : callable or None, default=None
        ``network(in_features, n_features)`` builds the module from the
        generator's input (latent vector, one-hot label, condition) to its raw
        outputs (e.g. a convolutional stack, see
        :class:`~skgen.nn.ConvGenerator`); None builds an MLP with
        ``hidden_layer_sizes`` and ``activation``.
    """

    def __init__(
        self,
        n_components,
        n_features,
        hidden_layer_sizes=(128, 128),
        activation="relu",
        n_classes=0,
        layout=None,
        categorical_codes=(),
        n_continuous_codes=0,
        temperature=0.2,
        n_conditions=0,
        network=None,
    ):
        super().__init__()
        self.n_components = n_components
        self.n_classes = n_classes
        self.layout = None if layout is None else tuple(layout)
        self.categorical_codes = tuple(categorical_codes)
        self.n_continuous_codes = n_continuous_codes
        self.temperature = temperature
        self.latent_dim = n_components + sum(self.categorical_codes) + n_continuous_codes
        self.n_conditions = n_conditions
        in_features = self.latent_dim + n_classes + n_conditions
        if network is None:
            self.mlp = MLP(in_features, list(hidden_layer_sizes), n_features, activation)
        else:
            self.mlp = network(in_features, n_features)
        self._categorical_blocks = self.layout is not None and any(
            b.kind == "categorical" for b in self.layout
        )

    def sample_latent(self, n_samples, *, generator=None, device=None):
        """Draw ``n_samples`` latent vectors (noise, then codes).

        Parameters
        ----------
        n_samples : int
        generator : torch.Generator or None, default=None
            Source of randomness; None uses torch's global RNG.
        device : torch.device or str or None, default=None
            Where to draw them (must match ``generator``'s device).
        """
        z = torch.randn(n_samples, self.n_components, generator=generator, device=device)
        if not self.categorical_codes and not self.n_continuous_codes:
            return z
        parts = [z]
        for k in self.categorical_codes:
            idx = torch.randint(k, (n_samples,), generator=generator, device=device)
            parts.append(F.one_hot(idx, k).to(z.dtype))
        if self.n_continuous_codes:
            u = torch.rand(n_samples, self.n_continuous_codes, generator=generator, device=device)
            parts.append(2.0 * u - 1.0)
        return torch.cat(parts, dim=1)

    def forward(self, latent, y=None, condition=None):
        if self.n_conditions and (condition is None or isinstance(condition, ConditionRows)):
            # the condition as one weight column per row (or none): no dense
            # (n, n_conditions) block in the first layer's product
            h = self._inputs(latent, y, skip_condition=True)
            return conditioned_forward(self.mlp, h, condition, self.n_conditions)
        return self.mlp(self._inputs(latent, y, condition))

    def _inputs(self, latent, y=None, condition=None, skip_condition=False):
        """The network's input rows: latent vector, then one-hot label and condition."""
        if self.n_classes:
            if y is None:
                raise ValueError("This generator is conditional: pass class labels y.")
            latent = torch.cat([latent, F.one_hot(y, self.n_classes).to(latent.dtype)], dim=1)
        if self.n_conditions and not skip_condition:
            if isinstance(condition, ConditionRows):
                condition = condition.dense().to(latent.dtype)
            if condition is None:
                condition = latent.new_zeros(len(latent), self.n_conditions)
            latent = torch.cat([latent, condition], dim=1)
        return latent

    def activate(self, raw):
        """Raw outputs -> values in the network's input space (what D sees)."""
        if self.layout is None:
            return raw
        if self.training and self._categorical_blocks:
            compiled = compile_layout(self.layout, raw.device, raw.shape[1])
            return compiled.gumbel_softmax(raw, self.temperature)
        return apply_output_activations(raw, self.layout)
