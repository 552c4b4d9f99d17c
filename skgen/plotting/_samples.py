"""A mosaic of images: samples, reconstructions or decoded codes."""

from __future__ import annotations

import math

import numpy as np

from ._base import estimator_name, get_ax


def _as_images(images, image_shape=None):
    """Images as ``(n, H, W)`` (grey) or ``(n, H, W, 3|4)`` (colour)."""
    images = np.asarray(images.to_numpy() if hasattr(images, "to_numpy") else images, dtype=float)
    if images.ndim == 2:
        n, n_features = images.shape
        if image_shape is None:
            side = int(round(math.sqrt(n_features)))
            if side * side != n_features:
                raise ValueError(
                    f"Cannot guess the image shape of {n_features} features; pass image_shape."
                )
            image_shape = (side, side)
        image_shape = tuple(int(s) for s in image_shape)
        if int(np.prod(image_shape)) != n_features:
            raise ValueError(
                f"image_shape={image_shape} does not hold the {n_features} features of a row."
            )
        images = images.reshape((n, *image_shape))
    if images.ndim == 4 and images.shape[1] in (1, 3, 4) and images.shape[-1] not in (1, 3, 4):
        images = np.moveaxis(images, 1, -1)  # (n, C, H, W) -> (n, H, W, C)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim not in (3, 4) or (images.ndim == 4 and images.shape[-1] not in (3, 4)):
        raise ValueError(
            "images must be (n, H, W), (n, H, W, C), (n, C, H, W) with C in {1, 3, 4}, or "
            f"(n, H*W) with image_shape; got shape {images.shape}."
        )
    return images


def tile(images, n_cols=None, padding=1):
    """Tile ``(n, H, W[, C])`` images into one array, NaN between and after them."""
    n, h, w = images.shape[:3]
    n_cols = int(n_cols or math.ceil(math.sqrt(n)))
    n_rows = math.ceil(n / n_cols)
    shape = (n_rows * (h + padding) - padding, n_cols * (w + padding) - padding, *images.shape[3:])
    mosaic = np.full(shape, np.nan)
    for i, image in enumerate(images):
        r, c = divmod(i, n_cols)
        mosaic[r * (h + padding) : r * (h + padding) + h, c * (w + padding) : c * (w + padding) + w] = image
    return mosaic


