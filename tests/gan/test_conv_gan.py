"""Convolutional GANs (DCGAN rules), batch-norm choices and conditional images."""

import pickle

import numpy as np
import pytest
import torch
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from torch import nn

from skgen import BEGAN, DRAGAN, GAN, LSGAN, WGAN, WGANGP, InfoGAN
from skgen.nn import (
    ConvAutoencoderDiscriminator,
    ConvDiscriminator,
    ConvGenerator,
    GroupBatchNorm,
    ReferenceBatchNorm,
)

VARIANTS = [GAN, WGAN, WGANGP, LSGAN, DRAGAN, BEGAN, InfoGAN]
NORM_LAYERS = (GroupBatchNorm, ReferenceBatchNorm, nn.GroupNorm)
SHAPES = [(1, 8, 8), (1, 28, 28), (3, 5, 7)]


@pytest.fixture(scope="module")
def small_digits():
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    return X[:200] / 16.0, y[:200]


def _layers(stack):
    return [layer for layer in stack if not isinstance(layer, nn.Identity)]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("norm", [None, "batch", "virtual"])
def test_generator_shapes_and_norm_placement(shape, norm):
    g = ConvGenerator(6, shape, channels=(4, 8), norm=norm, n_reference=3, n_classes=2)
    if g.n_reference:
        g.set_reference(torch.randn(3, 6), torch.tensor([0, 1, 1]))
    out = g(torch.randn(5, 6), torch.tensor([0, 1, 0, 1, 0]))
    assert out.shape == (5, int(np.prod(shape)))
    layers = _layers(g.mlp.features)
    assert isinstance(layers[-1], nn.ConvTranspose2d)  # raw output: no norm, no activation
    n_norms = sum(isinstance(layer, NORM_LAYERS) for layer in layers)
    # one norm after the projection and after every transposed conv but the last
    assert n_norms == (0 if norm is None else 2)
    for i, layer in enumerate(layers):
        if isinstance(layer, NORM_LAYERS):
            assert isinstance(layers[i + 1], nn.ReLU)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("norm", [None, "batch", "layer", "reference"])
def test_discriminator_shapes_and_norm_placement(shape, norm):
    n = int(np.prod(shape))
    d = ConvDiscriminator(n, shape, channels=(4, 8, 8), norm=norm, n_reference=3, n_classes=2)
    if d.n_reference:
        d.set_reference(torch.randn(3, n), torch.tensor([0, 1, 1]))
    scores = d(torch.randn(6, n), torch.tensor([0, 1, 0, 1, 0, 1]), groups=2)
    assert scores.shape == (6,)
    layers = _layers(d.body.features)
    assert isinstance(layers[0], nn.Conv2d) and isinstance(layers[1], nn.LeakyReLU)  # input: no norm
    assert sum(isinstance(layer, NORM_LAYERS) for layer in layers) == (0 if norm is None else 2)
    began = ConvAutoencoderDiscriminator(n, shape, channels=(4,), n_components=3, n_classes=2)
    assert began(torch.randn(4, n), torch.tensor([0, 1, 0, 1])).shape == (4, n)


def test_grouped_batch_norm_normalises_real_and_fake_separately():
    bn = GroupBatchNorm(1).train()
    real, fake = torch.randn(8, 1, 2, 2) + 5, torch.randn(8, 1, 2, 2) - 5
    out = bn(torch.cat([real, fake]), groups=2)
    assert torch.allclose(out[:8].mean(), torch.tensor(0.0), atol=1e-5)
    assert torch.allclose(out[8:].mean(), torch.tensor(0.0), atol=1e-5)


@pytest.mark.parametrize("Est", VARIANTS)
def test_every_variant_builds_convolutional_networks(Est, small_digits):
    X, _ = small_digits
    est = Est(input_shape=(1, 8, 8), channels=(4, 8), max_epochs=1, random_state=0).fit(X)
    assert isinstance(est.net_.module_, ConvGenerator)
    disc = est.net_.discriminator_
    norms = [type(m) for m in disc.modules() if isinstance(m, NORM_LAYERS)]
    if Est in (WGANGP, DRAGAN):  # per-sample gradient penalty: layer norm, no batch statistics
        assert norms and set(norms) == {nn.GroupNorm}
    elif Est is BEGAN:
        assert isinstance(disc, ConvAutoencoderDiscriminator) and not norms
    else:
        assert isinstance(disc, ConvDiscriminator) and set(norms) == {GroupBatchNorm}
    sample = est.sample(7, random_state=0)
    assert sample.shape == (7, 64)
    assert sample.min() >= 0 and sample.max() <= 1  # sigmoid output for [0, 1] pixels


def test_invalid_image_settings(small_digits):
    X, _ = small_digits
    with pytest.raises(ValueError, match="holds 63 values"):
        GAN(input_shape=(1, 7, 9), max_epochs=1).fit(X)
    with pytest.raises(ValueError, match="set input_shape"):
        GAN(batch_norm="virtual", max_epochs=1).fit(X)
    with pytest.raises(ValueError, match="channels"):
        GAN(input_shape=(1, 8, 8), channels=(0,), max_epochs=1).fit(X)


