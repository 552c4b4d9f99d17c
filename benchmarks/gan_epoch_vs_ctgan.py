"""Per-epoch time of skgen's default ``WGANGP`` vs SDV's ``CTGANSynthesizer`` on one table.

Issue 10 asks for WGANGP's per-epoch time to be at most CTGAN's on the same table. Both train
for a fixed number of epochs on the same training rows (``benchmarks/tabular.py``'s split of a
table, 70 %), on one thread, alternately, ``--repeats`` times; the median seconds per epoch
of each are reported with their ratio. CTGAN (SDV 2, Business Source License) runs in a
subprocess of the separate venv that ``benchmarks/tabular.py`` uses; its fit time includes
SDV's preprocessing, so the per-epoch figure is the difference between a run of
``--epochs`` and a run of 1 epoch, divided by ``--epochs - 1`` (after a first, discarded
1-epoch fit that pays one-off costs); skgen's is measured the same way. Early stopping is off for skgen so both run every epoch::

    OMP_NUM_THREADS=1 PYTHONPATH=. python benchmarks/gan_epoch_vs_ctgan.py --dataset credit
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

CTGAN_SCRIPT = r"""
import json, sys, time, warnings
warnings.filterwarnings("ignore")
import numpy as np, pandas as pd, torch
torch.set_num_threads(1)
sys.path.insert(0, sys.argv[4])
from _tabular_external import read
from sdv.metadata import Metadata
from sdv.single_table import CTGANSynthesizer
train = read(sys.argv[1], sys.argv[2])
metadata = Metadata.detect_from_dataframes({"table": train}, infer_keys=None)
out = {}
for epochs in (1, 1, int(sys.argv[3])):  # the first fit pays one-off costs
    model = CTGANSynthesizer(metadata, epochs=epochs)
    start = time.process_time()
    model.fit({"table": train})
    out[epochs] = time.process_time() - start
print(json.dumps(out))
"""


def skgen_seconds(train, epochs, seed):
    import skgen

    times = {}
    for n in (1, 1, epochs):  # the first fit pays one-off costs (imports, allocations)
        model = skgen.WGANGP(max_epochs=n, early_stopping=False, random_state=seed)
        start = time.process_time()
        model.fit(train)
        times[n] = time.process_time() - start
    return (times[epochs] - times[1]) / (epochs - 1), model


def ctgan_seconds(train, epochs, python):
    from tabular import _kinds

    with tempfile.TemporaryDirectory() as tmp:
        train_path, dtypes_path = os.path.join(tmp, "t.csv"), os.path.join(tmp, "d.json")
        train.to_csv(train_path, index=False)
        with open(dtypes_path, "w") as fh:
            json.dump(_kinds(train), fh)
        env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": ""}
        done = subprocess.run(
            [python, "-c", CTGAN_SCRIPT, train_path, dtypes_path, str(epochs), str(HERE)],
            capture_output=True, text=True, env=env, check=False,
        )
    if done.returncode:
        raise RuntimeError(done.stderr[-2000:])
    times = {int(k): v for k, v in json.loads(done.stdout.strip().splitlines()[-1]).items()}
    return (times[epochs] - times[1]) / (epochs - 1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="credit")
    parser.add_argument("--epochs", type=int, default=11)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--max-rows", type=int, default=2000)
    parser.add_argument("--external-python", default="/work/venv-sdv/bin/python")
    args = parser.parse_args()
    import torch

    from tabular import split

    torch.set_num_threads(1)
    warnings.filterwarnings("ignore")
    train, _, _, _ = split(args.dataset, 0, args.max_rows)
    ours, theirs = [], []
    for repeat in range(args.repeats):
        per_epoch, model = skgen_seconds(train, args.epochs, repeat)
        ours.append(per_epoch)
        theirs.append(ctgan_seconds(train, args.epochs, args.external_python))
        print(f"repeat {repeat}: WGANGP {ours[-1]:.3f} s/epoch, CTGAN {theirs[-1]:.3f} s/epoch",
              flush=True)
    a, b = statistics.median(ours), statistics.median(theirs)
    batch = getattr(model.net_, "batch_size", "?")
    print(f"{args.dataset} ({len(train)} train rows): WGANGP {a:.3f} s/epoch "
          f"(batch {batch}), CTGAN {b:.3f} s/epoch (batch 500, pac 10); "
          f"ratio {a / b:.2f} (CPU time, medians of {args.repeats})")
    # An epoch is not the same work in both: WGANGP makes n // batch steps of n_critic
    # critic updates and one generator update, CTGAN n // 500 steps of one each; their
    # default fits run max_epochs="auto" (100 up to 2,500 rows) and 300 epochs.
    steps = [max(len(train) // batch, 1), max(len(train) // 500, 1)] if isinstance(batch, int) else None
    if steps:
        # max_epochs="auto" resolved for this table (100 up to 2,500 rows, then fewer)
        default_epochs = model.set_params(max_epochs="auto")._resolve_max_epochs(len(train))
        print(f"per step: WGANGP {1e3 * a / steps[0]:.1f} ms ({steps[0]} steps/epoch, "
              f"n_critic {model.net_.n_critic}), CTGAN {1e3 * b / steps[1]:.1f} ms ({steps[1]} steps/epoch, 1 critic update); "
              f"default fit (epochs x s/epoch): WGANGP {default_epochs * a:.1f} s ({default_epochs} epochs), "
              f"CTGAN {300 * b:.1f} s (300 epochs)")


if __name__ == "__main__":
    main()
