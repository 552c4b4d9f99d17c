"""ConvAE: image shapes, the digits benchmark and 28x28 images."""

import numpy as np
import pytest
import torch
from sklearn.decomposition import PCA
from sklearn.model_selection import train_test_split

from skgen import ConvAE
from skgen.nn import ConvDecoder, ConvEncoder


@pytest.mark.parametrize(
    "shape", [(1, 8, 8), (1, 28, 28), (3, 5, 7), (1, 1, 13), (1, 1, 1), (2, 3, 1)]
)
@pytest.mark.parametrize("channels", [(4,), (4, 8), (2, 2, 2, 2)])
def test_decoder_restores_the_input_shape(shape, channels):
    n_features = int(np.prod(shape))
    encoder, decoder = ConvEncoder(shape, channels, 5), ConvDecoder(shape, channels, 5)
    x = torch.randn(3, n_features)
    code = encoder(x)
    assert code.shape == (3, 5)
    assert decoder(code).shape == (3, n_features)


def test_conv_autoencoder_beats_pca_on_held_out_digits(digits):
    X, _ = digits
    X_train, X_test = train_test_split(X, test_size=0.25, random_state=0)
    pca = PCA(10).fit(X_train)
    pca_mse = np.mean((pca.inverse_transform(pca.transform(X_test)) - X_test) ** 2)
    cae = ConvAE(10, max_epochs=15, lr=3e-3, batch_size=64, random_state=0).fit(X_train)
    assert cae.input_shape_ == (1, 8, 8)  # guessed from 64 features
    assert -cae.score(X_test) < 0.8 * pca_mse
    assert cae.get_feature_names_out()[0] == "convae0"


def test_mnist_sized_images_in_unit_range(rng):
    X = (rng.rand(40, 784) > 0.7).astype(float)
    cae = ConvAE(4, channels=(4, 8), init="random", max_epochs=2, random_state=0).fit(X)
    assert cae.input_shape_ == (1, 28, 28)
    assert cae.layout_[0].kind == "binary"  # sigmoid output, cross-entropy
    recon = cae.inverse_transform(cae.transform(X[:5]))
    assert recon.shape == (5, 784)
    assert ((recon >= 0) & (recon <= 1)).all()


def test_explicit_multichannel_shape_and_non_square_default(rng):
    X = rng.randn(30, 3 * 5 * 7)
    cae = ConvAE(3, input_shape=(3, 5, 7), channels=(4,), max_epochs=2, random_state=0).fit(X)
    assert cae.input_shape_ == (3, 5, 7)
    assert cae.transform(X).shape == (30, 3)
    flat = ConvAE(3, channels=(4,), max_epochs=1, random_state=0).fit(rng.randn(30, 13))
    assert flat.input_shape_ == (1, 1, 13)  # not a square: a 1-D signal


@pytest.mark.parametrize(
    "params, match",
    [
        ({"input_shape": (1, 8, 8)}, r"input_shape=\(1, 8, 8\) holds 64 values .* X has 65"),
        ({"input_shape": (1, 65)}, "three positive integers"),
        ({"channels": (4, 0)}, "channels must contain positive integers"),
        ({"kernel_size": 4}, "kernel_size must be odd"),
    ],
)
def test_bad_shapes_raise_clear_errors(rng, params, match):
    with pytest.raises(ValueError, match=match):
        ConvAE(2, max_epochs=1, **params).fit(rng.randn(10, 65))
