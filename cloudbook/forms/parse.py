"""Reading a code cell's form annotations: ``#@title``, ``#@markdown`` and ``#@param``.

The rules are line based (as Colab's are) and never raise: a line whose annotation is
malformed becomes a field with an ``error`` note, and the rest of the cell still parses.
Mirrored in frontend/src/forms/parse.ts; tests/forms/corpus.json holds both to it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cloudbook.forms.literals import (
    NotALiteral,
    Scalar,
    in_range,
    is_integral,
    is_number,
    is_valid_date,
    parse_scalar,
)
from cloudbook.forms.model import (
    FIELD_TYPES,
    FieldType,
    Form,
    FormError,
    FormField,
    FormItem,
    MarkdownItem,
    TitleOptions,
)
from cloudbook.forms.options import SpecError, parse_object, parse_param_spec

WS = " \t\f"
_TITLE = re.compile(r"#[ \t]*@title(?=$|[ \t\f{])")
_MARKDOWN = re.compile(r"#[ \t]*@markdown(?=$|[ \t\f])")
_PARAM = re.compile(r"#[ \t]*@param(?=$|[ \t\f\[{])")
# A Python identifier as `\w` sees it (the browser uses the matching \p{L}\p{N} classes).
_NAME = r"[^\W\d]\w*"
_ASSIGN = re.compile(rf"[ \t\f]*(?P<name>{_NAME})[ \t\f]*(?P<eq>=)(?!=)[ \t\f]*")
_NAME_AT_START = re.compile(rf"[ \t\f]*({_NAME})")
_DISPLAY_MODES = ("form", "both", "code")
NOT_ASSIGNMENT = 'expected "name = value" before #@param'


def split_lines(source: str) -> list[str]:
    """Lines as the form sees them: split on \\n, a trailing \\r is not content."""
    return [line[:-1] if line.endswith("\r") else line for line in source.split("\n")]


@dataclass(frozen=True)
class ParamLine:
    """A field plus where its value sits in the line, for rewriting."""

    field: FormField
    value_start: int
    value_end: int
    eq_end: int  # just after "=", -1 when the line is no assignment
    annotation_ok: bool


@dataclass
class _Annotation:
    type: FieldType = "raw"
    options: list[Scalar] | None = None
    allow_input: bool = False
    min: int | float | None = None
    max: int | float | None = None
    step: int | float | None = None
    placeholder: str | None = None
    error: str | None = None

    def note(self, message: str) -> None:
        # Only the first problem is reported: one short message per line.
        if self.error is None:
            self.error = message


def find_comment(line: str) -> int:
    """Index of the first ``#`` outside string literals, -1 if none (or a string never ends)."""
    i = 0
    n = len(line)
    while i < n:
        ch = line[i]
        if ch == "#":
            return i
        if ch in "'\"":
            closing = ch * 3 if line.startswith(ch * 3, i) else ch
            j = i + len(closing)
            while j < n and not line.startswith(closing, j):
                j += 2 if line[j] == "\\" else 1
            if j >= n:
                return -1
            i = j + len(closing)
            continue
        i += 1
    return -1


def _number_option(ann: _Annotation, obj: dict[str, Scalar], key: str) -> int | float | None:
    value = obj.get(key)
    if value is None:
        return None
    if not is_number(value):
        ann.note(f'option "{key}" must be a number')
        return None
    assert isinstance(value, int | float)
    return value


def _annotation(spec: str) -> _Annotation:
    ann = _Annotation()
    try:
        choices, parsed = parse_param_spec(spec)
    except SpecError as exc:
        ann.note(str(exc))
        return ann
    obj = parsed or {}
    declared = obj.get("type")
    if "type" in obj:
        if not isinstance(declared, str):
            ann.note('option "type" must be a string')
        elif declared not in FIELD_TYPES:
            ann.note(f'unknown type "{declared}"')
        else:
            ann.type = FIELD_TYPES[FIELD_TYPES.index(declared)]
    elif choices is not None and all(isinstance(c, str) for c in choices):
        ann.type = "string"
    allow = obj.get("allow-input", False)
    if isinstance(allow, bool):
        ann.allow_input = allow
    else:
        ann.note('option "allow-input" must be true or false')
    placeholder = obj.get("placeholder")
    if placeholder is None or isinstance(placeholder, str):
        ann.placeholder = placeholder
    else:
        ann.note('option "placeholder" must be a string')
    if choices is not None:
        ann.options = choices
        if ann.type in ("boolean", "date", "slider"):
            ann.note(f'type "{ann.type}" cannot have dropdown options')
        elif ann.type == "string" and not all(isinstance(c, str) for c in choices):
            ann.note("dropdown options must be strings")
        elif ann.type == "number" and not all(is_number(c) for c in choices):
            ann.note("dropdown options must be numbers")
        elif ann.type == "integer" and not all(is_integral(c) for c in choices):
            ann.note("dropdown options must be integers")
        if not choices and not ann.allow_input:
            ann.note("dropdown has no options")
    if ann.type == "slider":
        ann.min = _number_option(ann, obj, "min")
        ann.max = _number_option(ann, obj, "max")
        ann.step = _number_option(ann, obj, "step")
        if ann.min is None or ann.max is None:
            ann.note("slider needs min and max")
        elif not ann.min < ann.max:
            ann.note("slider min must be less than max")
        if ann.step is None:
            ann.step = 1
        elif ann.step <= 0:
            ann.note("slider step must be positive")
    return ann


