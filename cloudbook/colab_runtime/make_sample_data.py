"""Regenerate ``sample_data/`` (``python -m cloudbook.colab_runtime.make_sample_data``).

Small synthetic stand-ins for the datasets Colab ships in /content/sample_data,
with the same file names and columns, so tutorials run: reproducible (fixed
seeds), a few hundred rows, well under 1 MB in all.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np

from cloudbook.colab_runtime import SAMPLE_DATA_DIR

HOUSING_COLUMNS = [
    "longitude",
    "latitude",
    "housing_median_age",
    "total_rooms",
    "total_bedrooms",
    "population",
    "households",
    "median_income",
    "median_house_value",
]

# Anscombe's quartet (F. J. Anscombe, 1973): four series with the same summary statistics.
_ANSCOMBE_X = [10.0, 8.0, 13.0, 9.0, 11.0, 14.0, 6.0, 4.0, 12.0, 7.0, 5.0]
ANSCOMBE = {
    "I": (_ANSCOMBE_X, [8.04, 6.95, 7.58, 8.81, 8.33, 9.96, 7.24, 4.26, 10.84, 4.82, 5.68]),
    "II": (_ANSCOMBE_X, [9.14, 8.14, 8.74, 8.77, 9.26, 8.10, 6.13, 3.10, 9.13, 7.26, 4.74]),
    "III": (_ANSCOMBE_X, [7.46, 6.77, 12.74, 7.11, 7.81, 8.84, 6.08, 5.39, 8.15, 6.42, 5.73]),
    "IV": (
        [8.0, 8.0, 8.0, 8.0, 8.0, 8.0, 8.0, 19.0, 8.0, 8.0, 8.0],
        [6.58, 5.76, 7.71, 8.84, 8.47, 7.04, 5.25, 12.50, 5.56, 7.91, 6.89],
    ),
}


def housing(rows: int, seed: int) -> list[list[float]]:
    rng = np.random.default_rng(seed)
    longitude = rng.uniform(-124.3, -114.3, rows)
    # California runs north-west to south-east: latitude follows longitude.
    latitude = np.clip(41.5 - 0.9 * (longitude + 124.3) + rng.normal(0, 1.0, rows), 32.5, 42.0)
    age = rng.integers(1, 53, rows).astype(float)
    rooms = np.round(rng.lognormal(7.7, 0.6, rows))
    bedrooms = np.round(rooms * rng.uniform(0.15, 0.25, rows))
    population = np.round(rooms * rng.uniform(0.8, 1.6, rows))
    households = np.round(population / rng.uniform(2.2, 3.6, rows))
    income = np.round(np.clip(rng.lognormal(1.3, 0.45, rows), 0.5, 15.0), 4)
    coast = np.clip(1.0 - (longitude + 124.3) / 10.0, 0, 1)
    value = np.round(
        np.clip(42000 * income + 90000 * coast + rng.normal(0, 40000, rows), 14999, 500001)
    )
    columns = [longitude, latitude, age, rooms, bedrooms, population, households, income, value]
    table: list[list[float]] = np.round(np.column_stack(columns), 6).tolist()
    return table


def _glyph(digit: int) -> np.ndarray:
    """A 28x28 digit drawn with PIL's built-in font, in MNIST's 0-255 greyscale."""
    from PIL import Image, ImageDraw

    small = Image.new("L", (8, 12), 0)
    ImageDraw.Draw(small).text((1, 0), str(digit), fill=255)
    return np.asarray(small.resize((16, 24), Image.Resampling.BILINEAR), dtype=float)


def mnist(rows: int, seed: int) -> list[list[int]]:
    rng = np.random.default_rng(seed)
    glyphs = [_glyph(d) for d in range(10)]
    out = []
    for i in range(rows):
        label = i % 10
        image = np.zeros((28, 28))
        dy, dx = rng.integers(0, 5), rng.integers(4, 12)
        image[dy : dy + 24, dx : dx + 16] = glyphs[label] * rng.uniform(0.8, 1.0)
        image = np.clip(image + (image > 0) * rng.normal(0, 12, image.shape), 0, 255)
        out.append([label, *np.round(image).astype(int).ravel().tolist()])
    return out


def _write_csv(
    path: Path, header: list[str] | None, rows: list[list[float]] | list[list[int]]
) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        if header:
            writer.writerow(header)
        writer.writerows(rows)


def main(target: Path = SAMPLE_DATA_DIR) -> None:
    target.mkdir(parents=True, exist_ok=True)
    _write_csv(target / "california_housing_train.csv", HOUSING_COLUMNS, housing(600, 1))
    _write_csv(target / "california_housing_test.csv", HOUSING_COLUMNS, housing(200, 2))
    _write_csv(target / "mnist_train_small.csv", None, mnist(100, 3))
    _write_csv(target / "mnist_test.csv", None, mnist(50, 4))
    records = [
        {"Series": name, "X": x, "Y": y}
        for name, (xs, ys) in ANSCOMBE.items()
        for x, y in zip(xs, ys, strict=True)
    ]
    (target / "anscombe.json").write_text(json.dumps(records, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
