"""Autoencoders: scikit-learn transformers with codes, reconstructions and scores."""

from ._denoising import DenoisingAE
from ._plain import Autoencoder

__all__ = ["Autoencoder", "DenoisingAE"]

from ._contractive import ContractiveAE
from ._conv import ConvAE
from ._sparse import SparseAE
from ._stacked import StackedAE
from ._vae import VAE, BetaVAE
from ._wae import WAE

__all__ += ["VAE", "WAE", "BetaVAE", "ContractiveAE", "ConvAE", "SparseAE", "StackedAE"]

from ._parametric_umap import ParametricUMAP

__all__ += ["ParametricUMAP"]

from ._parametric_tsne import ParametricTSNE

__all__ += ["ParametricTSNE"]
