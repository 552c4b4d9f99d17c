"""
Anomaly scores from a VAE
=========================

:meth:`VAE.score_samples <skgen.VAE.score_samples>` is the evidence lower bound
(ELBO) of each row: how well the model explains it. Rows unlike the training
data get low scores. We fit a VAE on handwritten digits and score held-out
digits next to corrupted ones (a block of pixels wiped out or a row shuffled):
the corrupted digits fall in the low tail, and the ELBO separates them with a
high ROC AUC.
"""

import os

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

from skgen import VAE
from skgen.plotting import SampleGridDisplay

FAST = os.environ.get("SKGEN_DOCS_FAST", "0") != "0"  # CI: fewer epochs

X, _ = load_digits(return_X_y=True)
X = X / 16.0
X_train, X_test = train_test_split(X, test_size=0.25, random_state=0)

rng = np.random.RandomState(0)
corrupted = X_test[:150].copy().reshape(-1, 8, 8)
for image in corrupted:
    if rng.rand() < 0.5:
        r, c = rng.randint(0, 5, size=2)
        image[r : r + 4, c : c + 4] = rng.rand()  # a flat block
    else:
        image[:] = image.ravel()[rng.permutation(64)].reshape(8, 8)  # scrambled pixels
corrupted = corrupted.reshape(-1, 64)

vae = VAE(n_components=8, max_epochs=20 if FAST else 200, random_state=0).fit(X_train)
normal_scores = vae.score_samples(X_test)
anomaly_scores = vae.score_samples(corrupted)

labels = np.r_[np.zeros(len(normal_scores)), np.ones(len(anomaly_scores))]
auc = roc_auc_score(labels, -np.r_[normal_scores, anomaly_scores])
print(f"ROC AUC of -score_samples: {auc:.3f}")

# %%
# The two score distributions
# ---------------------------
fig, ax = plt.subplots(figsize=(7, 4))
bins = np.linspace(min(anomaly_scores.min(), normal_scores.min()), normal_scores.max(), 40)
ax.hist(normal_scores, bins=bins, alpha=0.6, label="held-out digits")
ax.hist(anomaly_scores, bins=bins, alpha=0.6, label="corrupted digits")
ax.set_xlabel("VAE.score_samples (ELBO)")
ax.set_ylabel("rows")
ax.set_title(f"ROC AUC = {auc:.3f}")
ax.legend()
plt.show()

# %%
# The lowest-scored held-out digits are the odd ones
# --------------------------------------------------
worst = np.argsort(normal_scores)[:16]
SampleGridDisplay.from_images(X_test[worst], n_cols=8, name="lowest ELBO among real digits")
plt.show()