@pytest.mark.parametrize("norm", ["reference", "virtual"])
def test_reference_norm_output_of_a_row_ignores_the_rest_of_its_batch(norm):
    torch.manual_seed(0)
    g = ConvGenerator(4, (1, 8, 8), channels=(4, 8), norm=norm, n_reference=16)
    g.set_reference(torch.randn(16, 4))
    z = torch.randn(1, 4)
    for mode in (g.train, g.eval):
        mode()
        alone = g(z)
        with_others = g(torch.cat([z, 3 * torch.randn(9, 4) + 2]))[:1]
        assert torch.allclose(alone, with_others, atol=1e-5)
    # plain batch norm in training mode: the same row changes with its batch
    b = ConvGenerator(4, (1, 8, 8), channels=(4, 8), norm="batch").train()
    z2 = torch.randn(2, 4)
    assert not torch.allclose(b(z2)[:1], b(torch.cat([z2, 3 * torch.randn(9, 4) + 2]))[:1])


def test_virtual_batch_norm_uses_reference_plus_the_row():
    vbn = ReferenceBatchNorm(1, virtual=True)
    ref = torch.randn(5, 1, 2, 2)
    x = torch.randn(1, 1, 2, 2)
    out = vbn(torch.cat([ref, x]), n_reference=5)[5:]
    both = torch.cat([ref, x]).flatten()
    expected = (x - both.mean()) / torch.sqrt(both.var(unbiased=False) + vbn.eps)
    assert torch.allclose(out, expected, atol=1e-5)
    plain = ReferenceBatchNorm(1, virtual=False)
    out = plain(torch.cat([ref, x]), n_reference=5)[5:]
    expected = (x - ref.mean()) / torch.sqrt(ref.var(unbiased=False) + plain.eps)
    assert torch.allclose(out, expected, atol=1e-5)


def test_reference_batch_is_drawn_at_fit_and_persisted(small_digits):
    X, y = small_digits
    params = dict(input_shape=(1, 8, 8), channels=(4, 8), batch_norm="virtual", batch_size=32)
    est = GAN(max_epochs=2, random_state=0, **params).fit(X, y)
    g_ref = est.net_.module_.mlp.reference
    d_ref = est.net_.discriminator_.body.reference
    assert g_ref.shape == (32, est.n_components + 10) and d_ref.shape == (32, 64 + 10)
    # the discriminator's reference rows are training images with their one-hot labels
    rows = d_ref[:, :64].numpy()
    matches = (np.abs(rows[:, None, :] - X[None].astype(np.float32)).max(axis=2) < 1e-6).any(axis=1)
    assert matches.all()
    # buffers: in the state_dicts and through pickle, so samples match after a round trip
    assert "mlp.reference" in est.net_.module_.state_dict()
    assert "body.reference" in est.net_.discriminator_.state_dict()
    clone = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(clone.sample(5, y=[1] * 5, random_state=3), est.sample(5, y=[1] * 5, random_state=3))
    # drawn with the model's random_state
    again = GAN(max_epochs=1, random_state=0, **params).fit(X, y)
    other = GAN(max_epochs=1, random_state=1, **params).fit(X, y)
    first = GAN(max_epochs=1, random_state=0, **params).fit(X, y)
    assert torch.equal(again.net_.discriminator_.body.reference, first.net_.discriminator_.body.reference)
    assert not torch.equal(other.net_.discriminator_.body.reference, first.net_.discriminator_.body.reference)
    # partial_fit keeps the reference batch
    before = est.net_.module_.mlp.reference.clone()
    est.partial_fit(X, y)
    assert torch.equal(est.net_.module_.mlp.reference, before)


def test_conditional_conv_generator_draws_the_requested_digits(digits):
    X, y = digits
    X = X / 16.0
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state=0)
    clf = MLPClassifier((128,), max_iter=500, random_state=0).fit(X_train, y_train)
    gan = GAN(input_shape=(1, 8, 8), max_epochs=15, random_state=0).fit(X_train, y_train)
    labels = np.repeat(np.arange(10), 30)
    samples = gan.sample(len(labels), y=labels, random_state=0)
    accuracy = (clf.predict(samples) == labels).mean()
    assert accuracy > 0.85, accuracy  # 0.98 on the benchmark's seed


def _training_mode_batches(gan, n_batches, batch_size, seed=0):
    """Batches generated as during training (plain batch norm uses batch statistics)."""
    module = gan.net_.module_
    module.train()
    torch.manual_seed(seed)
    with torch.no_grad():
        out = [module.activate(module(module.sample_latent(batch_size))) for _ in range(n_batches)]
    module.eval()
    return torch.stack(out).numpy()


def test_virtual_batch_norm_decorrelates_the_samples_of_a_batch(small_digits):
    """Issue 14: with plain batch norm the samples of one training-mode batch are
    coupled (their normalised features sum to zero: negative correlation, about
    -c/(n-1)); with virtual batch norm they are as uncorrelated as samples of
    different batches."""
    from skgen.metrics import batch_correlation

    X, _ = small_digits
    gaps = {}
    for norm in ("batch", "virtual"):
        gan = GAN(input_shape=(1, 8, 8), channels=(8, 16), batch_norm=norm, max_epochs=1, random_state=0)
        gan.fit(X)
        within, between = batch_correlation(_training_mode_batches(gan, 400, 8))
        gaps[norm] = within - between
    assert gaps["batch"] < -0.02, gaps
    assert abs(gaps["virtual"]) < 0.01, gaps
    assert abs(gaps["virtual"]) < abs(gaps["batch"]) / 3, gaps