class SampleGridDisplay:
    """A grid of images: generated samples, reconstructions or decoded codes.

    The images are tiled into one array (a mosaic, drawn with a single
    ``imshow``), grey images with a shared colour scale.

    Create it with :meth:`from_estimator` or :meth:`from_images`.

    Parameters
    ----------
    images : ndarray of shape (n_images, H, W) or (n_images, H, W, C)
        The images, C in {3, 4} for colour.
    n_cols : int, default=None
        Images per row; None makes a square grid.
    estimator_name : str, default=None
        Used as the title.

    Attributes
    ----------
    mosaic_ : ndarray
        The tiled images (NaN in the gaps).
    im_ : matplotlib AxesImage
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure

    Examples
    --------
    >>> import numpy as np
    >>> from skgen.plotting import SampleGridDisplay
    >>> images = np.random.RandomState(0).uniform(size=(6, 8, 8))
    >>> display = SampleGridDisplay.from_images(images, n_cols=3)
    >>> display.mosaic_.shape
    (17, 26)
    """

    def __init__(self, *, images, n_cols=None, estimator_name=None):
        self.images = images
        self.n_cols = n_cols
        self.estimator_name = estimator_name

    def plot(self, ax=None, *, cmap="gray_r", padding=1, vmin=None, vmax=None, **imshow_kwargs):
        """Draw the mosaic.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            The axes to draw on; None creates a figure.
        cmap : str or Colormap, default="gray_r"
            For grey images (dark ink on white, as the digits are drawn).
        padding : int, default=1
            Pixels between images.
        vmin, vmax : float, default=None
            The grey scale; None uses the range of all images.
        **imshow_kwargs : dict
            Passed to :meth:`matplotlib.axes.Axes.imshow`.

        Returns
        -------
        display : SampleGridDisplay
        """
        ax = get_ax(ax, "SampleGridDisplay.plot")
        images = np.asarray(self.images, dtype=float)
        self.mosaic_ = tile(images, self.n_cols, padding)
        if images.ndim == 3:
            import matplotlib as mpl

            colormap = mpl.colormaps[cmap] if isinstance(cmap, str) else cmap
            colormap = colormap.with_extremes(bad="white")
            vmin = np.nanmin(images) if vmin is None else vmin
            vmax = np.nanmax(images) if vmax is None else vmax
            self.im_ = ax.imshow(
                self.mosaic_, cmap=colormap, vmin=vmin, vmax=vmax, interpolation="nearest",
                **imshow_kwargs,
            )
        else:
            rgb = np.clip(np.nan_to_num(self.mosaic_, nan=1.0), 0.0, 1.0)
            self.im_ = ax.imshow(rgb, interpolation="nearest", **imshow_kwargs)
        ax.set_axis_off()
        if self.estimator_name is not None:
            ax.set_title(self.estimator_name)
        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    @classmethod
    def from_images(cls, images, *, image_shape=None, n_cols=None, name=None, ax=None, **kwargs):
        """Plot images given as an array.

        Parameters
        ----------
        images : array-like
            ``(n, H, W)``, ``(n, H, W, C)``, ``(n, C, H, W)``, or flat rows
            ``(n, H*W*C)`` with ``image_shape``.
        image_shape : tuple of int, default=None
            The shape of one flat row: ``(H, W)`` or ``(C, H, W)``; None
            guesses a square grey image.
        n_cols : int, default=None
            Images per row; None makes a square grid.
        name : str, default=None
            The title.
        ax : matplotlib Axes, default=None
        **kwargs : dict
            Passed to :meth:`plot`.

        Returns
        -------
        display : SampleGridDisplay
        """
        images = _as_images(images, image_shape)
        return cls(images=images, n_cols=n_cols, estimator_name=name).plot(ax=ax, **kwargs)

    @classmethod
    def from_estimator(
        cls, estimator, X=None, *, codes=None, n_samples=16, y=None, image_shape=None,
        n_cols=None, random_state=None, name=None, ax=None, **kwargs,
    ):
        """Plot images produced by a fitted estimator.

        Exactly one source is used, in this order:

        * ``codes`` given: the decoded codes, ``estimator.inverse_transform(codes)``
          (e.g. a grid over a 2-D latent space);
        * ``X`` given: the reconstructions ``inverse_transform(transform(X))``;
        * otherwise: ``estimator.sample(n_samples, y=y, random_state=random_state)``.

        Parameters
        ----------
        estimator : fitted skgen estimator
            With ``sample`` (generators, VAEs) or ``inverse_transform``
            (autoencoders).
        X : array-like of shape (n_images, n_features), default=None
            Images to reconstruct.
        codes : array-like of shape (n_images, n_components), default=None
            Codes to decode.
        n_samples : int, default=16
            Number of samples when drawing from ``sample``.
        y : array-like of shape (n_samples,), default=None
            Class labels for a conditional generator.
        image_shape : tuple of int, default=None
            ``(H, W)`` or ``(C, H, W)``; None uses the estimator's
            ``input_shape_`` (``ConvAE``) or guesses a square grey image.
        n_cols : int, default=None
            Images per row.
        random_state : int, RandomState instance or None, default=None
            Seed of ``sample``.
        name : str, default=None
            The title; None uses the estimator's class name.
        ax : matplotlib Axes, default=None
        **kwargs : dict
            Passed to :meth:`plot`.

        Returns
        -------
        display : SampleGridDisplay
        """
        if codes is not None:
            images = estimator.inverse_transform(codes)
        elif X is not None:
            images = estimator.inverse_transform(estimator.transform(X))
        elif hasattr(estimator, "sample"):
            images = estimator.sample(n_samples, y=y, random_state=random_state)
        else:
            raise ValueError(
                f"{type(estimator).__name__} has no sample method: pass X (reconstructions) "
                "or codes (decoded codes)."
            )
        if image_shape is None:
            image_shape = getattr(estimator, "input_shape_", None)
        name = estimator_name(estimator) if name is None else name
        return cls.from_images(
            images, image_shape=image_shape, n_cols=n_cols, name=name, ax=ax, **kwargs
        )
