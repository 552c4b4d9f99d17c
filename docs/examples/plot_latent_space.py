"""
Two-dimensional codes of an autoencoder and a VAE
==================================================

With ``n_components=2`` the code of an autoencoder can be drawn directly.
:class:`~skgen.plotting.LatentSpaceDisplay` encodes the data with ``transform``
(the posterior mean for a :class:`~skgen.VAE`) and colours the points by class.
The plain :class:`~skgen.Autoencoder` spreads the classes along arbitrary
directions; the VAE's KL term pulls the codes towards a standard normal, so
they fill a round region around the origin.
"""

import os

import matplotlib.pyplot as plt
from sklearn.datasets import load_digits

from skgen import VAE, Autoencoder
from skgen.plotting import LatentSpaceDisplay

FAST = os.environ.get("SKGEN_DOCS_FAST", "0") != "0"  # CI: fewer epochs
max_epochs = 15 if FAST else 150

X, y = load_digits(return_X_y=True)
X = X / 16.0  # pixel intensities in [0, 1]: sigmoid outputs, cross-entropy loss

models = [
    Autoencoder(n_components=2, max_epochs=max_epochs, random_state=0),
    VAE(n_components=2, max_epochs=max_epochs, random_state=0),
]
fig, axes = plt.subplots(1, 2, figsize=(10, 4.5), layout="constrained")
for model, ax in zip(models, axes):
    model.fit(X)
    LatentSpaceDisplay.from_estimator(model, X, y, ax=ax, legend=ax is axes[1])
plt.show()

# %%
# Wider codes are projected on their first two principal components (or by any
# transformer passed as ``projection``, e.g. :class:`~sklearn.manifold.TSNE`).
wide = VAE(n_components=8, max_epochs=max_epochs, random_state=0).fit(X)
display = LatentSpaceDisplay.from_estimator(wide, X, y)
plt.show()
