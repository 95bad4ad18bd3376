"""Writing a form field's new value back into the cell source.

Only the value's characters on that one line change; indentation, the spacing before the
comment, the annotation, the other lines and their line endings are kept byte for byte.
Mirrored in frontend/src/forms/rewrite.ts.
"""

from __future__ import annotations

from collections.abc import Mapping

from cloudbook.forms.literals import (
    MAX_SAFE_INT,
    NotALiteral,
    Scalar,
    format_literal,
    format_number,
    format_string,
    in_range,
    is_integral,
    is_number,
    is_valid_date,
    parse_scalar,
    quote_of,
)
from cloudbook.forms.model import FormField, FormValueError
from cloudbook.forms.parse import WS, parse_cell, scan_param

_TRUE = ("true", "1", "yes", "on")
_FALSE = ("false", "0", "no", "off")


def _number(field: FormField, value: object) -> tuple[int | float, str]:
    """The number a numeric field gets, and its source text."""
    name = field.name
    integer = field.type == "integer"
    expected = f"{name}: expected an integer" if integer else f"{name}: expected a number"
    if isinstance(value, str):
        # Text (as typed into the form) is kept as written, once it proves a number.
        text = value.strip(WS)
        try:
            parsed = parse_scalar(text)
        except NotALiteral as exc:
            raise FormValueError(expected) from exc
        if not (type(parsed) is int if integer else is_number(parsed)):
            raise FormValueError(expected)
        assert isinstance(parsed, int | float)
        number, literal = parsed, text
    elif is_number(value) and (is_integral(value) or not integer):
        assert isinstance(value, int | float)
        number, literal = value, ""
    else:
        raise FormValueError(expected)
    if not in_range(number) or (integer and abs(number) > MAX_SAFE_INT):
        raise FormValueError(f"{name}: number out of range")
    if field.type == "slider" and field.min is not None and field.max is not None:
        if not field.min <= number <= field.max:
            low, high = format_number(field.min), format_number(field.max)
            raise FormValueError(f"{name}: must be between {low} and {high}")
    if field.options is not None and not field.allow_input:
        if not any(is_number(o) and o == number for o in field.options):
            raise FormValueError(f"{name}: not one of the dropdown options")
    return number, literal or format_number(number)


def _raw(field: FormField, value: object) -> str:
    name = field.name
    if isinstance(value, str):
        code = value.strip(WS)
    else:
        try:
            code = format_literal(value)
        except ValueError as exc:
            raise FormValueError(f"{name}: expected Python source text") from exc
    if "\n" in code or "\r" in code:
        raise FormValueError(f"{name}: raw value must be one line")
    if not code:
        raise FormValueError(f"{name}: raw value must not be empty")
    if field.options is not None and not field.allow_input:
        codes = [o if isinstance(o, str) else format_literal(o) for o in field.options]
        if code not in codes:
            raise FormValueError(f"{name}: not one of the dropdown options")
    return code


def format_value(field: FormField, value: object) -> str:
    """The source text ``value`` becomes in ``field``; FormValueError when it does not fit."""
    name = field.name
    quote = quote_of(field.raw_value)
    if field.type == "raw":
        return _raw(field, value)
    if field.type in ("number", "integer", "slider"):
        return _number(field, value)[1]
    if field.type == "boolean":
        if not isinstance(value, bool):
            raise FormValueError(f"{name}: expected True or False")
        return "True" if value else "False"
    if field.type == "date":
        if not isinstance(value, str) or not (value == "" or is_valid_date(value)):
            raise FormValueError(f"{name}: expected a date 'YYYY-MM-DD'")
        return format_string(value, quote)
    if not isinstance(value, str):
        raise FormValueError(f"{name}: expected a string")
    if field.options is not None and not field.allow_input and value not in field.options:
        raise FormValueError(f"{name}: not one of the dropdown options")
    return format_string(value, quote)


def rewrite_value(source: str, line: int, new_value: object) -> str:
    """``source`` with the value of the field on ``line`` (0-based) set to ``new_value``.

    Strings are written as Python literals (in the quote the line already used where
    possible), numbers as literals (text given for a numeric field is kept as typed),
    booleans as True/False, raw text verbatim. Raises FormValueError, changing nothing,
    when the line has no usable field or the value does not fit it.
    """
    lines = source.split("\n")
    if not 0 <= line < len(lines):
        raise FormValueError(f"line {line} does not exist")
    text = lines[line]
    ending = "\r" if text.endswith("\r") else ""
    content = text[: len(text) - len(ending)]
    param = scan_param(content, line)
    if param is None:
        raise FormValueError(f"line {line} has no #@param field")
    if not param.annotation_ok:
        raise FormValueError(f"line {line}: {param.field.error}")
    literal = format_value(param.field, new_value)
    start, end = param.value_start, param.value_end
    if start == end:
        # No value yet ("x = #@param"): put one blank either side of it.
        updated = content[: param.eq_end] + " " + literal + " " + content[end:]
    else:
        updated = content[:start] + literal + content[end:]
    check = scan_param(updated, line)
    if check is None or check.field.error or check.field.raw_value != literal:
        raise FormValueError(f"{param.field.name}: value would break the #@param line")
    lines[line] = updated + ending
    return "\n".join(lines)


def coerce_cli_value(field: FormField, text: str) -> Scalar:
    """The value a command-line ``-p name=text`` gives ``field``; FormValueError if unfit.

    Strings, dates and raw code are taken as written (no quotes needed); numbers must be
    Python number literals; booleans accept true/false, 1/0, yes/no, on/off.
    """
    value: Scalar
    if field.type == "boolean":
        word = text.strip(WS).lower()
        if word not in _TRUE + _FALSE:
            raise FormValueError(f"{field.name}: expected true or false")
        value = word in _TRUE
    elif field.type in ("number", "integer", "slider"):
        value = _number(field, text)[0]
    else:
        value = text
    format_value(field, value)
    return value


def apply_cli_params(source: str, params: Mapping[str, str]) -> tuple[str, list[str]]:
    """Set every field of the cell named in ``params``; returns the source and names set.

    A name that occurs on several lines is set on each of them.
    """
    used: list[str] = []
    for field in parse_cell(source).fields:
        if field.name in params:
            value = coerce_cli_value(field, params[field.name])
            source = rewrite_value(source, field.line, value)
            if field.name not in used:
                used.append(field.name)
    return source, used
