import os

import numpy as np
import pytest
import torch

torch.set_num_threads(1)


@pytest.fixture
def global_random_seed():
    """The seed of seeded tests (env ``SKGEN_TESTS_GLOBAL_RANDOM_SEED``, default 42)."""
    return int(os.environ.get("SKGEN_TESTS_GLOBAL_RANDOM_SEED", 42))


@pytest.fixture(scope="session")
def digits():
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    return X, y


def pytest_collection_modifyitems(config, items):
    if torch.cuda.is_available():
        return
    skip = pytest.mark.skip(reason="needs a CUDA device")
    for item in items:
        if "cuda" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def rng(global_random_seed):
    return np.random.RandomState(global_random_seed)
