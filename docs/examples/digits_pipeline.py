"""DenoisingAE features for a classifier, next to PCA features, on digits.

The README's two-step pipeline (reducer, then classifier, no scaler in
between), scored by 5-fold cross-validation with shuffled folds: one
train/test split of 540 images moves by a few images with the seed, which
is as large as the gap between the two reducers.

Run: ``python docs/examples/digits_pipeline.py`` (about 15 s on a laptop CPU).
"""

import time

from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold, cross_val_score
from sklearn.pipeline import Pipeline

from skgen import DenoisingAE

X, y = load_digits(return_X_y=True)
folds = KFold(n_splits=5, shuffle=True, random_state=0)

print(f"{'features':<38}{'accuracy (5-fold)':>20}{'time (s)':>10}")
for name, reducer in [
    ("PCA(16)", PCA(n_components=16, random_state=0)),
    ("DenoisingAE(16)", DenoisingAE(n_components=16, random_state=0)),
]:
    pipe = Pipeline([("reduce", reducer), ("clf", LogisticRegression(max_iter=2000))])
    start = time.perf_counter()
    scores = cross_val_score(pipe, X, y, cv=folds)
    elapsed = time.perf_counter() - start
    accuracy = f"{scores.mean():.3f} +/- {scores.std():.3f}"
    print(f"{name + ' + LogisticRegression':<38}{accuracy:>20}{elapsed:>10.1f}")
