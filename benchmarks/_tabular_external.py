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


def _allow_constant_leaves():
    """Let arfpy 0.1.1 sample leaves where a numeric column is constant (a point mass).

    arfpy fits a truncated normal per leaf and column and calls ``scipy.stats.truncnorm``
    with the leaf's standard deviation, which is 0 when every training value in the leaf is
    equal (the zeros of a zero-inflated amount); scipy then raises. Such a leaf's values are
    drawn as the constant itself, the limit of the normal as its scale goes to 0.
    """
    import scipy.stats

    truncnorm = scipy.stats.truncnorm

    class _Frozen:
        def __init__(self, a, b, loc, scale):
            self.a, self.b, self.loc, self.scale = map(np.asarray, (a, b, loc, scale))

        def rvs(self, size):
            loc = np.broadcast_to(self.loc, (size,)).astype(float)
            scale, a, b = (np.broadcast_to(v, (size,)) for v in (self.scale, self.a, self.b))
            out = loc.copy()
            spread = scale > 0
            if spread.any():
                out[spread] = truncnorm(a[spread], b[spread], loc=loc[spread],
                                        scale=scale[spread]).rvs(size=int(spread.sum()))
            return out

    scipy.stats.truncnorm = lambda a, b, loc=0.0, scale=1.0: _Frozen(a, b, loc, scale)


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

        _allow_constant_leaves()

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
