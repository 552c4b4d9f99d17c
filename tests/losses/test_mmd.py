"""The MMD estimate between two samples."""

import pytest
import torch

from skgen.losses import mmd


@pytest.mark.parametrize("kernel", ["imq", "rbf"])
def test_mmd_of_a_sample_with_itself_is_about_zero(kernel):
    x = torch.randn(300, 4, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    value = mmd(x, x, kernel=kernel).item()
    # The unbiased estimate is exactly -2 (mean k(x_i, x_i) - mean k(x_i, x_j)) / n:
    # O(1/n) for a sum of 7 kernels bounded by 1 (here within 14 / n).
    assert abs(value) < 14 / len(x)
    assert abs(value) < 0.05 * mmd(x, x + 1.0, kernel=kernel).item()


@pytest.mark.parametrize("kernel", ["imq", "rbf"])
def test_mmd_is_small_for_equal_distributions_and_grows_with_a_shift(kernel):
    gen = torch.Generator().manual_seed(1)
    x = torch.randn(300, 4, generator=gen, dtype=torch.float64)
    y = torch.randn(300, 4, generator=gen, dtype=torch.float64)
    values = [mmd(x, y + shift, kernel=kernel).item() for shift in (0.0, 0.25, 0.5, 1.0, 2.0)]
    assert abs(values[0]) < 0.1 * values[2]
    assert values == sorted(values)
    assert values[-1] > 100 * abs(values[0])


def test_mmd_detects_a_change_of_scale():
    gen = torch.Generator().manual_seed(2)
    x = torch.randn(300, 3, generator=gen, dtype=torch.float64)
    y = 2.0 * torch.randn(300, 3, generator=gen, dtype=torch.float64)
    assert mmd(x, y).item() > 0.05


def test_mmd_validates_its_input():
    x = torch.randn(5, 2)
    with pytest.raises(ValueError, match="kernel"):
        mmd(x, x, kernel="laplace")
    with pytest.raises(ValueError, match="two samples"):
        mmd(x[:1], x)
