"""Plain vs unrolled GAN on the 8-Gaussian ring under several discriminator strengths.

Each setting (a JSON list of ``[name, GAN parameters]``) is fitted with
``unrolled_steps`` as given (run it twice, with 0 and with K, to compare) on
the ring of ``benchmarks/images.py`` (2000 rows, batch 128), for the given
seeds; the generator is snapshotted at the checkpoint epochs and each
snapshot draws 2000 samples (seed 0), scored by ``images.ring_modes``: modes
covered (at least 2% of the samples within 0.3 of the mode's centre) /
share of samples within 0.3 of some mode. CPU seconds per fit.

usage (from the repository root, one torch thread)::

    OMP_NUM_THREADS=1 PYTHONPATH=. python benchmarks/ring_sweep.py \\
        '[["nc3 dlr3e-3 K=5", {"n_critic": 3, "discriminator_lr": 0.003, "unrolled_steps": 5}]]' \\
        0,1,2 100 20,40,60,80,100
"""

import copy
import json
import sys
import time
from pathlib import Path

import numpy as np
from skorch.callbacks import Callback

sys.path.insert(0, str(Path(__file__).resolve().parent))
from images import ring, ring_modes  # noqa: E402

from skgen import GAN  # noqa: E402


class Snap(Callback):
    def __init__(self, at):
        self.at = at

    def initialize(self):
        self.snaps = {}
        return self

    def on_epoch_end(self, net, **kw):
        e = len(net.history)
        if e in self.at:
            self.snaps[e] = copy.deepcopy(net.module_.state_dict())


def main():
    configs = json.loads(sys.argv[1])
    seeds = [int(s) for s in sys.argv[2].split(",")]
    epochs = int(sys.argv[3])
    at = [int(a) for a in sys.argv[4].split(",")] if len(sys.argv) > 4 else [epochs]
    X = ring(2000, 0)
    for name, params in configs:
        res = []
        for seed in seeds:
            t0 = time.process_time()
            p = dict(max_epochs=epochs, batch_size=128, random_state=seed)
            p.update(params)
            gan = GAN(**p, callbacks=[("snap", Snap(set(at)))]).fit(X)
            cpu = time.process_time() - t0
            snaps = dict(gan.net_.callbacks_)["snap"].snaps
            row = []
            for e in at:
                gan.net_.module_.load_state_dict(snaps[e])
                m, q = ring_modes(gan.sample(2000, random_state=0))
                row.append((m, round(q, 2)))
            res.append(row)
            print(f"{name} seed {seed}: " + " ".join(f"e{e}:{m}/{q}" for e, (m, q) in zip(at, row))
                  + f" cpu {cpu:.0f}s", flush=True)
        final = [r[-1][0] for r in res]
        avg = [round(float(np.mean([m for m, _ in r])), 1) for r in res]
        print(f"== {name}: final modes {final} mean-over-checkpoints {avg}", flush=True)


if __name__ == "__main__":
    main()
