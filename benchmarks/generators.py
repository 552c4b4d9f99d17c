"""Benchmark the generators (GANs, and the VAE/BetaVAE/WAE samplers) against a GaussianMixture baseline.

Every GAN variant of ``skgen.gan`` (default parameters, ``random_state=0``)
is fitted on

* a 2-D ring of 8 Gaussians (radius 2, sigma 0.1, 2000 rows): modes covered
  (a mode counts when at least 20 of 2500 samples lie within 3 sigma of it),
  the fraction of high-quality samples (within 3 sigma of some mode) and the
  MMD² to 2500 held-out rows;
* digits scaled to [0, 1] (1347 training rows, 450 held out): digit classes
  covered (a class counts when a logistic regression trained on real digits
  predicts it for at least 2% of the samples), the classifier's mean
  confidence on the samples, and the MMD² to the held-out digits;

* breast cancer, standardised (400 training rows, 169 held out): MMD² and
  the error of the samples' correlation matrix;

next to ``sklearn.mixture.GaussianMixture`` (8 components on the ring, 10 on
digits, 1 and 5 on breast cancer). MMD² is ``skgen.losses.mmd`` (multi-scale inverse multiquadratic
kernel) between as many samples as held-out rows, computed on standardised
coordinates for the ring and on the [0, 1] pixels for digits; lower is
better. The fit time per epoch is wall-clock on the CPU (one thread).

Run ``python benchmarks/generators.py`` to print the table and write
``docs/benchmarks_generators.md``; ``--max-epochs N`` overrides every
estimator's default, ``--quick`` is a smoke run.
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.mixture import GaussianMixture
from sklearn.model_selection import train_test_split

import skgen
from skgen.losses import mmd

VARIANTS = ["GAN", "WGAN", "WGANGP", "LSGAN", "DRAGAN", "BEGAN", "InfoGAN", "VAE", "BetaVAE", "WAE"]
RING_RADIUS, RING_SIGMA, RING_MODES = 2.0, 0.1, 8
N_SAMPLES = 2500
OUTPUT = os.path.join(os.path.dirname(__file__), "..", "docs", "benchmarks_generators.md")


def ring(n, seed):
    rng = np.random.RandomState(seed)
    k = rng.randint(RING_MODES, size=n)
    theta = 2 * np.pi * k / RING_MODES
    centres = RING_RADIUS * np.c_[np.cos(theta), np.sin(theta)]
    return centres + RING_SIGMA * rng.randn(n, 2)


def ring_metrics(samples):
    theta = 2 * np.pi * np.arange(RING_MODES) / RING_MODES
    centres = RING_RADIUS * np.c_[np.cos(theta), np.sin(theta)]
    dist = np.linalg.norm(samples[:, None] - centres[None], axis=2)
    good = dist.min(axis=1) < 3 * RING_SIGMA
    counts = np.bincount(dist.argmin(axis=1)[good], minlength=RING_MODES)
    return int((counts >= 20).sum()), float(good.mean())


def mmd2(a, b):
    return float(mmd(torch.as_tensor(a, dtype=torch.float32), torch.as_tensor(b, dtype=torch.float32)))


def fit_timed(est, X):
    start = time.perf_counter()
    est.fit(X)
    elapsed = time.perf_counter() - start
    return elapsed, getattr(est, "n_iter_", None)


def bench_ring(variants, max_epochs):
    X, X_test = ring(2000, 0), ring(N_SAMPLES, 1)
    offset, scale = X.mean(0), np.sqrt(X.var(0).mean())

    def row(name, est, samples, elapsed, epochs):
        modes, quality = ring_metrics(samples)
        quality_mmd = mmd2((samples - offset) / scale, (X_test - offset) / scale)
        per_epoch = f"{elapsed / epochs * 1000:.0f} ms" if epochs else "—"
        return [name, f"{modes}/{RING_MODES}", f"{quality:.2f}", f"{quality_mmd:.4f}", per_epoch, f"{elapsed:.1f} s"]

    rows = []
    gmm = GaussianMixture(RING_MODES, random_state=0)
    elapsed, _ = fit_timed(gmm, X)
    rows.append(row("GaussianMixture(8)", gmm, gmm.sample(N_SAMPLES)[0], elapsed, None))
    for name in variants:
        params = {"random_state": 0}
        if max_epochs:
            params["max_epochs"] = max_epochs
        est = getattr(skgen, name)(**params)
        elapsed, epochs = fit_timed(est, X)
        rows.append(row(name, est, est.sample(N_SAMPLES, random_state=0), elapsed, epochs))
        print("ring", rows[-1], flush=True)
    return rows


def bench_digits(variants, max_epochs):
    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    X_train, X_test, y_train, _ = train_test_split(X, y, test_size=450, random_state=0, stratify=y)
    clf = LogisticRegression(max_iter=3000).fit(X, y)

    def row(name, samples, elapsed, epochs):
        samples = np.clip(samples, 0, 1)
        proba = clf.predict_proba(samples)
        counts = np.bincount(proba.argmax(1), minlength=10)
        covered = int((counts >= 0.02 * len(samples)).sum())
        per_epoch = f"{elapsed / epochs * 1000:.0f} ms" if epochs else "—"
        return [
            name,
            f"{covered}/10",
            f"{proba.max(1).mean():.2f}",
            f"{mmd2(samples, X_test):.4f}",
            per_epoch,
            f"{elapsed:.1f} s",
        ]

    rows = []
    gmm = GaussianMixture(10, covariance_type="full", reg_covar=1e-2, random_state=0)
    elapsed, _ = fit_timed(gmm, X_train)
    rows.append(row("GaussianMixture(10)", gmm.sample(len(X_test))[0], elapsed, None))
    for name in variants:
        params = {"random_state": 0}
        if max_epochs:
            params["max_epochs"] = max_epochs
        est = getattr(skgen, name)(**params)
        elapsed, epochs = fit_timed(est, X_train)
        rows.append(row(name, est.sample(len(X_test), random_state=0), elapsed, epochs))
        print("digits", rows[-1], flush=True)
    return rows


def bench_breast_cancer(variants, max_epochs):
    from sklearn.datasets import load_breast_cancer
    from sklearn.preprocessing import StandardScaler

    X, y = load_breast_cancer(return_X_y=True)
    X_train, X_test = train_test_split(X, test_size=169, random_state=0, stratify=y)
    scaler = StandardScaler().fit(X_train)
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)

    def row(name, samples, elapsed, epochs):
        per_epoch = f"{elapsed / epochs * 1000:.0f} ms" if epochs else "—"
        corr_err = np.abs(np.corrcoef(samples.T) - np.corrcoef(X_test.T)).mean()
        return [name, f"{mmd2(samples, X_test):.4f}", f"{corr_err:.3f}", per_epoch, f"{elapsed:.1f} s"]

    rows = []
    for k in (1, 5):
        gmm = GaussianMixture(k, covariance_type="full", random_state=0)
        elapsed, _ = fit_timed(gmm, X_train)
        rows.append(row(f"GaussianMixture({k})", gmm.sample(len(X_test))[0], elapsed, None))
    for name in variants:
        params = {"random_state": 0}
        if max_epochs:
            params["max_epochs"] = max_epochs
        est = getattr(skgen, name)(**params)
        elapsed, epochs = fit_timed(est, X_train)
        rows.append(row(name, est.sample(len(X_test), random_state=0), elapsed, epochs))
        print("breast_cancer", rows[-1], flush=True)
    return rows


def markdown(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-epochs", type=int, default=None, help="override every default max_epochs")
    parser.add_argument("--quick", action="store_true", help="smoke run: 2 epochs, GAN and WGANGP")
    parser.add_argument("--output", default=OUTPUT)
    args = parser.parse_args()
    torch.set_num_threads(1)
    variants = ["GAN", "WGANGP"] if args.quick else VARIANTS
    max_epochs = 2 if args.quick else args.max_epochs
    skgen.GAN(max_epochs=1, random_state=0).fit(ring(256, 0))  # warm-up: imports, allocator

    ring_rows = bench_ring(variants, max_epochs)
    digit_rows = bench_digits(variants, max_epochs)
    cancer_rows = bench_breast_cancer(variants, max_epochs)
    epochs_note = f"max_epochs={max_epochs} for every estimator" if max_epochs else "default parameters"
    text = "\n\n".join(
        [
            "# Generators: sample quality and fit time",
            "Generated by `python benchmarks/generators.py` "
            f"({epochs_note}, `random_state=0`; torch {torch.__version__}, "
            f"scikit-learn {__import__('sklearn').__version__}, {platform.machine()} CPU, 1 thread). "
            "GAN rows use each estimator's defaults; lower MMD² is better.",
            "## Ring of 8 Gaussians (radius 2, σ = 0.1)",
            "Modes covered: at least 20 of 2500 samples within 3σ of the mode. "
            "Quality: fraction of samples within 3σ of some mode (0.99 for the true distribution).",
            markdown(["model", "modes covered", "high-quality fraction", "MMD² to held-out", "fit time / epoch", "fit time"], ring_rows),
            "## Digits scaled to [0, 1]",
            "Classes covered: a logistic regression trained on real digits predicts the class for at "
            "least 2% of the samples. Confidence: its mean maximum probability on the samples.",
            markdown(["model", "classes covered", "classifier confidence", "MMD² to held-out", "fit time / epoch", "fit time"], digit_rows),
            "## Breast cancer, standardised (400 training rows, 169 held out)",
            "Correlation error: mean absolute difference between the samples' and the held-out "
            "correlation matrices.",
            markdown(["model", "MMD² to held-out", "correlation error", "fit time / epoch", "fit time"], cancer_rows),
        ]
    )
    print(text)
    if not args.quick:
        with open(args.output, "w") as fh:
            fh.write(text + "\n")


if __name__ == "__main__":
    main()
