"""
A GAN learning a ring of Gaussians, epoch by epoch
===================================================

Eight Gaussians on a circle are the classic test of mode collapse: a generator
that covers only some of them still fools a weak discriminator. We train a
:class:`~skgen.WGANGP` one epoch at a time with ``partial_fit`` and draw
samples at a few epochs. The gradient penalty keeps the critic smooth, so the
generator spreads over the ring and then sharpens each mode.
"""

import os

import matplotlib.pyplot as plt
import numpy as np

from skgen import WGANGP

FAST = os.environ.get("SKGEN_DOCS_FAST", "0") != "0"  # CI: fewer epochs

rng = np.random.RandomState(0)
angles = 2 * np.pi * rng.randint(8, size=2000) / 8
X = np.column_stack([np.cos(angles), np.sin(angles)]) * 2 + 0.05 * rng.normal(size=(2000, 2))

snapshots = [1, 3, 10, 30] if FAST else [1, 10, 50, 150]
gan = WGANGP(n_components=8, random_state=0)
samples = {}
for epoch in range(1, snapshots[-1] + 1):
    gan.partial_fit(X)
    if epoch in snapshots:
        samples[epoch] = gan.sample(1000, random_state=0)

fig, axes = plt.subplots(1, len(snapshots), figsize=(13, 3.4), sharex=True, sharey=True,
                         layout="constrained")
for ax, (epoch, Xs) in zip(axes, samples.items()):
    ax.scatter(X[:, 0], X[:, 1], s=2, color="0.75", label="data")
    ax.scatter(Xs[:, 0], Xs[:, 1], s=2, color="C3", alpha=0.6, label="samples")
    ax.set_title(f"epoch {epoch}")
    ax.set_aspect("equal")
axes[0].legend(loc="upper left", markerscale=4, fontsize="small")
plt.show()

# %%
# ``score`` is minus the squared MMD between samples and data (higher is better),
# the number :class:`~sklearn.model_selection.GridSearchCV` maximises.
print(f"score after {gan.n_iter_} epochs: {gan.score(X):.4f}")
