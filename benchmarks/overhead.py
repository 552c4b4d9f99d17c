"""Training overhead of skgen (skorch) against a plain PyTorch loop.

The same MLP autoencoder (architecture, PyTorch's default initialisation, i.e.
``init="random"`` on the skgen side,
loss, optimizer class and settings, learning rate, batch size, number of
epochs, input scaling) is trained

* by ``skgen.Autoencoder(...).fit(X)``: validation, net construction,
  callbacks, history, i.e. everything a user pays for; and
* by a plain loop: one in-memory tensor, a ``torch.randperm`` shuffle per
  epoch, slicing (no DataLoader), ``zero_grad``/forward/loss/``backward``/``step``.

Both run in the same process with the same intra-op threads, interleaved,
after a warm-up. The table gives medians over repeats of the whole fit, in
CPU time (robust on a shared machine) and wall time, and the ratio
skgen/plain (target: <= 1.2). A reference column trains the plain loop with
``Adam(fused=True)`` to show what the optimizer implementation alone is worth.
``--profile`` adds what skgen spends per batch beyond the plain loop: the
cost of each piece of skorch/skgen bookkeeping (timeit) and a cProfile listing.

Regenerate ``docs/benchmarks_overhead.md`` with::

    python benchmarks/overhead.py --profile --output docs/benchmarks_overhead.md
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import math
import os
import pstats
import statistics
import sys
import time
import timeit
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (  # noqa: E402
    command_line,
    environment,
    markdown_table,
    set_threads,
    write_markdown,
)

from skgen import Autoencoder  # noqa: E402

LR = 1e-3


@dataclass(frozen=True)
class Setting:
    name: str
    data: str  # "tabular" (numeric: squared error) or "digits" (in [0, 1]: cross-entropy)
    n_samples: int | None  # None: the whole data set
    batch_size: int
    hidden_layer_sizes: tuple
    n_components: int
    epochs: int


SETTINGS = (
    Setting("tabular 2000x20, batch 32", "tabular", 2000, 32, (128, 64), 8, 20),
    Setting("tabular 2000x20, batch 128", "tabular", 2000, 128, (128, 64), 8, 20),
    Setting("digits 1797x64, batch 128", "digits", None, 128, (128, 64), 10, 20),
    Setting("digits 1797x64, batch 128, wide (1024, 512)", "digits", None, 128, (1024, 512), 10, 5),
    Setting("tiny 200x20, batch 128 (2 batches/epoch)", "tabular", 200, 128, (128, 64), 8, 100),
)


def load(setting):
    if setting.data == "tabular":
        rng = np.random.RandomState(0)
        latent = rng.randn(2000, 5)
        X = latent @ rng.randn(5, 20) + 0.1 * rng.randn(2000, 20)
    else:
        from sklearn.datasets import load_digits

        X = load_digits().data / 16.0
    return X[: setting.n_samples]


def n_batches(setting, X, epochs):
    return epochs * math.ceil(len(X) / setting.batch_size)


# ----------------------------------------------------------------- plain loop
def _mlp(n_in, hidden, n_out):
    layers, width = [], n_in
    for size in hidden:
        layers += [nn.Linear(width, size), nn.ReLU()]
        width = size
    layers.append(nn.Linear(width, n_out))
    return nn.Sequential(*layers)


def plain_fit(X, setting, epochs, seed, optimizer_cls=torch.optim.Adam, optimizer_kwargs=None):
    """Train the autoencoder with a hand-written loop; return (model, last epoch loss)."""
    binary = X.min() >= 0 and X.max() <= 1
    if binary:  # as skgen: sigmoid output + cross-entropy on the raw [0, 1] data
        Xn = X
    else:  # as skgen: centred, one global scale, squared error
        Xn = (X - X.mean(axis=0)) / np.sqrt(X.var(axis=0).mean())
    Xt = torch.from_numpy(np.ascontiguousarray(Xn, dtype=np.float32))
    torch.manual_seed(seed)
    n, d = Xt.shape
    hidden = setting.hidden_layer_sizes
    model = nn.Sequential(
        _mlp(d, hidden, setting.n_components), _mlp(setting.n_components, hidden[::-1], d)
    )
    optimizer = optimizer_cls(model.parameters(), **(optimizer_kwargs or {"lr": LR}))
    generator = torch.Generator().manual_seed(seed)
    bs = setting.batch_size
    model.train()
    for _ in range(epochs):
        order = torch.randperm(n, generator=generator)
        Xs = Xt[order]
        total = torch.zeros(())
        for start in range(0, n, bs):
            xb = Xs[start : start + bs]
            optimizer.zero_grad()
            out = model(xb)
            if binary:
                loss = F.binary_cross_entropy_with_logits(out, xb, reduction="none").sum(1).mean()
            else:
                loss = 0.5 * (out - xb).pow(2).sum(1).mean()
            loss.backward()
            optimizer.step()
            total += loss.detach() * len(xb)
        last = total.item() / n
    return model, last


# ---------------------------------------------------------------------- skgen
def skgen_estimator(setting, epochs, seed):
    # n_iter_no_change > epochs: exactly `epochs` epochs, as in the plain loop
    # (the early-stopping callback still runs every epoch).
    est = Autoencoder(
        setting.n_components,
        hidden_layer_sizes=setting.hidden_layer_sizes,
        max_epochs=epochs,
        batch_size=setting.batch_size,
        lr=LR,
        n_iter_no_change=epochs + 1,
        device="cpu",
        random_state=seed,
    )
    if "init" in est.get_params():
        # the plain loop's initialisation (PyTorch's default), not the PCA start: the
        # table measures the training loop, not the fixed cost of an SVD
        est.set_params(init="random")
    return est


def skgen_fit(X, setting, epochs, seed):
    ae = skgen_estimator(setting, epochs, seed).fit(X)
    assert ae.n_iter_ == epochs, (ae.n_iter_, epochs)
    return ae, float(ae.loss_curve_[-1])


def optimizer_config(ae):
    """skgen's optimizer class and settings, so the plain loop uses the same."""
    optimizer = ae.net_.optimizer_
    return type(optimizer), dict(optimizer.defaults)


def n_params(module):
    return sum(p.numel() for p in module.parameters())


def timed(fn, *args):
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn(*args)
    return out, time.process_time() - cpu, time.perf_counter() - wall


# ------------------------------------------------------------------ benchmark
def run_setting(setting, epochs, repeats):
    X = load(setting)
    # warm-up (allocator, kernels, lazy imports) and checks that both train the same thing
    ae, _ = skgen_fit(X, setting, 1, 0)
    opt_cls, opt_kwargs = optimizer_config(ae)
    fused_kwargs = {**opt_kwargs, "foreach": None, "fused": True}
    model, _ = plain_fit(X, setting, 1, 0, opt_cls, opt_kwargs)
    plain_fit(X, setting, 1, 0, opt_cls, fused_kwargs)
    assert n_params(ae.net_.module_) == n_params(model), "architectures differ"

    runs = {
        "plain": lambda seed: plain_fit(X, setting, epochs, seed, opt_cls, opt_kwargs),
        "skgen": lambda seed: skgen_fit(X, setting, epochs, seed),
        "fused": lambda seed: plain_fit(X, setting, epochs, seed, opt_cls, fused_kwargs),
    }
    cpu = {k: [] for k in runs}
    wall = {k: [] for k in runs}
    losses = {}
    names = list(runs)
    for r in range(repeats):
        for which in names[r % 3 :] + names[: r % 3]:  # rotate the order
            (_, losses[which]), c, w = timed(runs[which], r)
            cpu[which].append(c)
            wall[which].append(w)
    med = {k: statistics.median(v) for k, v in cpu.items()}
    med_wall = {k: statistics.median(v) for k, v in wall.items()}
    nb = n_batches(setting, X, epochs)
    return {
        "setting": setting.name,
        "epochs": epochs,
        "n_batches": nb,
        "params": n_params(model),
        "optimizer": opt_cls.__name__,
        "plain": med["plain"],
        "skgen": med["skgen"],
        "fused": med["fused"],
        "ratio": med["skgen"] / med["plain"],
        "ratio_wall": med_wall["skgen"] / med_wall["plain"],
        "overhead_us": 1e6 * (med["skgen"] - med["plain"]) / nb,
        "loss_plain": losses["plain"],
        "loss_skgen": losses["skgen"],
    }


