"""Worker for benchmarks/tabular.py: SDV and arfpy generators, run in their own venv.

SDV (Business Source License) and arfpy are benchmark-only: never imported by skgen. This
script only needs pandas, numpy and the generator's package; it is run with the python of a
separate environment (SDV 2 pins pandas<3), e.g.::

    python -m venv --system-site-packages /work/venv-sdv
    /work/venv-sdv/bin/pip install "pandas<3" sdv arfpy

Usage (called by benchmarks/tabular.py, one generator per call)::

    python _tabular_external.py GENERATOR train.csv dtypes.json n_rows seed out.csv
"""

import json
import sys
import time
import warnings

import numpy as np
import pandas as pd


def read(path, dtypes_path):
    with open(dtypes_path) as fh:
        dtypes = json.load(fh)
    frame = pd.read_csv(path, keep_default_na=True)
    for column, kind in dtypes.items():
        if kind == "categorical":
            # object, not category: SDV 2.0's CTGAN/TVAE reject category columns
            frame[column] = frame[column].astype("object").where(frame[column].notna(), None)
        elif kind == "integer" and frame[column].notna().all():
            frame[column] = frame[column].astype("int64")
        else:
            frame[column] = frame[column].astype("float64")
    return frame


def main():
    name, train_path, dtypes_path, n, seed, out = sys.argv[1:7]
    n, seed = int(n), int(seed)
    warnings.filterwarnings("ignore")
    np.random.seed(seed)
    import torch

    torch.manual_seed(seed)
    torch.set_num_threads(1)
    train = read(train_path, dtypes_path)
    start = time.perf_counter()
    if name == "arf":
        if not hasattr(np, "in1d"):  # arfpy 0.1.1 calls np.in1d, removed in numpy 2.4
            np.in1d = np.isin
        from arfpy import arf

        model = arf.arf(x=train, verbose=False, random_state=seed)  # kwargs: the forests
        model.forde()
        fit_time = time.perf_counter() - start
        start = time.perf_counter()
        synthetic = model.forge(n=n)
    else:
        from sdv import single_table
        from sdv.metadata import Metadata

        metadata = Metadata.detect_from_dataframes({"table": train}, infer_keys=None)
        model = getattr(single_table, name)(metadata)
        model.fit({"table": train})
        fit_time = time.perf_counter() - start
        start = time.perf_counter()
        synthetic = model.sample(n)
        if isinstance(synthetic, dict):
            synthetic = next(iter(synthetic.values()))
    sample_time = time.perf_counter() - start
    synthetic.to_csv(out, index=False)
    print(json.dumps({"fit": fit_time, "sample": sample_time}))


if __name__ == "__main__":
    main()
