"""
Decoded images along a latent grid
==================================

A :class:`~skgen.VAE` with a two-dimensional code is a map from the plane to
images. Decoding a regular grid of codes (quantiles of the standard normal
prior, as in Kingma & Welling's figure) shows how digits morph into each other.
:class:`~skgen.plotting.SampleGridDisplay` tiles the decoded rows into a mosaic.
"""

import os

import matplotlib.pyplot as plt
import numpy as np
from scipy.stats import norm
from sklearn.datasets import load_digits

from skgen import VAE
from skgen.plotting import SampleGridDisplay

FAST = os.environ.get("SKGEN_DOCS_FAST", "0") != "0"  # CI: fewer epochs

X, _ = load_digits(return_X_y=True)
X = X / 16.0

vae = VAE(n_components=2, max_epochs=20 if FAST else 300, random_state=0).fit(X)

n = 12
quantiles = norm.ppf(np.linspace(0.05, 0.95, n))
codes = np.array([[z0, z1] for z1 in quantiles[::-1] for z0 in quantiles])
fig, ax = plt.subplots(figsize=(6, 6))
SampleGridDisplay.from_estimator(vae, codes=codes, n_cols=n, image_shape=(8, 8), ax=ax)
ax.set_title("VAE decoder over a 12 x 12 grid of codes")
plt.show()

# %%
# The same display draws random samples (``vae.sample``) and reconstructions.
fig, axes = plt.subplots(1, 2, figsize=(9, 4.5))
SampleGridDisplay.from_estimator(vae, n_samples=36, random_state=0, ax=axes[0])
axes[0].set_title("samples")
SampleGridDisplay.from_estimator(vae, X[:36], ax=axes[1])
axes[1].set_title("reconstructions")
plt.show()