# -------------------------------------------------------------------- profile
def per_call_costs(setting):
    """Cost in µs of each piece of per-batch bookkeeping that the plain loop lacks.

    Each piece is timed alone with timeit (min of 9 repeats), on a fitted net
    and a real batch. Reaches into skorch and skgen internals: a piece that
    no longer exists after a refactoring is reported as n/a.
    """
    from skorch.dataset import get_len
    from skorch.net import FirstStepAccumulator
    from skorch.utils import TeeGenerator, to_tensor

    from skgen.nn import AutoencoderModule

    X = load(setting)
    ae, _ = skgen_fit(X, setting, 1, 0)
    net = ae.net_
    bs = setting.batch_size
    Xn = ae._validate_input(X[:bs], reset=False)[0]
    xb = torch.from_numpy(Xn)
    batch = (xb, None)
    net.history.new_epoch()
    net.history.new_batch()
    net._term_sums = {"train": {}, "valid": {}}
    net._term_counts = {"train": 0, "valid": 0}
    out = net.module_(xb)
    raw = out["recon"].detach().clone().requires_grad_(True)
    term = net.criterion_(out, xb, module=net.module_)["reconstruction"]
    term = term.detach().clone().requires_grad_(True)
    binary = ae.layout_[0].kind == "binary"

    def criterion_fb():
        net.criterion_({"recon": raw}, xb, module=net.module_)["reconstruction"].backward()

    def plain_loss_fb():
        if binary:
            loss = F.binary_cross_entropy_with_logits(raw, xb, reduction="none").sum(1).mean()
        else:
            loss = 0.5 * (raw - xb).pow(2).sum(1).mean()
        loss.backward()

    def sum_terms_fb():
        net._sum_terms({"reconstruction": term}, bs, True).backward()

    def term_fb():
        term.backward()

    identity_ae = AutoencoderModule(nn.Identity(), nn.Identity())
    identity_seq = nn.Sequential(nn.Identity(), nn.Identity())

    class NoOpOptimizer:
        def step(self, closure=None):
            if closure is not None:
                with torch.enable_grad():
                    closure()

    noop = NoOpOptimizer()

    def closure_path():  # what skorch's train_step adds around the optimizer
        accumulator = FirstStepAccumulator()

        def step_fn():
            accumulator.store_step({"loss": term})
            return term

        for _ in net._optimizers:
            noop.step(step_fn)
        return accumulator.get_step()

    def t(fn, number=2000):
        return min(timeit.repeat(fn, number=number, repeat=9)) / number * 1e6

    pieces = [
        (
            "`net._set_training(True)` on every batch: `module_.train()` + `criterion_.train()` "
            "walk all submodules through `Module.__setattr__`",
            lambda: t(lambda: net._set_training(True)),
        ),
        (
            "`_sum_terms` forward+backward vs using the single term: `detach()*n` and dict add "
            "per term, `sum(terms.values())` (an extra `0 + t` autograd node)",
            lambda: t(sum_terms_fb) - t(term_fb),
        ),
        (
            "`ReconstructionCriterion` forward+backward vs the same loss written inline "
            "(layout loop, `raw[:, block.slice]` views and their backward)",
            lambda: t(criterion_fb, 1000) - t(plain_loss_fb, 1000),
        ),
        (
            "`notify('on_batch_begin')`: 1 + 7 callbacks (only the net's `history.new_batch()` "
            "does something)",
            lambda: t(lambda: net.notify("on_batch_begin", batch=batch, training=True)),
        ),
        (
            "`notify('on_grad_computed', named_parameters=TeeGenerator(...))` (no callback uses it)",
            lambda: t(
                lambda: net.notify(
                    "on_grad_computed",
                    named_parameters=TeeGenerator(net.get_all_learnable_params()),
                    batch=batch,
                    training=True,
                )
            ),
        ),
        (
            "`notify('on_batch_end')`: 8 no-op hooks",
            lambda: t(
                lambda: net.notify("on_batch_end", batch=batch, training=True, loss=term, y_pred=out)
            ),
        ),
        (
            "`history.record_batch` x2 (`train_loss` with `loss.item()`, `train_batch_size`)",
            lambda: t(
                lambda: (
                    net.history.record_batch("train_loss", term.item()),
                    net.history.record_batch("train_batch_size", bs),
                )
            ),
        ),
        ("`get_len(batch[0])` in `run_single_epoch`", lambda: t(lambda: get_len(batch[0]))),
        ("`infer`: `to_tensor(xb, device)`", lambda: t(lambda: to_tensor(xb, device="cpu"))),
        (
            "`AutoencoderModule.forward` (dict output) vs `Sequential`, Python only",
            lambda: t(lambda: identity_ae(xb)) - t(lambda: identity_seq(xb)),
        ),
        (
            "`train_step` closure: `FirstStepAccumulator`, `step_fn`, `optimizer.step(closure)` "
            "with `enable_grad`",
            lambda: t(closure_path) - t(noop.step),
        ),
    ]
    rows = []
    for name, measure in pieces:
        try:
            rows.append((name, measure()))
        except Exception as exc:  # a refactored internal: report, do not fail
            rows.append((name + f" (n/a: {type(exc).__name__})", float("nan")))
    return rows


_PROFILED = [
    ("skorch/net.py", "run_single_epoch", "run_single_epoch (all below)"),
    ("skorch/net.py", "train_step", "train_step"),
    ("torch/optim/adam.py", "step", "Adam.step (runs the closure: train_step_single)"),
    ("skorch/net.py", "train_step_single", "train_step_single"),
    ("torch/_tensor.py", "backward", "loss.backward (also in the plain loop)"),
    ("skorch/net.py", "infer", "infer"),
    ("skorch/net.py", "_set_training", "_set_training"),
    ("skgen/_skorch.py", "get_loss", "AutoencoderNet.get_loss"),
    ("skgen/losses/_reconstruction.py", "forward", "ReconstructionCriterion.forward"),
    ("skgen/_skorch.py", "_sum_terms", "_sum_terms"),
    ("skorch/net.py", "notify", "notify"),
    ("skorch/net.py", "_zero_grad_optimizer", "_zero_grad_optimizer"),
    ("skorch/callbacks/logging.py", "table", "PrintLog.table (built at verbose=0 too)"),
    ("skorch/dataset.py", "get_len", "get_len"),
    ("skorch/history.py", "record_batch", "History.record_batch"),
]


def cprofile_rows(setting, epochs):
    """cProfile one skgen fit; cumulative µs per batch of the main frames."""
    X = load(setting)
    skgen_fit(X, setting, 1, 0)
    nb = n_batches(setting, X, epochs)
    profiler = cProfile.Profile()
    profiler.enable()
    skgen_fit(X, setting, epochs, 0)
    profiler.disable()
    stats = pstats.Stats(profiler).stats
    rows = []
    for suffix, func_name, label in _PROFILED:
        calls = cum = 0
        for (filename, _, func), (_, ncalls, _, cumtime, _) in stats.items():
            if func == func_name and filename.replace("\\", "/").endswith(suffix):
                calls += ncalls
                cum += cumtime
        if calls:
            rows.append((label, calls, 1e6 * cum / nb))
    return rows, nb


# =========================================================================
# Issue 10: threads, mixed tables, the adversarial step, memory, fixed costs.
# Each section returns plain data (JSON); ``--json`` saves it, and ``--report
# BEFORE.json AFTER.json`` renders the before/after tables. Run the same script
# on the old code with ``PYTHONPATH=/path/to/old/checkout``: the sections only use
# the public API (and ``skgen.set_config`` where it exists).
# =========================================================================
def mixed_table(n, n_numeric, n_categorical, seed=0, levels=(2, 12), wide_levels=0):
    """A DataFrame with Gaussian numeric columns and categorical columns of 2-12 levels.

    Both depend on a 3-d latent variable; ``wide_levels`` adds one categorical
    column with that many levels (Zipf-like frequencies).
    """
    import pandas as pd

    rng = np.random.RandomState(seed)
    latent = rng.randn(n, 3)
    data = {}
    for j in range(n_numeric):
        data[f"x{j}"] = latent @ rng.randn(3) + 0.5 * rng.randn(n)
    for j in range(n_categorical):
        k = rng.randint(levels[0], levels[1] + 1)
        score = latent @ rng.randn(3) + rng.randn(n)
        codes = np.digitize(score, np.quantile(score, np.linspace(0, 1, k + 1)[1:-1]))
        data[f"c{j}"] = pd.Categorical.from_codes(codes, [f"l{i}" for i in range(k)])
    if wide_levels:
        p = 1.0 / np.arange(1, wide_levels + 1)
        codes = rng.choice(wide_levels, size=n, p=p / p.sum())
        data["wide"] = pd.Categorical.from_codes(codes, [f"w{i}" for i in range(wide_levels)])
    return pd.DataFrame(data)


