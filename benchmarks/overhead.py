"""Training overhead of skgen (skorch) against a plain PyTorch loop.

The same MLP autoencoder (architecture, PyTorch's default initialisation,
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
import cProfile
import math
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
    return Autoencoder(
        setting.n_components,
        hidden_layer_sizes=setting.hidden_layer_sizes,
        max_epochs=epochs,
        batch_size=setting.batch_size,
        lr=LR,
        n_iter_no_change=epochs + 1,
        device="cpu",
        random_state=seed,
    )


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


# ----------------------------------------------------------------------- main
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
    args = parser.parse_args(argv)
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
