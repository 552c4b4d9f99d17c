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
    # float64 input, scaled copy, split copies and float64 statistics took 4-9x here
    assert peak <= 1.5 * matrix, (peak / matrix, "x the float32 matrix")


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
