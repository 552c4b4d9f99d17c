"""PyTorch modules only: architectures, no objectives and no training loops."""

from ._autoencoder import AutoencoderModule
from ._corruption import CORRUPTIONS, Corruption
from ._mlp import ACTIVATIONS, MLP, TiedDecoder, make_activation

__all__ = [
    "ACTIVATIONS",
    "CORRUPTIONS",
    "MLP",
    "AutoencoderModule",
    "Corruption",
    "TiedDecoder",
    "make_activation",
]
