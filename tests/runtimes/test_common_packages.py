"""Colab's common packages are importable and work in every runtime (docs/runtime.md)."""

from __future__ import annotations

import json

import pytest

from tests.runtimes.conftest import SANDBOXES, Runtimes, run

pytestmark = pytest.mark.timeout(240)

# Each line: a small piece of real work, its result checked below.
PROBE = r"""
import json
import numpy as np, pandas as pd, scipy.stats, sklearn.linear_model, seaborn as sns
import requests, PIL.Image, cv2, altair as alt, six, tqdm, ipywidgets, matplotlib
import google.auth
from vega_datasets import data as vega
from google.colab import auth, userdata
x = np.arange(10.0)
model = sklearn.linear_model.LinearRegression().fit(x.reshape(-1, 1), 3 * x + 1)
img = np.zeros((4, 4, 3), np.uint8); img[..., 2] = 255
cars = vega.cars()  # bundled with the package: no network
ax = sns.histplot(pd.Series(x))
print(json.dumps({
    "norm": float(scipy.stats.norm.cdf(0)),
    "slope": round(float(model.coef_[0]), 6),
    "gray": int(cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)[0, 0]),
    "pil": PIL.Image.fromarray(img).size,
    "chart": alt.Chart(cars).mark_point().encode(x="Horsepower").to_dict()["mark"]["type"],
    "cars": len(cars) > 100,
    "seaborn_bars": len(ax.patches) > 0,
    "requests": bool(requests.__version__), "six": six.PY3,
}))
"""


@pytest.mark.parametrize("sandbox", SANDBOXES)
async def test_common_packages_work(runtimes: Runtimes, sandbox: str) -> None:
    runtime = await runtimes.start(runtimes.provider(sandbox))  # type: ignore[arg-type]
    kernel = await runtimes.kernel(runtime)
    out = json.loads((await run(kernel, PROBE, timeout=180)).strip().splitlines()[-1])
    assert out == {
        "norm": 0.5,
        "slope": 3.0,
        "gray": 76,
        "pil": [4, 4],
        "chart": "point",
        "cars": True,
        "seaborn_bars": True,
        "requests": True,
        "six": True,
    }
