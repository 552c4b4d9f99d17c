"""
Conditional sampling
====================

Two ways to ask a generator for rows of a given kind:

* ``fit(X, y)`` makes every GAN conditional on the class label; then
  ``sample(n, y=labels)`` draws rows of those classes;
* a model fitted on a DataFrame with categorical columns samples with
  ``conditions={"column": value}``: every row has that value and the other
  columns follow their conditional distribution (it is trained with such
  conditional vectors; this is not rejection sampling).
"""

import os

import matplotlib.pyplot as plt
import numpy as np
from palmerpenguins import load_penguins
from sklearn.datasets import make_moons

from skgen import VAE, WGANGP

FAST = os.environ.get("SKGEN_DOCS_FAST", "0") != "0"  # CI: fewer epochs

# %%
# Class-conditional GAN on two moons
# ----------------------------------
X, y = make_moons(n_samples=1000, noise=0.08, random_state=0)
gan = WGANGP(max_epochs=20 if FAST else 150, random_state=0).fit(X, y)

fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharex=True, sharey=True, layout="constrained")
axes[0].scatter(X[:, 0], X[:, 1], c=y, cmap="coolwarm", s=4)
axes[0].set_title("data, coloured by y")
for label in (0, 1):
    Xs = gan.sample(500, y=np.full(500, label), random_state=label)
    axes[1].scatter(Xs[:, 0], Xs[:, 1], s=4, color="C0" if label == 0 else "C3",
                    label=f"sample(500, y={label})")
axes[1].set_title("WGANGP samples per class")
axes[1].legend(markerscale=3, fontsize="small")
plt.show()

# %%
# Conditions on a column of a DataFrame
# -------------------------------------
# A VAE fitted on the penguins draws birds of one species on demand; their
# bill lengths follow that species' distribution.
penguins = load_penguins()
vae = VAE(max_epochs=30 if FAST else 300, random_state=0).fit(penguins)

fig, ax = plt.subplots(figsize=(7, 4))
bins = np.linspace(30, 62, 33)
for i, species in enumerate(["Adelie", "Chinstrap", "Gentoo"]):
    rows = vae.sample(300, conditions={"species": species}, random_state=i)
    assert (rows["species"] == species).all()
    real = penguins.loc[penguins["species"] == species, "bill_length_mm"].dropna()
    ax.hist(real, bins=bins, density=True, alpha=0.3, color=f"C{i}", label=f"{species} (real)")
    ax.hist(rows["bill_length_mm"].dropna(), bins=bins, density=True, histtype="step",
            linewidth=1.8, color=f"C{i}", label=f"{species} (sampled)")
ax.set_xlabel("bill length (mm)")
ax.set_ylabel("density")
ax.legend(fontsize="small", ncol=3)
plt.show()
