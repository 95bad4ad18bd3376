"""`python -m bench.publish`: render a published page / Download .html, and print a PDF,
beside what a Jupyter user would otherwise run (nbconvert's HTML exporter, and that HTML
printed by the same headless Chromium, which is what `--to webpdf` does).

Same notebook for both: ``big_notebook(cells)`` (code cells with text output each).
Prints medians and the ratios (ours / nbconvert's; below 1 is faster).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Callable
from typing import Any

from bench.notebooks import big_notebook


def _median_ms(fn: Callable[[], Any], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cells", type=int, default=200)
    parser.add_argument("--output-bytes", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pdf-runs", type=int, default=3)
    parser.add_argument("--chromium", default="chromium")
    args = parser.parse_args()

    import nbformat
    from nbconvert import HTMLExporter

    from cloudbook.export.page import render_page
    from cloudbook.export.pdf import html_to_pdf

    content = big_notebook(args.cells, args.output_bytes)
    node = nbformat.from_dict(content)
    exporter = HTMLExporter()
    exporter.from_notebook_node(node)  # template loading happens once, as in a server

    ours = _median_ms(lambda: render_page("bench.ipynb", content), args.runs)
    theirs = _median_ms(lambda: exporter.from_notebook_node(node), args.runs)
    print(
        f"html  cloudbook {ours:8.1f} ms   nbconvert {theirs:8.1f} ms   ratio {ours / theirs:.2f}"
    )

    static = render_page("bench.ipynb", content, static=True)
    nbc_html, _ = exporter.from_notebook_node(node)

    def pdf(html: str) -> Callable[[], Any]:
        return lambda: asyncio.run(html_to_pdf(html, args.chromium, 120))

    ours = _median_ms(pdf(static), args.pdf_runs)
    theirs = _median_ms(lambda: (exporter.from_notebook_node(node), pdf(nbc_html)()), args.pdf_runs)
    print(
        f"pdf   cloudbook {ours:8.1f} ms   nbconvert html + the same print {theirs:8.1f} ms"
        f"   ratio {ours / theirs:.2f}"
    )


if __name__ == "__main__":
    main()
