"""Autoencoders: scikit-learn transformers with codes, reconstructions and scores."""

from ._denoising import DenoisingAE
from ._plain import Autoencoder

__all__ = ["Autoencoder", "DenoisingAE"]
