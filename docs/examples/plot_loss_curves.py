"""
Training curves of every loss term
==================================

Every skgen criterion returns named loss terms, and ``history_`` records each
one per epoch (``train_reconstruction``, ``valid_kl``, ...).
:class:`~skgen.plotting.LossCurveDisplay` draws all of them: one colour per
term, solid for training and dashed for the validation split held out with
``early_stopping=True``.
"""

import os

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits

from skgen import VAE, WGANGP
from skgen.plotting import LossCurveDisplay

FAST = os.environ.get("SKGEN_DOCS_FAST", "0") != "0"  # CI: fewer epochs

X, _ = load_digits(return_X_y=True)
X = X / 16.0

# %%
# A VAE: reconstruction and KL
# ----------------------------
# The KL term is switched on gradually (``kl_warmup``), so it first rises while
# the reconstruction falls; early stopping watches the validation total.
vae = VAE(n_components=8, early_stopping=True, max_epochs=15 if FAST else 150, random_state=0)
vae.fit(X)
LossCurveDisplay.from_estimator(vae)
plt.show()

# %%
# A WGAN-GP: critic, generator and penalty
# ----------------------------------------
# An adversarial net records the terms of both players. The critic's loss is
# minus its estimate of the Wasserstein distance, which shrinks as the
# generator improves; the gradient penalty stays small once the critic is
# close to 1-Lipschitz.
rng = np.random.RandomState(0)
ring = 2 * np.exp(2j * np.pi * rng.randint(8, size=1000) / 8)
X_ring = np.column_stack([ring.real, ring.imag]) + 0.05 * rng.normal(size=(1000, 2))
gan = WGANGP(max_epochs=10 if FAST else 80, random_state=0).fit(X_ring)
fig, ax = plt.subplots(figsize=(7, 4))
LossCurveDisplay.from_estimator(gan, terms=["discriminator_loss", "generator_loss", "penalty"], ax=ax)
plt.show()
