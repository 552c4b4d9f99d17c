"""
Autoencoder features in a classification pipeline
==================================================

A :class:`~skgen.DenoisingAE` is a scikit-learn transformer, so it sits in a
:class:`~sklearn.pipeline.Pipeline` in front of a classifier exactly where
:class:`~sklearn.decomposition.PCA` would. Here both reduce the 64 pixels of the
digits to a few features for a logistic regression, for several code sizes.
"""

import os

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skgen import DenoisingAE

FAST = os.environ.get("SKGEN_DOCS_FAST", "0") != "0"  # CI: few epochs

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state=0)

# %%
# The same pipeline with two reducers
# -----------------------------------
sizes = [2, 4, 8, 16]
scores = {"PCA": [], "DenoisingAE": []}
for n in sizes:
    reducers = {
        "PCA": PCA(n_components=n, random_state=0),
        "DenoisingAE": DenoisingAE(n_components=n, max_epochs=10 if FAST else 100, random_state=0),
    }
    for name, reducer in reducers.items():
        pipe = make_pipeline(reducer, StandardScaler(), LogisticRegression(max_iter=2000))
        scores[name].append(pipe.fit(X_train, y_train).score(X_test, y_test))

for name, values in scores.items():
    print(name, np.round(values, 3))

# %%
# Accuracy against the number of features
# ---------------------------------------
# With very few features the nonlinear code keeps more of what separates the
# classes; with 16 both are close to the accuracy on all 64 pixels.
fig, ax = plt.subplots(figsize=(6, 3.5))
width = 0.38
positions = np.arange(len(sizes))
for offset, (name, values) in zip((-width / 2, width / 2), scores.items()):
    ax.bar(positions + offset, values, width=width, label=name)
ax.set_xticks(positions, [str(n) for n in sizes])
ax.set_xlabel("features (n_components)")
ax.set_ylabel("test accuracy")
ax.set_ylim(0, 1)
ax.legend(loc="lower right")
ax.set_title("LogisticRegression on reduced digits")
plt.show()
