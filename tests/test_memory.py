"""Memory of a fit is bounded by the data: no copies of the encoded matrix, no float64.

No timing here: the tests record what is allocated (numpy through tracemalloc,
torch through a dispatch mode that sees every operator's outputs) and compare it
with the size of the float32 encoded matrix.
"""

import tracemalloc

import numpy as np
import pandas as pd
import pytest
import torch
from torch.utils._python_dispatch import TorchDispatchMode

from skorch.callbacks import Callback

from skgen import VAE, Autoencoder
from skgen._skorch import InMemorySplit, TensorBatchIterator, TensorData
from skgen.preprocessing import TabularEncoder


class _LargestOutputs(TorchDispatchMode):
    """Records the largest new tensor (not a view of an input) each dtype gets from an operator."""

    def __init__(self):
        super().__init__()
        self.largest = {}

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        inputs = {
            a.untyped_storage().data_ptr()
            for a in torch.utils._pytree.tree_leaves((args, kwargs))
            if isinstance(a, torch.Tensor)
        }
        for t in torch.utils._pytree.tree_leaves(out):
            if isinstance(t, torch.Tensor) and t.untyped_storage().data_ptr() not in inputs:
                if t.numel() > self.largest.get(t.dtype, (0, None))[0]:
                    self.largest[t.dtype] = (t.numel(), func)
        return out


def _table(n, seed=0):
    rng = np.random.RandomState(seed)
    latent = rng.randn(n, 2)
    frame = {f"x{j}": latent @ rng.randn(2) + 0.3 * rng.randn(n) for j in range(4)}
    for j in range(3):
        score = latent @ rng.randn(2) + rng.randn(n)
        codes = np.digitize(score, np.quantile(score, [0.25, 0.5, 0.75]))
        frame[f"c{j}"] = pd.Categorical.from_codes(codes, list("abcd"))
    return pd.DataFrame(frame)


def test_validation_split_is_a_view_and_batches_match_a_copy():
    X = torch.arange(60.0).reshape(20, 3)
    y = torch.arange(20)
    train, valid = InMemorySplit(0.25, random_state=0)(TensorData(X, y))
    # the split holds the full tensors and row positions: no copy of the data
    assert train.data is X and valid.data is X and train.target is y
    order = np.random.RandomState(0).permutation(20)
    np.testing.assert_array_equal(valid.rows.numpy(), order[:5])
    np.testing.assert_array_equal(train.X.numpy(), X.numpy()[order[5:]])  # materialised on request
    # batches of the view are those of a materialised copy, shuffled or not
    copy = TensorData(train.X, train.y)
    for shuffle in (False, True):
        view_batches = list(TensorBatchIterator(train, 4, shuffle, np.random.RandomState(1)))
        copy_batches = list(TensorBatchIterator(copy, 4, shuffle, np.random.RandomState(1)))
        assert len(view_batches) == len(copy_batches) == 4
        for (xv, yv), (xc, yc) in zip(view_batches, copy_batches):
            assert torch.equal(xv, xc) and torch.equal(yv, yc)
    # a subset of a subset composes the positions
    assert torch.equal(train.subset([0, 2]).X, train.X[[0, 2]])


def test_tabular_encoder_float32_output_equals_float64_rounded():
    frame = _table(300)
    wide = TabularEncoder(random_state=0).fit(frame)
    narrow = TabularEncoder(random_state=0, dtype="float32").fit(frame)
    out = narrow.transform(frame)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, wide.transform(frame).astype(np.float32))
    assert VAE(max_epochs=1, random_state=0).fit(frame).preprocessor_.dtype == "float32"


def _data(kind, n):
    if kind == "numeric":
        return np.random.RandomState(0).randn(n, 16), 16  # float64: 2x the matrix already
    X = _table(n)
    return X, TabularEncoder().fit(X.iloc[:500]).transform(X.iloc[:5]).shape[1]


