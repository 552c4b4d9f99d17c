"""skgen's optimizers: torch's, without the lazy torch._dynamo import."""

import subprocess
import sys

import pytest
import torch

from skgen._optim import without_dynamo


@pytest.mark.parametrize(
    "cls, kwargs",
    [
        (torch.optim.Adam, {"lr": 0.01, "fused": True}),
        (torch.optim.Adam, {"lr": 0.01, "foreach": True, "betas": (0.5, 0.9)}),
        (torch.optim.AdamW, {"lr": 0.01, "weight_decay": 0.1}),
        (torch.optim.RMSprop, {"lr": 0.01}),
        (torch.optim.SGD, {"lr": 0.01, "momentum": 0.9, "nesterov": True}),
    ],
)
def test_same_updates_as_torch(cls, kwargs):
    lean = without_dynamo(cls)
    assert lean is not cls and issubclass(lean, cls) and lean.__name__ == cls.__name__
    torch.manual_seed(0)
    a = torch.nn.Linear(5, 3)
    b = torch.nn.Linear(5, 3)
    b.load_state_dict(a.state_dict())
    opt_a, opt_b = cls(a.parameters(), **kwargs), lean(b.parameters(), **kwargs)
    x = torch.randn(8, 5)
    for _ in range(3):
        for model, opt in ((a, opt_a), (b, opt_b)):
            opt.zero_grad()
            model(x).pow(2).sum().backward()
            opt.step()
    for p, q in zip(a.parameters(), b.parameters()):
        torch.testing.assert_close(p, q, rtol=0, atol=0)
    assert without_dynamo(torch.optim.LBFGS) is torch.optim.LBFGS


def test_first_fit_does_not_import_dynamo():
    code = (
        "import sys, numpy as np, skgen\n"
        "X = np.random.RandomState(0).randn(60, 4)\n"
        "skgen.Autoencoder(max_epochs=1, random_state=0).fit(X)\n"
        "skgen.WGANGP(max_epochs=1, random_state=0).fit(X)\n"
        "print('torch._dynamo' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "False"