def _has_config():
    import skgen

    return hasattr(skgen, "set_config")


def _child(section, **kwargs):
    """Run ``section`` in a fresh interpreter (same PYTHONPATH); return its JSON result."""
    import json
    import subprocess

    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", section, json.dumps(kwargs)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if out.returncode:
        return {"error": out.stderr.strip().splitlines()[-1] if out.stderr.strip() else "failed"}
    return json.loads(out.stdout.strip().splitlines()[-1])


def _busy_processes(n):
    import subprocess

    return [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(n)]


# ----------------------------------------------------------------- threads
def child_threads(mode, epochs, n_rows):
    """One default VAE fit of a 7-column mixed table (after a 1-epoch warm-up)."""
    import skgen

    if mode == "pinned":
        torch.set_num_threads(1)
        if _has_config():
            skgen.set_config(n_threads=1)
    elif mode == "all cores" and _has_config():
        skgen.set_config(n_threads=-1)
    X = mixed_table(n_rows, 4, 3, seed=1)
    skgen.VAE(max_epochs=1, random_state=0).fit(X.iloc[:500])
    start = time.perf_counter()
    skgen.VAE(max_epochs=epochs, n_iter_no_change=epochs + 1, random_state=0).fit(X)
    return {"wall": time.perf_counter() - start, "threads_after": torch.get_num_threads()}


def section_threads(repeats=2, epochs=6, n_rows=3000):
    """Default fit vs pinned to one thread, with one busy process per core beside it."""
    modes = ["default", "pinned"] + (["all cores"] if _has_config() else [])
    busy = _busy_processes(os.cpu_count() or 1)
    try:
        time.sleep(1.0)
        walls = {m: [] for m in modes}
        for r in range(repeats):
            for mode in modes[r % len(modes) :] + modes[: r % len(modes)]:
                res = _child("threads", mode=mode, epochs=epochs, n_rows=n_rows)
                walls[mode].append(res.get("wall", float("nan")))
                print(f"threads {mode:<10} {res}", flush=True)
    finally:
        for p in busy:
            p.kill()
    med = {m: statistics.median(v) for m, v in walls.items()}
    return {
        "epochs": epochs,
        "n_rows": n_rows,
        "busy": os.cpu_count(),
        "wall": med,
        "ratio": med["default"] / med["pinned"],
    }


# ------------------------------------------------------------------- mixed
class _EpochClock:
    """CPU seconds of each training epoch (skorch's ``run_single_epoch``), by patching.

    CPU time, not the history's wall-clock ``dur``: the machine is shared. Only the
    epochs themselves are timed, not the fixed cost of a fit (validation, encoding,
    building the networks, post-fit statistics).
    """

    def __enter__(self):
        from skorch import NeuralNet

        self.seconds = []
        self._original = original = NeuralNet.run_single_epoch
        clock = self

        def run_single_epoch(net, iterator, training, prefix, step_fn, **fit_params):
            start = time.process_time()
            out = original(net, iterator, training, prefix, step_fn, **fit_params)
            if training:
                clock.seconds.append(time.process_time() - start)
            return out

        NeuralNet.run_single_epoch = run_single_epoch
        return self

    def __exit__(self, *exc):
        from skorch import NeuralNet

        NeuralNet.run_single_epoch = self._original


def _epoch_seconds(make, X, epochs):
    """Median CPU seconds of the epochs after the first."""
    with _EpochClock() as clock:
        make(epochs).fit(X)
    return statistics.median(clock.seconds[1:])


def section_mixed(repeats=2, epochs=4, n_rows=5000):
    """Per-epoch time on 10 numeric + 30 categorical columns vs an all-numeric array."""
    import skgen
    from skgen.preprocessing import TabularEncoder

    frame = mixed_table(n_rows, 10, 30, seed=2)
    width = TabularEncoder().fit_transform(frame).shape[1]
    array = np.random.RandomState(0).randn(n_rows, width)
    out = {"width": width, "n_rows": n_rows, "models": {}}
    for name in ("VAE", "WGANGP"):
        times = {"mixed": [], "numeric": []}
        for r in range(repeats):
            for kind, X in (("mixed", frame), ("numeric", array))[:: 1 if r % 2 == 0 else -1]:
                def make(e, name=name, r=r):
                    est = getattr(skgen, name)(max_epochs=e, random_state=r)
                    if name == "VAE":
                        est.set_params(n_iter_no_change=e + 1)
                    return est

                times[kind].append(_epoch_seconds(make, X, epochs))
        med = {k: statistics.median(v) for k, v in times.items()}
        out["models"][name] = {**med, "ratio": med["mixed"] / med["numeric"]}
        print(f"mixed {name}: {out['models'][name]}", flush=True)
    return out


# --------------------------------------------------------- adversarial step
def plain_wgangp(G, D, X, epochs, batch_size, n_critic, opt_cls, g_kwargs, d_kwargs, weight, seed):
    """A hand-written WGAN-GP loop (one-sided penalty, as skgen's default)."""
    torch.manual_seed(seed)
    opt_g = opt_cls(G.parameters(), **g_kwargs)
    opt_d = opt_cls(D.parameters(), **d_kwargs)
    n = len(X)
    G.train()
    D.train()
    for _ in range(epochs):
        order = torch.randperm(n)
        for start in range(0, n, batch_size):
            real = X[order[start : start + batch_size]]
            m = len(real)
            for _ in range(n_critic):
                with torch.no_grad():
                    fake = G(torch.randn(m, G.n_components))
                loss_d = D(fake).mean() - D(real).mean()
                eps = torch.rand(m, 1)
                points = (eps * real + (1 - eps) * fake).requires_grad_(True)
                (grad,) = torch.autograd.grad(D(points).sum(), points, create_graph=True)
                penalty = (grad.norm(dim=1) - 1).clamp_min(0).pow(2).mean()
                opt_d.zero_grad(set_to_none=True)
                (loss_d + weight * penalty).backward()
                opt_d.step()
            loss_g = -D(G(torch.randn(m, G.n_components))).mean()
            opt_g.zero_grad(set_to_none=True)
            loss_g.backward()
            opt_g.step()
    return G


def section_gan(repeats=3, epochs=3, n_rows=5000, n_features=20):
    """WGANGP.fit against a plain WGAN-GP loop with the same nets, batch, n_critic, Adam."""
    import copy

    import skgen

    rng = np.random.RandomState(0)
    X = rng.randn(n_rows, 4) @ rng.randn(4, n_features) + 0.1 * rng.randn(n_rows, n_features)

    def skgen_run(seed):
        return skgen.WGANGP(max_epochs=epochs, random_state=seed).fit(X)

    ref = skgen.WGANGP(max_epochs=1, random_state=0).fit(X)
    net = ref.net_
    Xn = torch.from_numpy(ref._validate_input(X, reset=False)[0])
    opt_cls = type(net.optimizer_)
    g_kwargs = dict(net.optimizer_.defaults)
    d_kwargs = dict(net.discriminator_optimizer_.defaults)
    weight = float(net.criterion_.penalty_weight)
    G0, D0 = copy.deepcopy(net.module_), copy.deepcopy(net.discriminator_)

    def plain_run(seed):
        return plain_wgangp(
            copy.deepcopy(G0), copy.deepcopy(D0), Xn, epochs, ref._batch_size,
            net.n_critic, opt_cls, g_kwargs, d_kwargs, weight, seed,
        )

    runs = {"plain": plain_run, "skgen": skgen_run}
    cpu = {k: [] for k in runs}
    for r in range(repeats):
        for which in list(runs)[:: 1 if r % 2 == 0 else -1]:
            _, c, _ = timed(runs[which], r)
            cpu[which].append(c)
    med = {k: statistics.median(v) for k, v in cpu.items()}
    n_batches_ = epochs * math.ceil(n_rows / ref._batch_size)
    out = {
        "n_rows": n_rows,
        "n_features": n_features,
        "epochs": epochs,
        "batch_size": ref._batch_size,
        "n_critic": net.n_critic,
        "optimizer": f"{opt_cls.__name__}({', '.join(f'{k}={g_kwargs[k]}' for k in ('lr', 'betas', 'fused') if k in g_kwargs)})",
        **med,
        "ms_per_batch": 1e3 * med["skgen"] / n_batches_,
        "ratio": med["skgen"] / med["plain"],
    }
    print(f"gan: {out}", flush=True)
    return out