def _vae():
    return VAE(n_components=4, hidden_layer_sizes=(32,), max_epochs=1, batch_size=256, random_state=0)


@pytest.mark.parametrize("kind", ["numeric", "mixed"])
def test_fit_peak_numpy_memory_is_one_float32_matrix(kind):
    """Peak numpy memory of a fit: the float32 encoded matrix plus small chunks, no copy."""
    X, width = _data(kind, 40_000)
    _vae().fit(X[:300] if kind == "numeric" else X.iloc[:300])  # one-off allocations
    tracemalloc.start()
    try:
        _vae().fit(X)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    matrix = len(X) * width * 4
    # float64 input, scaled copy, split copies and float64 statistics took 4-9x here;
    # the latent mixture (sampling="auto") is fitted to at most 1,500 codes: a constant
    assert peak <= 1.5 * matrix + 1e6, (peak / matrix, "x the float32 matrix")


@pytest.mark.parametrize("kind", ["numeric", "mixed"])
def test_fit_creates_no_float64_tensor_and_no_copy_of_the_data(kind):
    X, width = _data(kind, 6000)
    recorder = _LargestOutputs()
    with recorder:
        _vae().fit(X)
    # Tensors of one batch at most (inference batches: 1024 rows; float64 only for the
    # accumulators and the output correction's normal equations), never of the data.
    batch = 1024 * max(width, 32)
    assert batch < 0.5 * len(X) * width
    assert recorder.largest.get(torch.float64, (0,))[0] <= batch, recorder.largest[torch.float64]
    assert recorder.largest[torch.float32][0] <= batch, recorder.largest[torch.float32]


def test_autoencoder_output_correction_by_batches_matches_the_dense_solution():
    """The least-squares output correction, accumulated batch by batch, solves the same system."""
    rng = np.random.RandomState(0)
    X = rng.randn(3000, 3) @ rng.randn(3, 12) + 0.3 * rng.randn(3000, 12)
    ae = Autoencoder(n_components=2, hidden_layer_sizes=(16,), max_epochs=2, random_state=0).fit(X)
    assert ae._output_correction is not None
    Xn, _ = ae._validate_input(X, reset=False)
    module = ae.net_.module_
    with torch.no_grad():
        z = module.encode(torch.from_numpy(Xn)).double().numpy()
        out = module.decode(torch.from_numpy(z).float()).double().numpy()
    Z = np.c_[z, np.ones(len(z))]
    gram = Z.T @ Z + 1e-6 * np.trace(Z.T @ Z) / 3 * np.eye(3)
    dense = np.linalg.solve(gram, Z.T @ (Xn.astype(np.float64) - out))
    np.testing.assert_allclose(ae._output_correction, dense, rtol=1e-4, atol=1e-6)


def test_sampling_a_1000_level_column_follows_the_decoders_softmax():
    """``sample`` (chunked, drawn in place from the logits) draws a 1,000-level column with
    the decoder's softmax probabilities: a chi-square test on 30,000 draws of fixed logits."""
    from scipy.stats import chisquare

    rng = np.random.RandomState(0)
    n = 1000
    p = 1.0 / np.arange(1, 1001)
    frame = pd.DataFrame({
        "x": rng.randn(n),
        "c": pd.Categorical.from_codes(rng.randint(3, size=n), list("abc")),
        "wide": pd.Categorical.from_codes(rng.choice(1000, size=n, p=p / p.sum()),
                                          [f"w{i}" for i in range(1000)]),
    })
    vae = VAE(n_components=4, hidden_layer_sizes=(32,), max_epochs=1, random_state=0).fit(frame)
    with torch.no_grad():
        logits = vae._generate(1, None, torch.Generator().manual_seed(1))
    block = next(b for b in vae.layout_ if b.column == "wide" and b.stop - b.start >= 1000)
    # a barely trained decoder is nearly uniform over the levels: make the logits peaked
    # (Zipf) so that the test also has power against a sampler that ignores them
    logits[0, block.start : block.start + 1000] += torch.from_numpy(np.log(p / p.sum())).float()
    probs = torch.softmax(logits[0, block.slice].double(), 0).numpy()[:1000]
    vae._generate = lambda m, y, generator: logits.expand(m, -1).clone()
    draws = 30_000  # many of sample's chunks (about 1,000 rows each at this width)
    counts = vae.sample(draws, random_state=0)["wide"].value_counts().reindex(
        [f"w{i}" for i in range(1000)], fill_value=0).to_numpy()
    expected = draws * probs / probs.sum()
    small = expected < 5  # pooled into one cell
    observed, expected = counts[~small], expected[~small]
    if small.any():
        observed = np.r_[observed, counts[small].sum()]
        expected = np.r_[expected, draws - expected.sum()]
    assert (~small).sum() > 100  # the test has power over many categories
    assert chisquare(observed, expected).pvalue > 1e-3
    # and a wrong distribution is rejected: the same counts against uniform probabilities
    assert chisquare(counts[:20], np.full(20, counts[:20].sum() / 20)).pvalue < 1e-6


