"""The shared corpus (tests/forms/corpus.json) against cloudbook.forms.

frontend/tests/forms.test.ts runs the same cases against the browser's implementation.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from cloudbook.forms import FormValueError, coerce_cli_value, parse_cell, rewrite_value
from cloudbook.forms.literals import NotALiteral, format_literal, in_range, parse_scalar

CORPUS: dict[str, Any] = json.loads(
    (Path(__file__).with_name("corpus.json")).read_text(encoding="utf-8")
)
CELLS: list[dict[str, Any]] = CORPUS["cells"]
PARAM_DEFAULTS: dict[str, Any] = {
    "kind": "param",
    "options": None,
    "allow_input": False,
    "min": None,
    "max": None,
    "step": None,
    "placeholder": None,
    "error": None,
}
TITLE_DEFAULTS: dict[str, Any] = {
    "run": None,
    "display_mode": None,
    "vertical_output": None,
    "form_width": None,
}


def expected_form(case: dict[str, Any]) -> dict[str, Any]:
    items = [
        item if item.get("kind") == "markdown" else {**PARAM_DEFAULTS, **item}
        for item in case["items"]
    ]
    errors = case.get("errors")
    if errors is None:
        errors = [
            {"line": item["line"], "message": item["error"]}
            for item in items
            if item["kind"] == "param" and item["error"] is not None
        ]
    return {
        "title": case.get("title"),
        "title_line": case.get("title_line"),
        "title_options": {**TITLE_DEFAULTS, **case.get("title_options", {})},
        "items": items,
        "errors": errors,
    }


def same(a: Any, b: Any) -> bool:
    """JSON equality where 2 and 2.0 agree (JSON, and the browser, cannot tell them apart)
    but True is not 1."""
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


def test_corpus_size() -> None:
    annotated = [c for c in CELLS if c["items"] or c.get("title") is not None]
    assert len(annotated) >= 80
    assert sum(len(c.get("rewrites", [])) for c in CELLS) >= 50


@pytest.mark.parametrize("case", CELLS, ids=[c["name"] for c in CELLS])
def test_parse(case: dict[str, Any]) -> None:
    got = parse_cell(case["source"]).to_json()
    want = expected_form(case)
    assert same(got, want), (got, want)
    # The JSON the browser receives round-trips.
    assert same(json.loads(json.dumps(got)), want)


REWRITES = [(c, r) for c in CELLS for r in c.get("rewrites", [])]


@pytest.mark.parametrize(
    ("case", "rewrite"), REWRITES, ids=[f"{c['name']}: {r['value']!r}" for c, r in REWRITES]
)
def test_rewrite(case: dict[str, Any], rewrite: dict[str, Any]) -> None:
    source = case["source"]
    if "error" in rewrite:
        with pytest.raises(FormValueError) as info:
            rewrite_value(source, rewrite["line"], rewrite["value"])
        assert str(info.value) == rewrite["error"]
        return
    result = rewrite_value(source, rewrite["line"], rewrite["value"])
    assert result == rewrite["expect"]
    # Only that line changed, and it still parses to a field without error.
    before, after = source.split("\n"), result.split("\n")
    assert len(before) == len(after)
    assert [b for i, b in enumerate(before) if i != rewrite["line"]] == [
        a for i, a in enumerate(after) if i != rewrite["line"]
    ]
    field = next(f for f in parse_cell(result).fields if f.line == rewrite["line"])
    assert field.error is None


CLI = [(c, x) for c in CELLS for x in c.get("cli", [])]


@pytest.mark.parametrize(("case", "entry"), CLI, ids=[f"{c['name']}: {x['text']}" for c, x in CLI])
def test_cli(case: dict[str, Any], entry: dict[str, Any]) -> None:
    field = next(f for f in parse_cell(case["source"]).fields if f.line == entry["line"])
    if "error" in entry:
        with pytest.raises(FormValueError) as info:
            coerce_cli_value(field, entry["text"])
        assert str(info.value) == entry["error"]
        return
    value = coerce_cli_value(field, entry["text"])
    assert same(value, entry["value"])
    rewrite_value(case["source"], entry["line"], value)


def _kind(value: object) -> str:
    return {str: "str", int: "int", float: "float", bool: "bool", type(None): "none"}[type(value)]


@pytest.mark.parametrize(
    "case", CORPUS["literals"], ids=[ascii(c["text"])[:40] for c in CORPUS["literals"]]
)
def test_literal(case: dict[str, Any]) -> None:
    if case.get("invalid"):
        with pytest.raises(NotALiteral):
            parse_scalar(case["text"])
        return
    value = parse_scalar(case["text"])
    assert _kind(value) == case["kind"]
    if case.get("out_of_range"):
        assert isinstance(value, int | float) and not in_range(value)
        return
    assert same(value, case["value"])
    if isinstance(value, float) and value == 0:
        assert math.copysign(1, value) == math.copysign(1, case["value"])


@pytest.mark.parametrize(
    "case", CORPUS["formats"], ids=[repr(c["value"]) for c in CORPUS["formats"]]
)
def test_format(case: dict[str, Any]) -> None:
    text = format_literal(case["value"], case["prefer"])
    assert text == case["expect"]
    if not isinstance(case["value"], list):
        # What we write reads back as the same value.
        assert same(parse_scalar(text), case["value"])