_VALUE_MESSAGES: dict[str, str] = {
    "string": "value must be a string literal",
    "date": "value must be a date string 'YYYY-MM-DD'",
    "boolean": "value must be True or False",
    "number": "value must be a number",
    "slider": "value must be a number",
    "integer": "value must be an integer",
}


def check_value(ftype: FieldType, raw: str) -> tuple[Scalar, str | None]:
    """The value of ``raw`` for a field of type ``ftype``, or ``(None, message)``."""
    if raw == "":
        return None, "missing value"
    if ftype == "raw":
        return raw, None
    try:
        value = parse_scalar(raw)
    except NotALiteral:
        return None, _VALUE_MESSAGES[ftype]
    if ftype == "string":
        ok = isinstance(value, str)
    elif ftype == "date":
        ok = isinstance(value, str) and (value == "" or is_valid_date(value))
    elif ftype == "boolean":
        ok = isinstance(value, bool)
    elif ftype == "integer":
        ok = type(value) is int
    else:
        ok = is_number(value)
    if not ok:
        return None, _VALUE_MESSAGES[ftype]
    if isinstance(value, int | float) and not isinstance(value, bool) and not in_range(value):
        return None, "number out of range"
    return value, None


def scan_param(line: str, line_no: int) -> ParamLine | None:
    """The field on ``line`` if its first comment is a ``#@param`` annotation."""
    if line.lstrip(WS).startswith("#"):
        return None
    hash_at = find_comment(line)
    if hash_at < 0:
        return None
    marker = _PARAM.match(line, hash_at)
    if not marker:
        return None
    code = line[:hash_at]
    ann = _annotation(line[marker.end() :])
    assign = _ASSIGN.match(code)
    if assign:
        name = assign.group("name")
        start = assign.end()
        end = max(start, len(code.rstrip(WS)))
        eq_end = assign.end("eq")
        error = ann.error
    else:
        first = _NAME_AT_START.match(code)
        name = first.group(1) if first else ""
        start = end = eq_end = -1
        error = NOT_ASSIGNMENT
    raw = code[start:end] if assign else ""
    value: Scalar = None
    if error is None:
        value, error = check_value(ann.type, raw)
    field = FormField(
        line=line_no,
        name=name,
        type=ann.type,
        value=value,
        raw_value=raw,
        options=ann.options,
        allow_input=ann.allow_input,
        min=ann.min,
        max=ann.max,
        step=ann.step,
        placeholder=ann.placeholder,
        error=error,
    )
    return ParamLine(field, start, end, eq_end, assign is not None and ann.error is None)


def _title(rest: str) -> tuple[str, TitleOptions, str | None]:
    trimmed = rest.rstrip(WS)
    obj: dict[str, Scalar] = {}
    ann = _Annotation()
    brace = trimmed.rfind("{")
    if trimmed.endswith("}") and brace >= 0:
        text = trimmed[:brace].strip(WS)
        try:
            obj = parse_object(trimmed[brace:])
        except SpecError as exc:
            ann.note(str(exc))
    else:
        text = trimmed.strip(WS)
    run = obj.get("run")
    if run is not None and not isinstance(run, str):
        ann.note('option "run" must be a string')
        run = None
    mode = obj.get("display-mode")
    if mode is not None and mode not in _DISPLAY_MODES:
        ann.note('display-mode must be "form", "both" or "code"')
        mode = None
    vertical = obj.get("vertical-output")
    if vertical is not None and not isinstance(vertical, bool):
        ann.note('option "vertical-output" must be true or false')
        vertical = None
    width = obj.get("form-width")
    if width is not None and not isinstance(width, str):
        ann.note('option "form-width" must be a string')
        width = None
    options = TitleOptions(
        run=run if isinstance(run, str) else None,
        display_mode=mode if isinstance(mode, str) else None,
        vertical_output=vertical if isinstance(vertical, bool) else None,
        form_width=width if isinstance(width, str) else None,
    )
    return text, options, ann.error


def parse_cell(source: str) -> Form:
    """The form a code cell's annotations describe (an empty Form when it has none)."""
    title: str | None = None
    title_line: int | None = None
    title_options = TitleOptions()
    items: list[FormItem] = []
    errors: list[FormError] = []
    for line_no, line in enumerate(split_lines(source)):
        stripped = line.lstrip(WS)
        if stripped.startswith("#"):
            if m := _TITLE.match(stripped):
                if title is not None:
                    errors.append(FormError(line_no, "duplicate #@title"))
                    continue
                title, title_options, error = _title(stripped[m.end() :])
                title_line = line_no
                if error:
                    errors.append(FormError(line_no, error))
            elif m := _MARKDOWN.match(stripped):
                rest = stripped[m.end() :]
                items.append(MarkdownItem(line_no, rest[1:] if rest[:1] in (" ", "\t") else rest))
            continue
        param = scan_param(line, line_no)
        if param is not None:
            items.append(param.field)
            if param.field.error:
                errors.append(FormError(line_no, param.field.error))
    return Form(title, title_line, title_options, tuple(items), tuple(errors))