def test_early_stopping_keeps_a_copy_of_the_best_epoch_and_restores_it():
    """The best weights are copied into the previous copy (no deepcopy per epoch): they
    never alias the module's, and the restored model is the best epoch's."""
    rng = np.random.RandomState(0)
    X = rng.randn(400, 3) @ rng.randn(3, 10) + 0.1 * rng.randn(400, 10)
    states = []

    class Recorder(Callback):
        def on_epoch_end(self, net, **kwargs):
            states.append({k: v.clone() for k, v in net.module_.state_dict().items()})

    ae = Autoencoder(n_components=2, hidden_layer_sizes=(16,), max_epochs=11, lr=0.05,
                     n_iter_no_change=20, init="random", random_state=0,
                     callbacks=[("recorder", Recorder())]).fit(X)
    stopping = dict(ae.net_.callbacks_)["stopping"]
    best = int(np.argmin(ae.validation_loss_curve_))
    assert stopping.best_epoch_ == best + 1 and len(states) == 11
    assert best < 10  # the last epoch was worse: the restored weights are not the last ones
    module_ptrs = {p.data_ptr() for p in ae.net_.module_.state_dict().values()}
    for name, value in stopping.best_model_weights_.items():
        assert value.data_ptr() not in module_ptrs
        torch.testing.assert_close(value, states[best][name], rtol=0, atol=0)
        torch.testing.assert_close(ae.net_.module_.state_dict()[name], states[best][name], rtol=0, atol=0)


def test_mode_switch_sets_every_flag_and_respects_overridden_train():
    from skgen._skorch import _switch_mode

    plain = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Dropout(0.5), torch.nn.BatchNorm1d(3))
    _switch_mode(plain, False)
    assert not any(m.training for m in plain.modules())
    _switch_mode(plain, True)
    assert all(m.training for m in plain.modules())

    calls = []

    class Custom(torch.nn.Module):
        def train(self, mode=True):
            calls.append(mode)
            return super().train(mode)

    tree = torch.nn.Sequential(torch.nn.Linear(2, 2), Custom())
    _switch_mode(tree, False)
    assert calls == [False] and not any(m.training for m in tree.modules())


def test_sampling_checks_every_chunk_for_non_finite_outputs():
    from skgen.exceptions import NonFiniteOutputError

    frame = _table(300)
    vae = _vae().fit(frame)
    generate = vae._generate
    calls = []

    def nan_in_third_chunk(m, y, generator):
        raw = generate(m, y, generator)
        calls.append(m)
        if len(calls) == 3:
            raw[m // 2, 0] = float("nan")
        return raw

    vae._generate = nan_in_third_chunk
    step = vae._sample_chunk_rows()
    with pytest.raises(NonFiniteOutputError):
        vae.sample(4 * step, random_state=0)
    assert len(calls) == 3
