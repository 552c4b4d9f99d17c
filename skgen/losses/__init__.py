"""Loss functions (pure functions on tensors) and the criteria built from them."""

from ._mmd import KERNELS, mmd
from ._reconstruction import ReconstructionCriterion, reconstruction_loss

__all__ = ["KERNELS", "ReconstructionCriterion", "mmd", "reconstruction_loss"]
