"""
Real against synthetic tables: marginals and associations
==========================================================

A :class:`~skgen.VAE` and a :class:`~skgen.WGANGP` fitted on the Palmer penguins
(strings, floats, integers and missing values) return DataFrames with the same
columns and dtypes from ``sample``. :class:`~skgen.plotting.MarginalsDisplay`
compares each column's distribution and the pairwise associations (Pearson's
correlation, Cramér's V, correlation ratio): a white heat map means the synthetic
table keeps the relations between columns.
"""

import os

import matplotlib.pyplot as plt
from palmerpenguins import load_penguins

from skgen import VAE, WGANGP
from skgen.metrics import column_shape_score, correlation_difference
from skgen.plotting import MarginalsDisplay

FAST = os.environ.get("SKGEN_DOCS_FAST", "0") != "0"  # CI: fewer epochs

penguins = load_penguins()
print(penguins.head())

# %%
# A VAE
# -----
vae = VAE(max_epochs=30 if FAST else 300, random_state=0).fit(penguins)
synthetic = vae.sample(len(penguins), random_state=0)
MarginalsDisplay.from_data(penguins, synthetic)
plt.show()

# %%
# A WGAN-GP
# ---------
gan = WGANGP(max_epochs=30 if FAST else 300, random_state=0).fit(penguins)
synthetic_gan = gan.sample(len(penguins), random_state=0)
MarginalsDisplay.from_data(penguins, synthetic_gan, labels=("real", "WGANGP"))
plt.show()

# %%
# The same comparisons as numbers: the mean per-column similarity (1 is ideal)
# and the mean absolute difference of the associations (0 is ideal).
for name, table in [("VAE", synthetic), ("WGANGP", synthetic_gan)]:
    print(
        f"{name:7s} column shapes {column_shape_score(penguins, table):.3f}  "
        f"association difference {correlation_difference(penguins, table):.3f}"
    )