# ------------------------------------------------------------------ memory
def _rss_kib(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def child_memory(n_rows, kind, model, epochs):
    """Peak RSS of one fit beyond the RSS before it, in float32 encoded matrices."""
    import skgen

    if kind == "numeric":
        rng = np.random.RandomState(0)
        X = np.empty((n_rows, 20))
        for start in range(0, n_rows, 100_000):  # no full-size temporaries
            X[start : start + 100_000] = rng.randn(min(100_000, n_rows - start), 20)
        width = 20
    else:
        X = mixed_table(n_rows, 10, 10, seed=3)
        from skgen.preprocessing import TabularEncoder

        width = TabularEncoder().fit(X.iloc[:2000]).transform(X.iloc[:10]).shape[1]
    getattr(skgen, model)(max_epochs=1, random_state=0).fit(X[:500] if kind == "numeric" else X.iloc[:500])
    import gc

    gc.collect()
    before = _rss_kib("VmRSS")
    with open("/proc/self/clear_refs", "w") as f:  # reset the peak (VmHWM) to the current RSS
        f.write("5")
    start = time.perf_counter()
    est = getattr(skgen, model)(max_epochs=epochs, random_state=0)
    if model == "VAE":
        est.set_params(n_iter_no_change=epochs + 1)
    est.fit(X)
    seconds = time.perf_counter() - start
    peak = _rss_kib("VmHWM")
    matrix = n_rows * width * 4 / 1024
    return {"peak_mib": (peak - before) / 1024, "matrix_mib": matrix / 1024,
            "ratio": (peak - before) / matrix, "seconds": seconds}


def section_memory(rows=(10_000, 100_000), model="VAE", epochs=1):
    out = []
    for n_rows in rows:
        for kind in ("numeric", "mixed"):
            if kind == "mixed" and n_rows > 100_000:
                continue
            res = _child("memory", n_rows=n_rows, kind=kind, model=model, epochs=epochs)
            res.update(n_rows=n_rows, kind=kind, model=model)
            print(f"memory {res}", flush=True)
            out.append(res)
    return out


# --------------------------------------------------------------- first fit
def child_firstfit(name, n_rows):
    start = time.perf_counter()
    import skgen

    t_import = time.perf_counter() - start
    cls = getattr(skgen, name)
    rng = np.random.RandomState(0)
    X = rng.randn(n_rows, 16)
    kwargs = {"max_epochs": 1, "random_state": 0}
    y = None
    if name == "ConvAE":
        kwargs["input_shape"] = (1, 4, 4)
    if name in ("ConditionalGAN",):
        y = rng.randint(3, size=n_rows)
    if name == "VAE (DataFrame)":
        pass
    times = []
    for _ in range(2):
        est = cls(**kwargs)
        t = time.perf_counter()
        est.fit(X) if y is None else est.fit(X, y)
        times.append(time.perf_counter() - t)
    return {"import": t_import, "first": times[0], "second": times[1]}


def child_firstfit_frame(n_rows):
    start = time.perf_counter()
    import skgen

    t_import = time.perf_counter() - start
    X = mixed_table(n_rows, 4, 3, seed=4)
    times = []
    for _ in range(2):
        t = time.perf_counter()
        skgen.VAE(max_epochs=1, random_state=0).fit(X)
        times.append(time.perf_counter() - t)
    return {"import": t_import, "first": times[0], "second": times[1]}


def section_firstfit(n_rows=1000):
    import skgen

    names = [n for n in skgen.__all__ if isinstance(getattr(skgen, n), type)
             and hasattr(getattr(skgen, n), "fit")]
    out = {}
    for name in names:
        out[name] = _child("firstfit", name=name, n_rows=n_rows)
        print(f"firstfit {name}: {out[name]}", flush=True)
    out["VAE on a DataFrame (4 numeric, 3 categorical)"] = _child("firstfit_frame", n_rows=n_rows)
    return out


# ----------------------------------------------------------------- sampling
@contextlib.contextmanager
def _full_output_heads():
    """Decoders with a full output layer for every block (the factorised head of wide
    categorical blocks, skgen.nn._lowrank, switched off); a no-op on older checkouts."""
    try:
        import skgen.nn._lowrank as lowrank
    except ImportError:
        yield False
        return
    saved = lowrank.WIDE_BLOCK_WIDTH
    lowrank.WIDE_BLOCK_WIDTH = 10**9
    try:
        yield True
    finally:
        lowrank.WIDE_BLOCK_WIDTH = saved


def section_sample(n_samples=100_000, n_rows=5000, repeats=3, epochs=2):
    """sample(100_000) of a VAE with and without a 1,000-level categorical column.

    Also the same model with a full (unfactorised) output layer for the wide column
    and the fit CPU time per epoch of each (``epochs`` epochs on ``n_rows`` rows).
    """
    import skgen

    with_wide = mixed_table(n_rows, 3, 2, seed=5, wide_levels=1000)
    without = with_wide.drop(columns="wide")
    fit_cpu = {}

    def fit(name, data):
        start = time.process_time()
        model = skgen.VAE(max_epochs=epochs, random_state=0).fit(data)
        fit_cpu[name] = (time.process_time() - start) / model.n_iter_
        return model

    models = {
        "without": fit("without", without),
        "with 1,000-level column": fit("with 1,000-level column", with_wide),
    }
    with _full_output_heads() as switched:
        if switched:
            models["with 1,000-level column, full head"] = fit(
                "with 1,000-level column, full head", with_wide
            )
    times = {k: [] for k in models}
    network = {k: [] for k in models}
    for r in range(repeats):
        for k, m in models.items():
            spent = []
            generate = m._generate

            def timed_generate(*args, _generate=generate, _spent=spent, **kwargs):
                start = time.process_time()
                result = _generate(*args, **kwargs)
                _spent.append(time.process_time() - start)
                return result

            m._generate = timed_generate
            try:
                _, c, _ = timed(lambda: m.sample(n_samples, random_state=r))
            finally:
                del m._generate
            times[k].append(c)
            network[k].append(sum(spent))
    med = {k: statistics.median(v) for k, v in times.items()}
    net_med = {f"network {k}": statistics.median(v) for k, v in network.items()}
    out = {
        "n_samples": n_samples,
        **med,
        **net_med,
        "ratio": med["with 1,000-level column"] / med["without"],
        "fit_cpu_per_epoch": fit_cpu,
    }
    if "with 1,000-level column, full head" in med:
        out["ratio full head"] = med["with 1,000-level column, full head"] / med["without"]
    print(f"sample: {out}", flush=True)
    return out


def section_memory1m():
    return section_memory(rows=(1_000_000,))


def section_blocks(n_rows=5000, batch=128):
    """Per-batch cost of the column-block operations alone (forward + backward), mixed table.

    The VAE's loss (criterion) and the WGANGP generator's training-mode activation
    (Gumbel-softmax), each on one batch of the fitted model, timeit (min of 5 x 50).
    """
    import timeit

    import skgen

    frame = mixed_table(n_rows, 10, 30, seed=2)
    out = {}
    vae = skgen.VAE(max_epochs=1, random_state=0).fit(frame)
    Xn = torch.from_numpy(vae._validate_input(frame.iloc[:batch], reset=False)[0])
    net = vae.net_
    with torch.no_grad():
        res = net.module_(Xn)
    res = {k: (v.detach().clone().requires_grad_(True) if torch.is_tensor(v) else v) for k, v in res.items()}

    def vae_loss():
        terms = net.criterion_(res, Xn, module=net.module_)
        sum(terms.values()).backward()

    gan = skgen.WGANGP(max_epochs=1, random_state=0).fit(frame)
    G = gan.net_.module_
    G.train()
    raw = torch.randn(batch, gan.layout_[-1].stop, requires_grad=True)

    def activate():
        G.activate(raw).sum().backward()

    for name, fn in (("VAE criterion", vae_loss), ("Generator.activate (train)", activate)):
        fn()
        out[name] = min(timeit.repeat(fn, number=50, repeat=5, timer=time.process_time)) / 50 * 1e3
    out["n_blocks"] = len(vae.layout_)
    print(f"blocks: {out}", flush=True)
    return out


def section_tiny(repeats=5):
    """The overhead table's *tiny* setting alone (2 batches per epoch: per-epoch fixed costs)."""
    setting = SETTINGS[-1]
    res = run_setting(setting, setting.epochs, repeats)
    res["overhead_per_epoch_us"] = 1e6 * (res["skgen"] - res["plain"]) / setting.epochs
    print(f"tiny: {res}", flush=True)
    return res


SECTIONS = {
    "tiny": section_tiny,
    "blocks": section_blocks,
    "threads": section_threads,
    "memory1m": section_memory1m,
    "mixed": section_mixed,
    "gan": section_gan,
    "memory": section_memory,
    "firstfit": section_firstfit,
    "sample": section_sample,
}
CHILDREN = {
    "threads": child_threads,
    "memory": child_memory,
    "firstfit": child_firstfit,
    "firstfit_frame": child_firstfit_frame,
}


# ----------------------------------------------------------------------- main
REPORT_MARKER = "## Issue 10"
ROUND4_TITLE = "## Issue 10, round 4: memory, sampling and per-epoch costs"


def replace_section(text, title, section):
    """``text`` with the ``## `` section whose heading starts with ``title`` replaced by
    ``section`` (appended when absent); every other section is kept as it is."""
    lines = text.split("\n")
    start = next((i for i, line in enumerate(lines) if line.startswith(title)), None)
    if start is None:
        return text.rstrip() + "\n\n" + section.rstrip() + "\n"
    stop = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    tail = "\n".join(lines[stop:])
    return "\n".join(lines[:start]).rstrip() + "\n\n" + section.rstrip() + "\n" + (
        "\n" + tail if tail.strip() else "")


def _g(d, *keys):
    for k in keys:
        if not isinstance(d, dict) or k not in d:
            return float("nan")
        d = d[k]
    return d


def _f(x, spec=".2f", unit=""):
    if not isinstance(x, (int, float)) or x != x:
        return "n/a"
    return format(x, spec) + unit


def render_report(before, after):
    """Markdown before/after tables of the issue-10 sections."""
    out = [
        REPORT_MARKER + ": threads, mixed tables, the adversarial step, memory, fixed costs",
        "",
        "*Before* is main at b6cb7f9 (measured with `PYTHONPATH=<checkout of b6cb7f9>`), "
        "*after* this branch; the same script, the same machine (2 cores shared with "
        "other jobs), ratios taken within one run. Commands: see the top of "
        "`benchmarks/overhead.py`.",
        "",
        f"Before: {before.get('environment', 'n/a')}",
        "",
        f"After: {after.get('environment', 'n/a')}",
    ]
    if "threads" in after:
        t_b, t_a = before.get("threads", {}), after["threads"]
        rows = [
            (mode, _f(_g(t_b, "wall", mode), ".1f", " s"), _f(_g(t_a, "wall", mode), ".1f", " s"))
            for mode in ("default", "pinned", "all cores")
        ]
        rows.append(("**default / pinned**", f"**{_f(_g(t_b, 'ratio'))}**", f"**{_f(_g(t_a, 'ratio'))}**"))
        out += [
            "",
            "### Threads under load",
            "",
            f"A `VAE` fit ({t_a['epochs']} epochs, defaults otherwise) of a {t_a['n_rows']:,}-row "
            "table with 4 numeric and 3 categorical columns, in a fresh process, with "
            f"{t_a['busy']} busy-loop processes (one per core) running beside it; wall time, "
            "median of 2 runs before, 1 after (the after run was cut for time). *default*: nothing set (torch starts one thread per core); "
            "*pinned*: `torch.set_num_threads(1)`; *all cores*: `skgen.set_config(n_threads=-1)` "
            "(after only), i.e. torch's own default of one thread per core, which is what the "
            "old code used when nothing was set. Bar: default within 1.3x of pinned.",
            "",
            markdown_table(["setting", "before", "after"], rows, align="lrr"),
        ]
    if "mixed" in after:
        m_b, m_a = before.get("mixed", {}), after["mixed"]
        rows = []
        for name in ("VAE", "WGANGP"):
            b, a = _g(m_b, "models", name), _g(m_a, "models", name)
            rows.append((
                name,
                _f(_g(b, "numeric"), ".3f", " s"), _f(_g(b, "mixed"), ".3f", " s"), f"**{_f(_g(b, 'ratio'))}**",
                _f(_g(a, "numeric"), ".3f", " s"), _f(_g(a, "mixed"), ".3f", " s"), f"**{_f(_g(a, 'ratio'))}**",
            ))
        out += [
            "",
            "### Mixed tables: per-epoch time",
            "",
            f"{m_a['n_rows']:,} rows, 10 numeric and 30 categorical columns (2-12 levels), "
            f"{m_a['width']} encoded columns, against an all-numeric array of the same width; "
            "CPU seconds per training epoch (skorch's `run_single_epoch`, epochs 2-4 of a "
            "4-epoch fit, one thread; median over them and 2 repeats). "
            "Bar: mixed / numeric <= 1.5.",
            "",
            markdown_table(
                ["model", "numeric (before)", "mixed (before)", "ratio (before)",
                 "numeric (after)", "mixed (after)", "ratio (after)"],
                rows, align="lrrrrrr",
            ),
        ]
    if "blocks" in after:
        b_b, b_a = before.get("blocks", {}), after["blocks"]
        rows = [
            (k, _f(_g(b_b, k), ".2f", " ms"), _f(_g(b_a, k), ".2f", " ms"),
             _f(_g(b_b, k) / _g(b_a, k), ".1f", "x"))
            for k in ("VAE criterion", "Generator.activate (train)")
        ]
        out += [
            "",
            f"The column-block operations alone, per batch of 128 rows of the same table "
            f"({b_a.get('n_blocks')} blocks), forward + backward, CPU time (timeit with `time.process_time`, min of 5 x 50), one thread:",
            "",
            markdown_table(["operation", "before", "after", "speed-up"], rows, align="lrrr"),
        ]
    if "gan" in after:
        g_b, g_a = before.get("gan", {}), after["gan"]
        rows = [
            (label, _f(_g(g_b, key), spec, unit), _f(_g(g_a, key), spec, unit))
            for label, key, spec, unit in (
                ("plain PyTorch loop", "plain", ".2f", " s"),
                ("`WGANGP.fit`", "skgen", ".2f", " s"),
                ("per batch (skgen)", "ms_per_batch", ".1f", " ms"),
                ("**skgen / plain**", "ratio", ".2f", ""),
            )
        ]
        out += [
            "",
            "### The adversarial step",
            "",
            f"`WGANGP` with defaults (batch {g_a['batch_size']}, n_critic={g_a['n_critic']}, "
            f"{g_a['optimizer']}) on {g_a['n_rows']:,} x {g_a['n_features']} numeric rows, "
            f"{g_a['epochs']} epochs, against a hand-written WGAN-GP loop training copies of "
            "the same generator and critic with the same optimizer settings, batch, n_critic "
            "and one-sided penalty, in the same process; CPU time, one thread, median of 3. "
            "Bar: <= 1.3.",
            "",
            markdown_table(["", "before", "after"], rows, align="lrr"),
        ]
    if "memory" in after:
        index = {
            (r["n_rows"], r["kind"]): r
            for r in before.get("memory", []) + before.get("memory1m", [])
            if "n_rows" in r
        }
        rows = []
        for r in after["memory"] + after.get("memory1m", []):
            b = index.get((r.get("n_rows"), r.get("kind")), {})
            rows.append((
                f"{r.get('n_rows', 0):,}", r.get("kind"), _f(r.get("matrix_mib"), ".0f", " MiB"),
                _f(b.get("peak_mib"), ".0f", " MiB"), f"**{_f(b.get('ratio'))}**",
                _f(r.get("peak_mib"), ".0f", " MiB"), f"**{_f(r.get('ratio'))}**",
                _f(b.get("seconds"), ".1f", " s"), _f(r.get("seconds"), ".1f", " s"),
            ))
        out += [
            "",
            "### Peak memory of a fit",
            "",
            "`VAE(max_epochs=1)` in a fresh process: the peak resident memory during `fit` "
            "(VmHWM, reset just before it) minus the resident memory before it, in MiB and "
            "in multiples of the float32 encoded matrix (rows x encoded width x 4 bytes). "
            "*numeric*: a float64 array of 20 columns; *mixed*: a DataFrame with 10 numeric "
            "and 10 categorical columns (through the TabularEncoder). Bar: <= 2.5x.",
            "",
            markdown_table(
                ["rows", "data", "float32 matrix", "peak (before)", "x matrix (before)",
                 "peak (after)", "x matrix (after)", "fit time (before)", "fit time (after)"],
                rows, align="rlrrrrrrr",
            ),
        ]
    if "firstfit" in after:
        f_b, f_a = before.get("firstfit", {}), after["firstfit"]
        rows = []
        for name, a in f_a.items():
            b = f_b.get(name, {})
            rows.append((
                name,
                _f(_g(b, "first"), ".2f", " s"), _f(_g(b, "second"), ".2f", " s"),
                _f(_g(a, "first"), ".2f", " s"), _f(_g(a, "second"), ".2f", " s"),
            ))
        out += [
            "",
            "### First fit in a fresh process",
            "",
            "Each estimator on 1,000 rows x 16 numeric columns (ConvAE: 1x4x4 images, "
            "ConditionalGAN with 3 classes) with `max_epochs=1`, in a fresh interpreter: "
            "the first fit, then a second identical fit (the difference is the one-off "
            "cost: lazy imports, kernel set-up). Wall time, one run each.",
            "",
            markdown_table(
                ["estimator", "first fit (before)", "second (before)", "first fit (after)", "second (after)"],
                rows, align="lrrrr",
            ),
        ]
    if "sample" in after:
        s_b, s_a = before.get("sample", {}), after["sample"]
        key = "with 1,000-level column"
        rows = [
            ("without the column", _f(_g(s_b, "without"), ".2f", " s"), _f(_g(s_a, "without"), ".2f", " s")),
            ("with a 1,000-level column", _f(_g(s_b, key), ".2f", " s"), _f(_g(s_a, key), ".2f", " s")),
            ("**ratio**", f"**{_f(_g(s_b, 'ratio'))}**", f"**{_f(_g(s_a, 'ratio'))}**"),
            ("with the column: network (`_generate`)",
             _f(_g(s_b, f"network {key}"), ".2f", " s"), _f(_g(s_a, f"network {key}"), ".2f", " s")),
            ("with the column: the rest (activations, draws, decoding)",
             _f(_g(s_b, key) - _g(s_b, f"network {key}"), ".2f", " s"),
             _f(_g(s_a, key) - _g(s_a, f"network {key}"), ".2f", " s")),
        ]
        out += [
            "",
            "### Sampling a wide categorical column",
            "",
            f"`VAE.sample({s_a['n_samples']:,})` of a model fitted (2 epochs) on 5,000 rows of 3 "
            "numeric and 2 categorical columns, with and without one more categorical column "
            "of 1,000 levels (Zipf frequencies); CPU time, one thread, median of 3. Bar: <= 3x.",
            "",
            markdown_table(["", "before", "after"], rows, align="lrr"),
        ]
    return "\n".join(out)


def render_round4(old, before, after):
    """Markdown of the round-4 tables: *old* (b6cb7f9), *before* (683f6a4) and *after*."""
    out = [
        ROUND4_TITLE,
        "",
        "Three code versions measured by the same script on the same machine (2 cores shared "
        "with other jobs; ratios within one run): *b6cb7f9* (the original code; round 3's "
        "*before* column), *683f6a4* (main at the start of round 4) and *now*. Commands:",
        "",
        "```bash",
        "PYTHONPATH=<checkout> python benchmarks/overhead.py --section memory --section memory1m "
        "--section sample --section tiny --json <version>.json",
        "python benchmarks/overhead.py --report4 b6cb7f9.json 683f6a4.json now.json "
        "--output docs/benchmarks_overhead.md",
        "```",
        "",
        f"683f6a4: {before.get('environment', 'n/a')}",
        "",
        f"Now: {after.get('environment', 'n/a')}",
    ]

    def rows_of(d):
        return {(r.get("n_rows"), r.get("kind")): r for r in d.get("memory", []) + d.get("memory1m", [])}

    o_mem, b_mem, a_mem = rows_of(old), rows_of(before), rows_of(after)
    if a_mem:
        rows = []
        for key, a in a_mem.items():
            o, b = o_mem.get(key, {}), b_mem.get(key, {})
            rows.append((
                f"{key[0]:,}", key[1], _f(a.get("matrix_mib"), ".1f", " MiB"),
                _f(o.get("ratio"), ".1f", "x"),
                f"{_f(b.get('peak_mib'), '.0f', ' MiB')} ({_f(b.get('ratio'), '.1f', 'x')})",
                f"**{_f(a.get('peak_mib'), '.0f', ' MiB')} ({_f(a.get('ratio'), '.1f', 'x')})**",
                _f(b.get("seconds"), ".1f", " s"), _f(a.get("seconds"), ".1f", " s"),
            ))
        out += [
            "",
            "### Peak memory of a fit (round 4)",
            "",
            "`VAE(max_epochs=1)` in a fresh process after a 500-row warm-up fit: the peak "
            "resident memory during `fit` (VmHWM, reset just before it) minus the resident "
            "memory before it, and that peak in multiples of the float32 encoded matrix "
            "(rows x encoded width x 4 bytes). *numeric*: a float64 array of 20 columns; "
            "*mixed*: a DataFrame of 10 numeric and 10 categorical columns. Bar: <= 2.5x. "
            "At 10,000 rows the matrix is under 3 MiB and the peak is mostly fixed costs "
            "(the network, the optimizer, chunk buffers of ~0.5 MiB).",
            "",
            markdown_table(
                ["rows", "data", "float32 matrix", "b6cb7f9", "683f6a4", "now",
                 "fit time (683f6a4)", "fit time (now)"],
                rows, align="rlrrrrrr",
            ),
        ]
    if "sample" in after:
        key = "with 1,000-level column"
        versions = (old.get("sample", {}), before.get("sample", {}), after["sample"])
        rows = [
            ("without the column", *(_f(_g(v, "without"), ".2f", " s") for v in versions)),
            ("with a 1,000-level column", *(_f(_g(v, key), ".2f", " s") for v in versions)),
            ("**ratio** (bar: <= 3)", *(f"**{_f(_g(v, 'ratio'), '.1f')}**" for v in versions)),
        ]
        out += [
            "",
            "### Sampling a wide categorical column (round 4)",
            "",
            f"`VAE.sample({after['sample']['n_samples']:,})` of a model fitted (2 epochs) on "
            "5,000 rows of 3 numeric and 2 categorical columns, with and without one more "
            "categorical column of 1,000 levels (Zipf frequencies); CPU time, one thread, "
            "median of 3.",
            "",
            markdown_table(["", "b6cb7f9", "683f6a4", "now"], rows, align="lrrr"),
        ]
    if "tiny" in after:
        versions = (before.get("tiny", {}), after["tiny"])
        rows = [
            ("plain loop", *(_f(v.get("plain"), ".3f", " s") for v in versions)),
            ("`Autoencoder.fit`", *(_f(v.get("skgen"), ".3f", " s") for v in versions)),
            ("**skgen / plain**", *(f"**{_f(v.get('ratio'))}**" for v in versions)),
            ("overhead per epoch", *(_f(v.get("overhead_per_epoch_us"), ".0f", " µs") for v in versions)),
        ]
        out += [
            "",
            "### Per-epoch fixed costs: the *tiny* setting",
            "",
            "The overhead table's *tiny 200x20, batch 128* setting alone (100 epochs of 2 "
            "batches; skgen also evaluates its 20 held-out rows every epoch, which the plain "
            "loop does not), CPU time, median of 5 (`--section tiny`). It was 1.09 two rounds "
            "ago and 1.63 in round 3's table.",
            "",
            markdown_table(["", "683f6a4", "now"], rows, align="lrr"),
        ]
    out += [
        "",
        "### Notes (round 4)",
        "",
        "* **Memory.** The data are held once, as the float32 encoded matrix: the validation "
        "split is a view (row positions into the full tensor), the models' `TabularEncoder` "
        "writes float32 directly (`dtype=\"float32\"`), input moments, the affine map to the "
        "network's space and PCA's moments run by chunks of about 65,000 values, and the "
        "statistics fitted after training (output correction, a VAE's noise, active units and "
        "per-category posteriors) are accumulated batch by batch, without re-encoding `X`. "
        "Tests (`tests/test_memory.py`) pin a numpy peak of at most 1.5x the matrix and no "
        "torch tensor, float64 or float32, larger than a batch during `fit`.",
        "* **Sampling.** `sample` runs by chunks of rows (about 4 MB of outputs each) and draws "
        "categories in place on the logits, so the network's output is never held whole; the "
        "speed-up also applies to the model *without* the wide column, so the ratio moves much "
        "less than the time with the column. (The *now* column was measured after the "
        "tabular VAE started drawing its codes from a mixture fitted to the aggregate "
        "posterior, `sampling=\"auto\"`, which both models pay.) The bar cannot be met by the sampling code: the decoder's last layer "
        "(128 x 1,020) is 26 GFLOP for 100,000 rows, about 0.45-0.6 s of one core at the "
        "40-60 GFLOPS measured for this matrix product alone, i.e. more than 3x the whole "
        "sample without the column; drawing exactly from a 1,000-way softmax also needs an "
        "`exp` and a scan over every logit (about 0.2-0.3 s here). Meeting 3x needs a model "
        "change (a low-rank output head for wide blocks, or a narrower last hidden layer), "
        "which was not made: it would have to be shown not to cost quality. A chi-square test "
        "checks that the draws of a 1,000-level column follow the decoder's softmax.",
        "* **Per-epoch costs.** skorch's `EarlyStopping` deep-copies the weights at every "
        "improving epoch; skgen now copies them into the previous copy. Switching train/eval "
        "twice per epoch sets the flags directly when no submodule overrides `train()`. What "
        "remains of the *tiny* gap is mostly the per-epoch validation pass on the held-out rows "
        "(part of what a default fit does) and skorch's history and callbacks.",
    ]
    return "\n".join(out)


ROUND5_TITLE = "## Issue 10, round 5: a 1,000-level categorical column"
ROUND5_NOTES = """**What changed.**

- *Factorised head* (`skgen/nn/_lowrank.py`, `BlockFactorizedLinear`): the last layer of
  the `VAE`/`BetaVAE` decoder gives every categorical block of at least 128 levels the
  logits `(h A^T) B^T + c` of rank 16, when that is smaller than the full product; the
  other columns keep a full layer. The bias `c` is full, so every level's marginal frequency
  stays free; only the way the levels depend on the code is limited to 16 directions.
  `A`'s rows start orthogonal with norm `sqrt(2 * 128 / 16)` and `B` at zero (the residual
  starts at zero as before). Kaiming-sized rows learned a 200-level column about three
  times slower than a full layer in short fits. Tables without such a column build the
  same network, with the same random stream, as before.
- *One product per wide block when sampling*: the fixed PCA part of the decoder joins the
  head's product, so a block's logits are one product of inner size 32 written into the
  output in place. There is no second pass to add the fixed part, and no concatenation.
- *Exact draws* (`skgen._layout.draw_rows`): a fused softmax over the row, then two-level
  inverse-CDF sampling (a group of about sqrt(width) levels from the group sums, then a
  level inside it), instead of a cumulative sum over all 1,000 levels. Logits more than
  87 below the row's best are raised to that floor before `exp`, because `exp` is 7-13x
  slower where it underflows to subnormal numbers. Those levels get weight
  `exp(-87) = 1.6e-38`.
- *No one-hot result*: `sample` draws blocks of at least 64 levels as codes, and
  `TabularEncoder._inverse_transform_codes` decodes the codes directly. Before, a
  100,000 x 1,000 float32 matrix (400 MB) was filled and then decoded by argmax.
- Tests (`tests/test_wide_columns.py`, no timing):
  - the head computes the product it claims, with and without the fixed part;
  - chi-square tests show that the two-level draws follow the softmax (widths 1,000 and
    37, levels below the floor never drawn);
  - decoding codes equals decoding the one-hot rows;
  - the same `random_state` gives the same frame, and NaN in the wide block's logits raises;
  - on a held-out 200-level column, the rank-16 head stays within 0.15 nats and 0.15
    ELBO of the full head after a short fit.
  The round-4 chi-square test of `sample` on a 1,000-level column still passes.

**`benchmarks/tabular.py` tables.** Two of them have one-hot blocks of at least 128
columns, from integer columns encoded as their distinct values: txhousing's `date` (187)
and weather's `temp` (174) and `dewp` (154). `--generators "skgen VAE" --datasets
txhousing weather --seeds 0 1`, with main at 66853f3 and now, gives these results
(detection AUC / pair / TSTR ratio):

- txhousing: identical. The 1,400 training rows leave `date` below 128 levels.
- weather seed 0: 0.730 / 0.039 / 0.816 before, 0.674 / 0.042 / 0.838 now.
- weather seed 1: 0.734 / 0.049 / 0.700 before, 0.729 / 0.052 / 0.754 now.

**Why the bar is still NOT MET (about 4.8x).** Per 100,000 rows now, profiled with
`time.process_time` (scripts in the round-5 notes):

- drawing the latent codes: 0.05 s, which both models pay;
- the decoder: 0.19 s, of which 0.13 s is the wide block's product (10^8 logits, 32
  multiply-adds each);
- the exact draws: 0.21 s. The softmax over 10^8 logits takes 0.10-0.15 s, and the group
  sums and the two searches about 0.1 s;
- the other blocks' draws: 0.04 s.

The product and the softmax over every level already cost more than twice the whole
sample without the column (0.11 s). Meeting 3x needs a head whose exact draw does not
touch every level. One such head is a two-level (class-based) softmax,
`p(level) = p(group | h) p(level | group, h)`: a draw evaluates the group logits and one
group's levels, about 64 of 1,000. It is a different model, and its quality must be
measured like this head's. It was not built this round."""


def render_round5(before, after, wide_jsonl):
    """Markdown of the round-5 section: ``sample`` with a wide column and the fit quality
    of the factorised head (``benchmarks/wide_categorical.py`` JSON lines)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from wide_categorical import markdown

    b, a = before.get("sample", {}), after.get("sample", {})
    fb, fa = b.get("fit_cpu_per_epoch", {}), a.get("fit_cpu_per_epoch", {})
    rows = [
        ("`sample(100_000)` without the column (s)", b.get("without"), a.get("without"), ".3f"),
        ("with a 1,000-level column (s)", b.get("with 1,000-level column"),
         a.get("with 1,000-level column"), ".3f"),
        ("**ratio** (bar: at most 3)", b.get("ratio"), a.get("ratio"), ".1f"),
        ("with the column, full output layer (s)", None,
         a.get("with 1,000-level column, full head"), ".3f"),
        ("ratio, full output layer", None, a.get("ratio full head"), ".1f"),
        ("decoder forward passes in the sample with the column (s)",
         b.get("network with 1,000-level column"), a.get("network with 1,000-level column"), ".3f"),
        ("same, full output layer (s)", None, a.get("network with 1,000-level column, full head"),
         ".3f"),
        ("fit CPU per epoch, 5,000 rows, without the column (s)", fb.get("without"),
         fa.get("without"), ".3f"),
        ("same, with the column (s)", fb.get("with 1,000-level column"),
         fa.get("with 1,000-level column"), ".3f"),
        ("same, with the column, full output layer (s)", None,
         fa.get("with 1,000-level column, full head"), ".3f"),
    ]
    out = [
        ROUND5_TITLE,
        "",
        "A default `VAE` (2 epochs on 5,000 rows of `mixed_table`: 3 numeric, 2 small "
        "categorical columns and a Zipf-distributed 1,000-level one) draws 100,000 rows; CPU "
        "time, one thread, median of 3, both models in one process. *before*: main at "
        "66853f3; *now*: the factorised head and the new draws. Commands:",
        "",
        "```bash",
        "PYTHONPATH=<checkout> python benchmarks/overhead.py --section sample --json <version>.json",
        "python benchmarks/wide_categorical.py synthetic instinnovation gapminder --seeds 0 1 > wide.jsonl",
        "python benchmarks/overhead.py --report5 before.json now.json wide.jsonl "
        "--output docs/benchmarks_overhead.md",
        "```",
        "",
        "| | before | now |",
        "|---|---:|---:|",
    ]
    for label, x, y, spec in rows:
        out.append(f"| {label} | {_f(x, spec)} | {_f(y, spec)} |")
    out += [
        "",
        "**Fit quality of the factorised head** (`benchmarks/wide_categorical.py`): a default "
        "`VAE` (up to 200 epochs, early stopping) on 70% of each table, scored on the other "
        "30%; *full*: the same model with a full output layer. CE: held-out cross-entropy of "
        "the wide column at the posterior mean; TVD: total variation distance of the wide "
        "column's levels between the test rows and as many sampled rows (in brackets: the "
        "same distance between the test rows and as many training rows, the noise floor of "
        "a perfect sampler); assoc. diff: `correlation_difference`; detection AUC: "
        "`detection_auc` (0.5 is ideal). Means over the seeds; the fit-time column is CPU time "
        "on a machine shared with other jobs.",
        "",
        markdown(wide_jsonl),
        "",
        ROUND5_NOTES,
    ]
    return "\n".join(out)


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Time skgen.Autoencoder.fit against a plain PyTorch loop."
    )
    parser.add_argument(
        "--epochs", type=int, default=None, help="override every setting's number of epochs"
    )
    parser.add_argument("--repeats", type=int, default=5, help="timed repeats (median)")
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="intra-op threads for both loops (default 1: on a small shared machine, "
        "more threads on these tiny matrices mostly measure contention)",
    )
    parser.add_argument("--quick", action="store_true", help="2 epochs, 2 repeats (smoke test)")
    parser.add_argument(
        "--profile", action="store_true", help="add per-call costs and a cProfile listing"
    )
    parser.add_argument("--output", default=None, help="write the markdown report here")
    parser.add_argument(
        "--section",
        action="append",
        choices=sorted(SECTIONS),
        help="run an issue-10 section instead of the autoencoder overhead table "
        "(repeatable); results go to --json",
    )
    parser.add_argument("--json", default=None, help="save the sections' results here")
    parser.add_argument(
        "--report",
        nargs=2,
        metavar=("BEFORE_JSON", "AFTER_JSON"),
        help="render the before/after tables of the sections (appended to --output)",
    )
    parser.add_argument(
        "--report4",
        nargs=3,
        metavar=("OLD_JSON", "BEFORE_JSON", "AFTER_JSON"),
        help="render the round-4 tables (memory, sampling, tiny setting) with an older "
        "column; replaces only that section of --output",
    )
    parser.add_argument(
        "--report5",
        nargs=3,
        metavar=("BEFORE_JSON", "AFTER_JSON", "WIDE_JSONL"),
        help="render the round-5 section (sampling with a 1,000-level column, quality of the "
        "factorised head); replaces only that section of --output",
    )
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        import json

        print(json.dumps(CHILDREN[args.child[0]](**json.loads(args.child[1]))))
        return
    if args.section:
        import json

        set_threads(1)  # in-process sections: CPU time of one thread (children set their own)
        results = {"environment": environment()}
        for name in args.section:
            results[name] = SECTIONS[name]()
        if args.json:
            previous = {}
            if Path(args.json).exists():
                previous = json.loads(Path(args.json).read_text())
            previous.update(results)
            Path(args.json).write_text(json.dumps(previous, indent=1))
        return
    if args.report:
        import json

        before, after = (json.loads(Path(p).read_text()) for p in args.report)
        text = render_report(before, after)
        print(text)
        if args.output:
            path = Path(args.output)
            old = path.read_text() if path.exists() else ""
            write_markdown(args.output, replace_section(old, text.split("\n")[0], text))
        return
    if args.report5:
        import json

        before, after = (json.loads(Path(p).read_text()) for p in args.report5[:2])
        text = render_round5(before, after, args.report5[2])
        if args.output:
            path = Path(args.output)
            existing = path.read_text() if path.exists() else ""
            write_markdown(args.output, replace_section(existing, ROUND5_TITLE, text))
        print(text)
        return
    if args.report4:
        import json

        old, before, after = (json.loads(Path(p).read_text()) for p in args.report4)
        text = render_round4(old, before, after)
        print(text)
        if args.output:
            path = Path(args.output)
            existing = path.read_text() if path.exists() else ""
            write_markdown(args.output, replace_section(existing, ROUND4_TITLE, text))
        return
    if args.quick:
        args.epochs, args.repeats = 2, 2
    set_threads(args.threads)
    env = environment()
    print(env)

    results = []
    for setting in SETTINGS:
        res = run_setting(setting, args.epochs or setting.epochs, args.repeats)
        print(
            f"{res['setting']:<46} plain {res['plain']:7.3f}s  skgen {res['skgen']:7.3f}s CPU  "
            f"ratio {res['ratio']:.2f} (wall {res['ratio_wall']:.2f})  "
            f"{res['overhead_us']:+.0f} us/batch",
            flush=True,
        )
        results.append(res)

    table = markdown_table(
        [
            "setting",
            "params",
            "epochs (batches)",
            "plain loop",
            "skgen",
            "skgen / plain",
            "wall-time ratio",
            "overhead per batch",
            "plain loop, fused Adam",
            "last-epoch loss plain / skgen",
        ],
        [
            (
                r["setting"],
                f"{r['params']:,}",
                f"{r['epochs']} ({r['n_batches']})",
                f"{r['plain']:.3f} s",
                f"{r['skgen']:.3f} s",
                f"**{r['ratio']:.2f}**",
                f"{r['ratio_wall']:.2f}",
                f"{r['overhead_us']:+.0f} µs",
                f"{r['fused']:.3f} s",
                f"{r['loss_plain']:.4g} / {r['loss_skgen']:.4g}",
            )
            for r in results
        ],
        align="lrrrrrrrrr",
    )
    print()
    print(table)
    worst = max(results, key=lambda r: r["ratio"])
    sections = [
        "# Benchmark: training overhead of skgen against a plain PyTorch loop",
        "",
        "Regenerate with (about 3 minutes on 2 cores):",
        "",
        "```bash",
        command_line(),
        "```",
        "",
        f"Environment: {env}",
        "",
        "The same MLP autoencoder (Linear/ReLU encoder, mirrored decoder, PyTorch's default "
        f"initialisation), loss, optimizer ({results[0]['optimizer']}, lr={LR:g}, the settings "
        "skgen uses), batch size and number of epochs, trained by "
        "`skgen.Autoencoder(...).fit(X)` (input validation, net construction, callbacks and "
        "history included) and by a plain loop over one in-memory tensor (`torch.randperm` "
        "shuffle, slicing, no DataLoader), in the same process with the same threads, "
        f"interleaved, median of {args.repeats} repeats after a warm-up. Times are CPU "
        "times of the whole fit (the machine is shared, so wall times are noisier; their "
        "ratio is shown too). Tabular data are centred and scaled (squared error), digits "
        "divided by 16 (sigmoid output, cross-entropy), as skgen does. *Overhead per batch* "
        "is (skgen - plain) / number of batches and includes skgen's fixed cost per fit "
        "(validation, building the net). *Plain loop, fused Adam* is the plain loop with "
        "`Adam(fused=True)`: what the optimizer's implementation alone is worth. Target: "
        f"skgen / plain <= 1.2 (worst here: {worst['ratio']:.2f}, {worst['setting']}).",
        "",
        table,
    ]

    if args.profile:
        setting = SETTINGS[0]
        costs = per_call_costs(setting)
        total = sum(us for _, us in costs if us == us)
        ctable = markdown_table(
            ["piece of per-batch bookkeeping", "µs per batch"],
            [(name, f"{us:.1f}" if us == us else "n/a") for name, us in costs]
            + [("**total**", f"**{total:.1f}**")],
            align="lr",
        )
        prows, nb = cprofile_rows(setting, 5)
        ptable = markdown_table(
            ["frame (cumulative, nested frames included)", "calls", "µs per batch"],
            [(f"`{label}`", calls, f"{us:.0f}") for label, calls, us in prows],
            align="lrr",
        )
        print()
        print(ctable)
        print()
        print(ptable)
        sections += [
            "",
            f"## What skgen adds per batch ({setting.name})",
            "",
            "Each piece timed alone with `timeit` (minimum of 9 repeats) on the fitted net "
            "and a real batch; differences are against the same operation written as in "
            "the plain loop.",
            "",
            ctable,
            "",
            f"cProfile of one skgen fit ({nb} batches; the profiler inflates Python-level "
            "frames, so use it to rank, the table above for costs):",
            "",
            ptable,
        ]

    if args.output:
        write_markdown(args.output, "\n".join(sections))


if __name__ == "__main__":
    main()
