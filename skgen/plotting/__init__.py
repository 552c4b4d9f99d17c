"""Plotting displays in scikit-learn's idiom (matplotlib is optional).

Each display is built by a class method (``from_estimator``, ``from_data``,
``from_images``), draws itself with :meth:`plot` and keeps the matplotlib
objects it drew as fitted-style attributes (``ax_``, ``figure_``, ...), as
:class:`sklearn.metrics.ConfusionMatrixDisplay` does.

===================== =========================================================
display               what it shows
===================== =========================================================
``LossCurveDisplay``  every named loss term of ``history_``, train and valid
``LatentSpaceDisplay`` codes in 2-D (or a 2-D PCA projection), coloured by ``y``
``SampleGridDisplay`` a mosaic of images from ``sample`` or ``inverse_transform``
``MarginalsDisplay``  real vs synthetic per-column marginals and the
                      difference of the pairwise associations
===================== =========================================================

matplotlib is imported only when a display draws; without it the displays
raise an ``ImportError`` with the install hint ``pip install "skgen[plotting]"``.
"""

from ._latent import LatentSpaceDisplay
from ._loss_curve import LossCurveDisplay
from ._marginals import MarginalsDisplay
from ._samples import SampleGridDisplay

__all__ = ["LatentSpaceDisplay", "LossCurveDisplay", "MarginalsDisplay", "SampleGridDisplay"]
