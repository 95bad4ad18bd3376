"""cloudbook.forms beyond the shared corpus: the Python-only helpers and robustness."""

from __future__ import annotations

import random

import pytest

from cloudbook.forms import (
    FormValueError,
    apply_cli_params,
    coerce_cli_value,
    parse_cell,
    rewrite_value,
)

CELL = (
    "#@title Train {run: 'auto'}\r\n"
    "#@markdown Settings\r\n"
    'lr = 0.1 #@param {type:"number"}\r\n'
    '    epochs = 3  # @param {"type":"slider","min":1,"max":10}\r\n'
    'name = "run" #@param ["run", "test"]\r\n'
    'flag = False #@param {type:"boolean"}\r\n'
    "print(lr)\r\n"
)


def test_form_helpers() -> None:
    form = parse_cell(CELL)
    assert form.is_form
    assert [f.name for f in form.fields] == ["lr", "epochs", "name", "flag"]
    epochs = form.field("epochs")
    assert epochs is not None and epochs.value == 3 and epochs.line == 3
    assert form.field("missing") is None
    assert not parse_cell("print(1)\n# just a comment").is_form


def test_apply_cli_params_sets_each_named_field() -> None:
    source, used = apply_cli_params(
        CELL, {"lr": "1e-3", "epochs": "7", "name": "test", "flag": "yes", "other": "1"}
    )
    assert used == ["lr", "epochs", "name", "flag"]
    assert source == (
        CELL.replace("lr = 0.1 ", "lr = 0.001 ")
        .replace("epochs = 3 ", "epochs = 7 ")
        .replace('name = "run"', 'name = "test"')
        .replace("flag = False", "flag = True")
    )
    assert parse_cell(source).errors == ()


def test_apply_cli_params_rejects_bad_values() -> None:
    with pytest.raises(FormValueError, match="epochs: must be between 1 and 10"):
        apply_cli_params(CELL, {"epochs": "70"})
    with pytest.raises(FormValueError, match="name: not one of the dropdown options"):
        apply_cli_params(CELL, {"name": "prod"})


def test_apply_cli_params_sets_a_name_on_every_line() -> None:
    cell = "x = 1 #@param {type:'integer'}\nx = 2 #@param {type:'integer'}"
    source, used = apply_cli_params(cell, {"x": "5"})
    assert used == ["x"]
    assert source == "x = 5 #@param {type:'integer'}\nx = 5 #@param {type:'integer'}"


def test_coerce_keeps_raw_text_and_strings_verbatim() -> None:
    field = parse_cell("s = 'a' #@param {type:'string'}").fields[0]
    assert coerce_cli_value(field, "  spaced  ") == "  spaced  "
    raw = parse_cell("r = None #@param {type:'raw'}").fields[0]
    assert coerce_cli_value(raw, "dict(a=1)") == "dict(a=1)"


def test_rewrite_failure_leaves_nothing_changed() -> None:
    # Strings are immutable, but make sure the call raises instead of returning a new one.
    with pytest.raises(FormValueError):
        rewrite_value(CELL, 2, "not a number")
    with pytest.raises(FormValueError, match="line -1 does not exist"):
        rewrite_value(CELL, -1, 1)


def test_round_trip_of_written_strings() -> None:
    cell = "s = '' #@param {type:'string'}"
    texts = ["", "it's", 'say "hi"', "back\\slash", "tab\there", "\u00a0\u200b\U0001f600", "\0"]
    for text in texts:
        field = parse_cell(rewrite_value(cell, 0, text)).fields[0]
        assert field.error is None and field.value == text


def test_parse_never_raises_on_mangled_cells() -> None:
    rnd = random.Random(7)
    pieces = (
        "#@param|# @param|#@title|#@markdown|{|}|[|]|'|\"|\\|:|,|=|x| |type|min|1e999|-|\r|\n|é"
    )
    pieces += '|"slider"|\t'
    parts = pieces.split("|")
    for _ in range(3000):
        source = "".join(rnd.choice(parts) for _ in range(rnd.randint(0, 30)))
        form = parse_cell(source)
        assert form.to_json()["items"] is not None
        for field in form.fields:
            try:
                rewrite_value(source, field.line, "1")
            except FormValueError:
                pass
