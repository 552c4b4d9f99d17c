"""Wide categorical columns: the factorised decoder head and the exact two-level draws.

No timing here (see ``benchmarks/overhead.py --section sample``): the head must compute
the product it claims, the draws must follow the head's softmax, decoding drawn codes
must equal decoding the one-hot rows, and the factorised head must fit a wide column
as well as the full one.
"""

import numpy as np
import pandas as pd
import pytest
import torch
import torch.nn.functional as F
from scipy.stats import chisquare

import skgen.nn._lowrank as lowrank
from skgen import VAE
from skgen._layout import draw_rows
from skgen.exceptions import NonFiniteOutputError
from skgen.nn import AffineResidual
from skgen.nn._lowrank import BlockFactorizedLinear
from skgen.preprocessing import TabularEncoder


def _dense_weight(layer):
    """The ``(out, in)`` weight that ``layer`` applies."""
    rows = []
    for kind, start, stop, index in layer._segments:
        if kind == "full":
            rows.append(layer.weight[index : index + stop - start])
        else:
            rows.append(layer.factors_out[index] @ layer.factors_in[index])
    return torch.cat(rows)


def test_block_factorized_linear_is_the_product_it_claims():
    torch.manual_seed(0)
    layer = BlockFactorizedLinear(8, 300, [(10, 150), (200, 300)], rank=3)
    h = torch.randn(50, 8)
    expected = F.linear(h, _dense_weight(layer), layer.bias)
    torch.testing.assert_close(layer(h), expected)
    # the sampling path: the fixed affine part of a PCA-initialised decoder folded in
    residual = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), layer)
    decoder = AffineResidual(torch.randn(300, 4), torch.randn(300), torch.randn(4), residual)
    for p in layer.parameters():  # AffineResidual zeroed the last layer's output
        torch.nn.init.normal_(p)
    x = torch.randn(40, 4)
    with torch.no_grad():
        fast = decoder(x)
    torch.testing.assert_close(fast, decoder.affine(x) + residual(x).detach(), rtol=1e-5, atol=1e-4)
    # zero output at initialisation, while the gradient reaches the factors
    layer.zero_output_()
    assert not layer(h).any()
    (layer(h) * torch.randn(50, 300)).sum().backward()
    assert all(b.grad.abs().sum() > 0 for b in layer.factors_out)


def _chisquare_pvalue(counts, probs):
    expected = counts.sum() * probs
    small = expected < 5
    observed, exp = counts[~small], expected[~small]
    if small.any():
        observed, exp = np.r_[observed, counts[small].sum()], np.r_[exp, expected[small].sum()]
    return chisquare(observed, exp * observed.sum() / exp.sum()).pvalue, (~small).sum()


