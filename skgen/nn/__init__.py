"""PyTorch modules only: architectures, no objectives and no training loops."""

from ._autoencoder import AutoencoderModule
from ._corruption import CORRUPTIONS, Corruption
from ._mlp import ACTIVATIONS, MLP, TiedDecoder, make_activation

__all__ = [
    "ACTIVATIONS",
    "AutoencoderModule",
    "CORRUPTIONS",
    "Corruption",
    "MLP",
    "TiedDecoder",
    "make_activation",
]

from ._discriminator import AutoencoderDiscriminator, Discriminator, MinibatchDiscrimination
from ._generator import Generator

__all__ += [
    "AutoencoderDiscriminator",
    "Discriminator",
    "Generator",
    "MinibatchDiscrimination",
]

from ._conv import ConvDecoder, ConvEncoder, ConvStack, conv_geometry
from ._conv_gan import ConvAutoencoderDiscriminator, ConvDiscriminator, ConvGenerator
from ._norm import NORMS, GroupBatchNorm, ReferenceBatchNorm
from ._sparse import TopK
from ._variational import ConditionalVAEModule, GaussianEncoder, VariationalAutoencoderModule
from ._residual import AffineResidual, pca_autoencoder_maps, pca_basis, ppca_variational_maps

__all__ += [
    "AffineResidual",
    "ConvAutoencoderDiscriminator",
    "ConvDecoder",
    "ConvDiscriminator",
    "ConvEncoder",
    "ConvGenerator",
    "ConvStack",
    "GroupBatchNorm",
    "NORMS",
    "ReferenceBatchNorm",
    "GaussianEncoder",
    "TopK",
    "VariationalAutoencoderModule",
    "ConditionalVAEModule",
    "conv_geometry",
    "pca_autoencoder_maps",
    "pca_basis",
    "ppca_variational_maps",
]
