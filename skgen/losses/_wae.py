r"""Criteria of the Wasserstein autoencoder: match the codes' distribution to the prior.

Both add, to the reconstruction term, a penalty :math:`\lambda\, D(Q_Z, P_Z)`
between the aggregate distribution of the codes :math:`Q_Z` (the batch's
codes) and the prior :math:`P_Z = N(0, I)`:

* :class:`MMDCriterion`: :math:`D` is the squared maximum mean discrepancy
  (:func:`~skgen.losses.mmd`) against as many prior draws;
* :class:`LatentAdversarialCriterion`: :math:`D` is estimated by a latent
  discriminator trained to tell prior draws from codes (the net runs its
  update, see ``skgen.autoencoder._wae``).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from ._mmd import mmd
from ._reconstruction import ReconstructionCriterion


class MMDCriterion(ReconstructionCriterion):
    r"""Reconstruction plus :math:`\lambda\,\mathrm{MMD}^2(\{h_i\}, \{z_i\})`, :math:`z_i \sim N(0, I)`.

    The penalty (term ``"mmd"``) is a batch statistic; it is 0 for batches
    of fewer than two rows.

    Parameters
    ----------
    layout : sequence of Block
    weight : float
        :math:`\lambda`.
    kernel : {"imq", "rbf"}, default="imq"
    """

    def __init__(self, layout, weight=1.0, kernel="imq"):
        super().__init__(layout)
        self.weight = float(weight)
        self.kernel = kernel

    def forward(self, output, X, module=None):
        terms = super().forward(output, X, module)
        code = output["code"]
        if len(code) < 2:
            terms["mmd"] = code.new_zeros(())
        else:
            terms["mmd"] = self.weight * mmd(code, torch.randn_like(code), kernel=self.kernel)
        return terms


class LatentAdversarialCriterion(ReconstructionCriterion):
    r"""Reconstruction plus an adversarial divergence between codes and prior.

    With a discriminator :math:`D` (logits) trained to output 1 on prior
    draws and 0 on codes, the autoencoder's term ``"adversarial"`` is the
    non-saturating :math:`-\lambda\,\mathbb{E}_x \log \sigma(D(f(x)))`.

    Parameters
    ----------
    layout : sequence of Block
    weight : float
        :math:`\lambda`.
    """

    def __init__(self, layout, weight=1.0):
        super().__init__(layout)
        self.weight = float(weight)

    def discriminator_loss(self, discriminator, code):
        r""":math:`-\mathbb{E} \log \sigma(D(z)) - \mathbb{E} \log(1 - \sigma(D(h)))`, codes detached."""
        code = code.detach()
        prior = torch.randn_like(code)
        real = discriminator(prior)
        fake = discriminator(code)
        return F.binary_cross_entropy_with_logits(
            real, torch.ones_like(real)
        ) + F.binary_cross_entropy_with_logits(fake, torch.zeros_like(fake))

    def forward(self, output, X, module=None, discriminator=None):
        terms = super().forward(output, X, module)
        logits = discriminator(output["code"])
        terms["adversarial"] = self.weight * F.binary_cross_entropy_with_logits(
            logits, torch.ones_like(logits)
        )
        return terms
