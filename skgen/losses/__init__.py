"""Loss functions (pure functions on tensors) and the criteria built from them."""

from ._mmd import KERNELS, mmd
from ._reconstruction import ReconstructionCriterion, reconstruction_loss

__all__ = ["KERNELS", "ReconstructionCriterion", "mmd", "reconstruction_loss"]

from ._adversarial import (
    AdversarialCriterion,
    BEGANCriterion,
    DRAGANCriterion,
    GANCriterion,
    InfoGANCriterion,
    LSGANCriterion,
    WGANCriterion,
    WGANGPCriterion,
    bce_discriminator_loss,
    bce_generator_loss,
    clip_weights_,
    dragan_perturb,
    gradient_penalty,
    info_loss,
    interpolate,
    least_squares_discriminator_loss,
    least_squares_generator_loss,
    wasserstein_critic_loss,
    wasserstein_generator_loss,
)

__all__ += [
    "AdversarialCriterion",
    "BEGANCriterion",
    "DRAGANCriterion",
    "GANCriterion",
    "InfoGANCriterion",
    "LSGANCriterion",
    "WGANCriterion",
    "WGANGPCriterion",
    "bce_discriminator_loss",
    "bce_generator_loss",
    "clip_weights_",
    "dragan_perturb",
    "gradient_penalty",
    "info_loss",
    "interpolate",
    "least_squares_discriminator_loss",
    "least_squares_generator_loss",
    "wasserstein_critic_loss",
    "wasserstein_generator_loss",
]

from ._kl import (
    VAECriterion,
    bernoulli_kl,
    gaussian_kl,
    gaussian_nll,
    likelihood_nll,
    optimal_log_var,
)
from ._penalties import (
    ContractiveCriterion,
    SparsityCriterion,
    decoder_column_norms,
    jacobian_frobenius,
    l1_sparsity,
    sigmoid_jacobian_frobenius,
)
from ._wae import LatentAdversarialCriterion, MMDCriterion

__all__ += [
    "ContractiveCriterion",
    "LatentAdversarialCriterion",
    "MMDCriterion",
    "SparsityCriterion",
    "VAECriterion",
    "bernoulli_kl",
    "decoder_column_norms",
    "gaussian_kl",
    "gaussian_nll",
    "jacobian_frobenius",
    "l1_sparsity",
    "likelihood_nll",
    "optimal_log_var",
    "sigmoid_jacobian_frobenius",
]

from ._neighbour import (
    TSNECriterion,
    UMAPCriterion,
    student_t_log_kernel,
    tsne_block_kl,
    umap_batch_cross_entropy,
    umap_cross_entropy,
)

__all__ += [
    "TSNECriterion",
    "UMAPCriterion",
    "student_t_log_kernel",
    "tsne_block_kl",
    "umap_batch_cross_entropy",
    "umap_cross_entropy",
]

from ._unrolled import FunctionalModule, unroll_discriminator

__all__ += ["FunctionalModule", "unroll_discriminator"]
