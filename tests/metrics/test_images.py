"""Feature-space sample quality: manifold precision/recall, classifier scores."""

import numpy as np
import pytest

from skgen.metrics import confident_fraction, label_entropy, manifold_precision_recall


def test_precision_recall_separate_fidelity_from_coverage(rng):
    real = rng.normal(size=(400, 2))
    same = rng.normal(size=(400, 2))
    collapsed = 0.05 * rng.normal(size=(400, 2))  # realistic but one mode
    blurry = 4 * rng.normal(size=(400, 2))  # covers everything, mostly off-manifold
    p, r = manifold_precision_recall(real, same)
    assert p > 0.9 and r > 0.9
    p, r = manifold_precision_recall(real, collapsed)
    assert p > 0.9 and r < 0.2
    p, r = manifold_precision_recall(real, blurry)
    assert p < 0.4 and r > 0.8


def test_precision_recall_checks_shapes(rng):
    with pytest.raises(ValueError, match="features"):
        manifold_precision_recall(rng.normal(size=(10, 2)), rng.normal(size=(10, 3)))
    with pytest.raises(ValueError, match="more than n_neighbors"):
        manifold_precision_recall(rng.normal(size=(3, 2)), rng.normal(size=(10, 2)))


def test_classifier_scores():
    proba = np.array([[0.95, 0.05, 0.0], [0.2, 0.8, 0.0], [0.0, 0.0, 1.0], [0.0, 0.05, 0.95]])
    assert confident_fraction(proba) == 0.75
    assert confident_fraction(proba, threshold=0.5) == 1.0
    # labels 0, 1, 2, 2
    expected = -(2 * 0.25 * np.log(0.25) + 0.5 * np.log(0.5))
    assert label_entropy(proba) == pytest.approx(expected)
    assert label_entropy(np.eye(3)[[0, 0, 0]]) == 0.0
    assert label_entropy(np.eye(3), normalize=True) == pytest.approx(1.0)
