"""Scaling-out figures for docs/scaling.md.

Run: ``PYTHONPATH=. OMP_NUM_THREADS=1 python benchmarks/scaling.py [grid|stream|all]``

* ``grid``: GridSearchCV of a DenoisingAE on digits (2 x 2 grid, cv=3: 12 fits) with
  n_jobs=1 against joblib's dask backend on a LocalCluster of 2 worker processes
  (1 thread each); median of repeats, cluster start-up reported separately.
* ``stream``: an Autoencoder trained for 1 pass over N rows x 32 float columns
  stored in parquet (row groups of 25,000 rows, the mean drifting along the file),
  with ``partial_fit_chunks`` (statistics from a 10,000-row sample; one chunk or 4
  chunks per ``partial_fit``) against an in-memory ``fit`` (max_epochs=1) of the same
  rows; peak resident memory of each run (a fresh process each) and the
  reconstruction error on 10,000 held-out rows.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

N_FEATURES = 32
ROW_GROUP = 25_000


def grid(repeats=3):
    from dask.distributed import Client, LocalCluster
    from joblib import parallel_backend
    from sklearn.datasets import load_digits
    from sklearn.model_selection import GridSearchCV

    from skgen import DenoisingAE

    X, _ = load_digits(return_X_y=True)
    X = X / 16.0

    def search(n_jobs):
        est = DenoisingAE(max_epochs=30, random_state=0)
        return GridSearchCV(est, {"n_components": [8, 16], "noise_level": [0.1, 0.3]}, cv=3, n_jobs=n_jobs)

    times = {"n_jobs=1": [], "dask, 2 workers": []}
    results = {}
    start = time.perf_counter()
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    client = Client(cluster)
    client.run(lambda: __import__("skgen"))  # workers import torch once
    startup = time.perf_counter() - start
    for _ in range(repeats):  # interleaved, so both see the same machine load
        t = time.perf_counter()
        results["n_jobs=1"] = search(None).fit(X).cv_results_["mean_test_score"]
        times["n_jobs=1"].append(time.perf_counter() - t)
        t = time.perf_counter()
        with parallel_backend("dask"):
            results["dask, 2 workers"] = search(-1).fit(X).cv_results_["mean_test_score"]
        times["dask, 2 workers"].append(time.perf_counter() - t)
    client.close()
    cluster.close()
    same = bool(np.allclose(results["n_jobs=1"], results["dask, 2 workers"], rtol=1e-6))
    base = np.median(times["n_jobs=1"])
    print(f"cluster start-up (2 processes importing skgen): {startup:.1f} s")
    print("| backend | median wall time (s) | speed-up | same mean_test_score |")
    print("|---|---|---|---|")
    for name, values in times.items():
        print(f"| {name} | {np.median(values):.1f} | {base / np.median(values):.2f}x | {same} |")
    print(f"(load average during the runs: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")


def _make_parquet(path, n_rows, seed=0, shuffled=False):
    """Rows drift along the file (a sorted table): the first row group is not typical.

    ``shuffled=True`` draws each row's position at random (the held-out rows)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.RandomState(seed)
    basis = np.random.RandomState(123).normal(size=(4, N_FEATURES))
    writer = None
    for start in range(0, n_rows, ROW_GROUP):
        n = min(ROW_GROUP, n_rows - start)
        z = rng.normal(size=(n, 4))
        position = rng.uniform(size=(n, 1)) if shuffled else (start + np.arange(n)[:, None]) / n_rows
        X = np.tanh(z @ basis) + 0.1 * rng.normal(size=(n, N_FEATURES)) + 3.0 * position
        table = pa.table({f"x{j}": X[:, j] for j in range(N_FEATURES)})
        if writer is None:
            writer = pq.ParquetWriter(path, table.schema)
        writer.write_table(table, row_group_size=ROW_GROUP)
    writer.close()


def _one_run(mode, path, holdout):
    """Run in a fresh process; print a JSON line with peak RSS, time and error."""
    import resource

    import pandas as pd
    import pyarrow.parquet as pq

    from skgen import Autoencoder
    from skgen.streaming import partial_fit_chunks

    est = Autoencoder(n_components=4, batch_size=256, random_state=0)
    start = time.perf_counter()
    if mode.startswith("stream"):
        per_step = int(mode.split("x")[1]) if "x" in mode else 1
        partial_fit_chunks(est, path, n_epochs=1, sample_size=10_000, chunks_per_step=per_step,
                           random_state=0)
    else:
        frame = pq.read_table(path).to_pandas()
        est.set_params(max_epochs=1).fit(frame)
        del frame
    elapsed = time.perf_counter() - start
    test = pd.read_parquet(holdout)
    mse = -est.score(test)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # MiB
    print(json.dumps({"peak_mib": peak, "seconds": elapsed, "mse": mse}))


def stream(sizes=(50_000, 150_000, 450_000)):
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        holdout = Path(tmp) / "holdout.parquet"
        _make_parquet(holdout, 10_000, seed=99, shuffled=True)
        for n in sizes:
            path = Path(tmp) / f"data_{n}.parquet"
            _make_parquet(path, n)
            result = {}
            for mode in ("stream", "streamx4", "memory"):
                out = subprocess.run(
                    [sys.executable, __file__, "_one", mode, str(path), str(holdout)],
                    check=True, capture_output=True, text=True,
                ).stdout.strip().splitlines()[-1]
                result[mode] = json.loads(out)
            rows.append((n, result))
            print(n, result, flush=True)
    print("| rows | data (float64, MiB) | peak RSS (MiB): chunks / 4 chunks per step / in memory "
          "| held-out MSE: chunks / 4 chunks per step / in memory | time (s) |")
    print("|---|---|---|---|---|")
    for n, r in rows:
        modes = ("stream", "streamx4", "memory")
        print(f"| {n:,} | {n * N_FEATURES * 8 / 2**20:.0f} | "
              + " / ".join(f"{r[m]['peak_mib']:.0f}" for m in modes) + " | "
              + " / ".join(f"{r[m]['mse']:.4f}" for m in modes) + " | "
              + " / ".join(f"{r[m]['seconds']:.0f}" for m in modes) + " |")


if __name__ == "__main__":
    what = sys.argv[1] if len(sys.argv) > 1 else "all"
    if what == "_one":
        _one_run(*sys.argv[2:5])
    else:
        if what in ("grid", "all"):
            grid()
        if what in ("stream", "all"):
            stream()
