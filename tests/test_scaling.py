"""Scaling out on existing engines: dask grid search, accelerate, chunked training."""

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV

from skgen import VAE, Autoencoder, WGANGP


@pytest.fixture(scope="module")
def blobs():
    rng = np.random.RandomState(0)
    return np.r_[rng.normal(size=(60, 4)) + 2, rng.normal(size=(60, 4)) - 2]


def _search(n_jobs=None):
    estimator = Autoencoder(hidden_layer_sizes=(8,), max_epochs=3, init="random", random_state=0)
    return GridSearchCV(estimator, {"n_components": [1, 2]}, cv=2, n_jobs=n_jobs)


def test_grid_search_on_a_dask_cluster_matches_n_jobs_1(blobs):
    distributed = pytest.importorskip("distributed")
    from joblib import parallel_backend

    reference = _search().fit(blobs)
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
        worker_dashboard_address=None,
    ) as cluster, distributed.Client(cluster) as client:
        with parallel_backend("dask"):
            search = _search(n_jobs=-1).fit(blobs)
        n_workers = len(client.scheduler_info()["workers"])
        # the fits ran on the workers (each of which imported skgen), not in this process
        on_workers = client.run(lambda: "skgen" in __import__("sys").modules)
    assert n_workers == 2 and all(on_workers.values())
    np.testing.assert_allclose(
        search.cv_results_["mean_test_score"], reference.cv_results_["mean_test_score"], rtol=1e-6
    )
    assert search.best_params_ == reference.best_params_


def test_accelerated_twin_trains_like_the_estimator_on_one_process(blobs):
    accelerate = pytest.importorskip("accelerate")
    from skgen.accelerate import AcceleratedVAE, AcceleratedWGANGP, make_accelerated

    accelerator = accelerate.Accelerator(cpu=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plain = VAE(max_epochs=3, random_state=0).fit(blobs)
        fast = AcceleratedVAE(max_epochs=3, random_state=0, accelerator=accelerator).fit(blobs)
    from skorch.hf import AccelerateMixin

    assert isinstance(fast.net_, AccelerateMixin)
    assert fast.net_.accelerator is accelerator
    np.testing.assert_allclose(fast.loss_curve_, plain.loss_curve_, rtol=1e-5)
    np.testing.assert_allclose(fast.transform(blobs), plain.transform(blobs), atol=1e-5)
    assert set(fast.history_[-1]) >= {"train_reconstruction", "train_kl"}
    # sklearn's API: the parameter round-trips through get_params/clone; fitted models pickle
    assert clone(fast).get_params()["accelerator"] is accelerator
    restored = pickle.loads(pickle.dumps(fast))
    np.testing.assert_allclose(restored.transform(blobs), fast.transform(blobs))
    assert make_accelerated(VAE) is AcceleratedVAE
    gan = AcceleratedWGANGP(max_epochs=1, random_state=0, accelerator=accelerator).fit(blobs)
    assert gan.sample(3).shape == (3, 4)


def test_sharded_batches_partition_the_rows():
    import torch

    from skgen._skorch import TensorData
    from skgen.accelerate import ShardedBatchIterator

    data = TensorData(torch.arange(10.0).reshape(10, 1))
    seen = []
    for rank in range(2):
        it = ShardedBatchIterator(data, batch_size=2, shuffle=True, random_state=np.random.RandomState(0),
                                  num_processes=2, process_index=rank)
        batches = [X[:, 0].tolist() for X, _ in it]
        assert len(batches) == len(it) == 3
        seen += sum(batches, [])
    assert sorted(seen) == list(range(10))


def test_partial_fit_chunks_from_parquet_fits_statistics_on_all_chunks(tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    import pyarrow as pa

    from skgen.streaming import iter_chunks, partial_fit_chunks, sample_rows

    rng = np.random.RandomState(0)
    frame = pd.DataFrame({"a": np.sort(rng.normal(size=600)), "b": rng.normal(size=600)})
    path = tmp_path / "data.parquet"
    pq.write_table(pa.Table.from_pandas(frame), path, row_group_size=100)  # 6 sorted chunks
    chunks = list(iter_chunks(path))
    assert [len(c) for c in chunks] == [100] * 6
    sample = sample_rows(path, 200, random_state=0)
    assert len(sample) == 200 and sample["a"].min() < -1 and sample["a"].max() > 1
    ae = Autoencoder(n_components=1, hidden_layer_sizes=(8,), random_state=0)
    partial_fit_chunks(ae, path, n_epochs=2, sample_size=300, chunks_per_step=1, random_state=0)
    assert ae.n_iter_ == 1 + 2 * 6  # the sample, then every chunk twice
    # the centring comes from rows of every chunk, not the first (sorted) one
    assert abs(ae._input_offset[0] - frame["a"].mean()) < 0.25
    assert abs(ae._input_offset[0] - chunks[0]["a"].mean()) > 1
    assert np.isfinite(ae.score(frame))
    # lists of DataFrames work too, and a fitted model continues without a new sample
    partial_fit_chunks(ae, [frame.iloc[:300], frame.iloc[300:]], chunks_per_step=1)
    assert ae.n_iter_ == 15
    partial_fit_chunks(ae, path)  # 6 chunks, 4 per step by default: 4 + 2
    assert ae.n_iter_ == 17
