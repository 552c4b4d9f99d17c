"""DenoisingAE features for a classifier, next to PCA features, on digits.

Run: ``python docs/examples/digits_pipeline.py`` (about 10 s on a laptop CPU).
"""

import time

from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from skgen import DenoisingAE

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state=0)

print(f"{'features':<38}{'accuracy':>10}{'fit (s)':>10}")
for name, reducer in [
    ("PCA(16)", PCA(n_components=16, random_state=0)),
    ("DenoisingAE(16)", DenoisingAE(n_components=16, random_state=0)),
]:
    pipe = Pipeline(
        [("reduce", reducer), ("scale", StandardScaler()), ("clf", LogisticRegression(max_iter=2000))]
    )
    start = time.perf_counter()
    pipe.fit(X_train, y_train)
    elapsed = time.perf_counter() - start
    print(f"{name + ' + LogisticRegression':<38}{pipe.score(X_test, y_test):>10.3f}{elapsed:>10.1f}")