@pytest.mark.parametrize("width", [1000, 37])
def test_two_level_draws_follow_the_softmax(width):
    """Exact draws: a chi-square test of 20,000 draws from fixed logits (peaked, so that
    a sampler ignoring them is rejected), also with a width that leaves a remainder group
    and with levels more than 87 below the best one (never drawn)."""
    rng = np.random.RandomState(0)
    logits = np.log(1.0 / np.arange(1, width + 1)) + 0.5 * rng.randn(width)
    logits[::7] -= 150.0  # probability < 1e-60: floored at exp(-87), still never drawn
    n = 20_000
    x = torch.from_numpy(np.tile(logits, (n, 1))).float()
    padded = torch.zeros(n, width + 5)  # a strided view, as in sample's output
    padded[:, 2 : 2 + width] = x
    codes, peak = draw_rows(padded[:, 2 : 2 + width], torch.Generator().manual_seed(0))
    assert torch.isfinite(peak).all()
    counts = np.bincount(codes.numpy(), minlength=width)
    probs = torch.softmax(torch.from_numpy(logits), 0).numpy()
    assert counts[::7].sum() == 0
    pvalue, cells = _chisquare_pvalue(counts, probs)
    assert cells > min(100, width // 2) and pvalue > 1e-3
    assert _chisquare_pvalue(counts, np.full(width, 1.0 / width))[0] < 1e-6


def _wide_table(n, levels=200, seed=0):
    """A ``levels``-level column driven by the same 2-d latent as four numeric columns."""
    rng = np.random.RandomState(seed)
    u = rng.randn(n, 2)
    centres = rng.randn(levels, 2)
    logits = -((u[:, None, :] - centres[None]) ** 2).sum(-1) / 0.5
    p = np.exp(logits - logits.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    codes = (p.cumsum(1) > rng.rand(n, 1)).argmax(1)
    frame = {f"x{j}": u @ rng.randn(2) + 0.3 * rng.randn(n) for j in range(4)}
    frame["small"] = pd.Categorical.from_codes((u[:, 0] > 0).astype(int), ["a", "b"])
    frame["wide"] = pd.Categorical.from_codes(codes, [f"w{i}" for i in range(levels)])
    return pd.DataFrame(frame)


def test_decoding_drawn_codes_equals_decoding_one_hot_rows():
    frame = _wide_table(300)
    frame.loc[::11, "wide"] = np.nan
    enc = TabularEncoder().fit(frame)
    X = enc.transform(frame)
    block = next(s.value_block for s in enc.columns_ if s.name == "wide")
    keep = np.r_[0 : block.start, block.stop : X.shape[1]]
    codes = X[:, block.slice].argmax(axis=1)
    decoded = enc._inverse_transform_codes(X[:, keep], keep, {block.start: codes})
    pd.testing.assert_frame_equal(decoded, enc.inverse_transform(X))


def test_vae_factorises_only_wide_categorical_blocks_and_samples_reproducibly():
    frame = _wide_table(400)
    vae = VAE(max_epochs=2, random_state=0).fit(frame)
    head = vae.net_.module_.decoder.residual[-1]
    block = next(b for b in vae.layout_ if b.column == "wide" and b.width >= 200)
    assert isinstance(head, BlockFactorizedLinear) and head.blocks == ((block.start, block.stop),)
    narrow = VAE(max_epochs=2, random_state=0).fit(frame.drop(columns="wide"))
    assert type(narrow.net_.module_.decoder.residual[-1]) is torch.nn.Linear
    a, b = vae.sample(3000, random_state=1), vae.sample(3000, random_state=1)
    pd.testing.assert_frame_equal(a, b)
    assert not a.isna().any().any() and a["wide"].nunique() > 20
    # NaN in the wide block's logits raises rather than drawing garbage
    generate = vae._generate

    def nan_logits(m, y, generator):
        raw = generate(m, y, generator)
        raw[m // 2, block.start + 3] = float("nan")
        return raw

    vae._generate = nan_logits
    with pytest.raises(NonFiniteOutputError):
        vae.sample(100, random_state=0)


def test_factorised_head_fits_a_wide_column_as_well_as_the_full_head(monkeypatch):
    """Held-out ELBO and cross-entropy of the wide column: rank 16 vs the full 128 x 200
    product after a short fit (measured: ELBO -8.39 vs -8.46, cross-entropy 4.31 vs
    4.21 nats; log(200) = 5.30 for a column learned not at all). Longer fits and other
    tables: docs/benchmarks_overhead.md."""
    frame = _wide_table(1500, seed=1)
    train, test = frame.iloc[:1200], frame.iloc[1200:]

    def fit(width):
        monkeypatch.setattr(lowrank, "WIDE_BLOCK_WIDTH", width)
        vae = VAE(max_epochs=30, random_state=0).fit(train)
        Xn, _ = vae._validate_input(test, reset=False)
        raw = torch.from_numpy(vae._reconstruct_network_space(Xn))
        block = next(b for b in vae.layout_ if b.column == "wide" and b.width >= 200)
        logp = torch.log_softmax(raw[:, block.slice].double(), 1)
        ce = float(-(logp * torch.from_numpy(Xn[:, block.slice])).sum(1).mean())
        return vae.score(test), ce, vae.net_.module_.decoder.residual[-1]

    elbo_low, ce_low, head_low = fit(128)
    elbo_full, ce_full, head_full = fit(10**9)
    assert isinstance(head_low, BlockFactorizedLinear)
    assert type(head_full) is torch.nn.Linear
    assert ce_low < np.log(200) - 0.8, (elbo_low, elbo_full, ce_low, ce_full)  # it learned the column
    assert elbo_low > elbo_full - 0.15 and ce_low < ce_full + 0.15, (elbo_low, elbo_full, ce_low, ce_full)


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_pickles_from_before_the_factorised_head_load_with_a_full_head():
    """A VAE pickled before the factorised head (no ``_factorized_blocks``, a full last
    ``Linear`` in its state) loads, rebuilds that full layer and decodes as it did."""
    import pickle

    frame = _wide_table(400)
    vae = VAE(max_epochs=1, random_state=0).fit(frame)
    head = vae.net_.module_.decoder.residual[-1]
    assert isinstance(head, BlockFactorizedLinear) and vae._factorized_blocks == head.blocks
    state = vae.__getstate__()
    del state["_factorized_blocks"]
    module = state["_net_state"]["modules"]["module"]
    prefix = next(p for p, m in vae.net_.module_.named_modules() if m is head)
    arrays = {k: v for k, v in module["arrays"].items() if not k.startswith(prefix + ".")}
    with torch.no_grad():
        arrays[prefix + ".weight"] = _dense_weight(head).numpy().copy()
        arrays[prefix + ".bias"] = head.bias.numpy().copy()
    module["arrays"] = arrays
    module["attributes"][prefix] = {"in_features": head.in_features, "out_features": head.out_features}
    state["_net_state"]["optimizers"] = {}  # Adam's moments follow the parameters; not checked here
    old = VAE.__new__(VAE)
    old.__setstate__(state)
    assert type(old.net_.module_.decoder.residual[-1]) is torch.nn.Linear
    Xn, _ = vae._validate_input(frame.iloc[:50], reset=False)
    np.testing.assert_allclose(
        old._reconstruct_network_space(Xn), vae._reconstruct_network_space(Xn), atol=1e-5
    )
    again = pickle.loads(pickle.dumps(old))  # and it stays a full head
    assert type(again.net_.module_.decoder.residual[-1]) is torch.nn.Linear
    assert again.sample(200, random_state=0)["wide"].nunique() > 5
