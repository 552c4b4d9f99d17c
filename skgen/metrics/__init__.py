"""Metrics comparing synthetic with real data: fidelity, utility and privacy.

Every function takes the real and the synthetic data as DataFrames of mixed
types (or numeric arrays) with the same columns.
"""

from ._fidelity import (
    association_matrix,
    column_detection_auc,
    column_shape_score,
    correlation_difference,
    detection_auc,
    ks_statistic,
    maximum_mean_discrepancy,
    total_variation_distance,
)
from ._privacy import distance_to_closest_record, exact_copy_rate
from ._utility import tstr_score

__all__ = [
    "association_matrix",
    "column_detection_auc",
    "column_shape_score",
    "correlation_difference",
    "detection_auc",
    "distance_to_closest_record",
    "exact_copy_rate",
    "ks_statistic",
    "maximum_mean_discrepancy",
    "total_variation_distance",
    "tstr_score",
]

from ._images import batch_correlation, confident_fraction, label_entropy, manifold_precision_recall

__all__ += ["batch_correlation", "confident_fraction", "label_entropy", "manifold_precision_recall"]
