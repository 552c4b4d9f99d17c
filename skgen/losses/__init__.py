"""Loss functions (pure functions on tensors) and the criteria built from them."""

from ._reconstruction import ReconstructionCriterion, reconstruction_loss

__all__ = ["ReconstructionCriterion", "reconstruction_loss"]
