"""The option syntax after ``#@param`` and ``#@title``: ``[choices]`` and ``{key: value}``.

Colab notebooks use two spellings of the same thing, the older JavaScript-object style
(``{type:"slider", min:0, max:10}``, bare keys, either quote) and the newer JSON style
(``{"type":"slider","min":0,"max":10}``). One small tokenizer reads both; nothing is
evaluated. Values are strings, numbers, ``true``/``false`` (also ``True``/``False``) and
``null``/``None``; trailing commas are tolerated. Mirrored in frontend/src/forms/options.ts.
"""

from __future__ import annotations

import re

from cloudbook.forms.literals import NotALiteral, Scalar, in_range, parse_scalar

BAD_OBJECT = "invalid option syntax"
BAD_LIST = "invalid dropdown list"
TRAILING = "unexpected text after #@param"
OUT_OF_RANGE = "number out of range"

_WS = " \t\f"
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_WORDS: dict[str, Scalar] = {
    "true": True,
    "True": True,
    "false": False,
    "False": False,
    "null": None,
    "None": None,
}


class SpecError(ValueError):
    """The annotation's option text does not parse; ``str(exc)`` is the short message."""


class _Scanner:
    def __init__(self, text: str, pos: int = 0) -> None:
        self.text = text
        self.pos = pos

    def skip_ws(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in _WS:
            self.pos += 1

    def peek(self) -> str:
        return self.text[self.pos : self.pos + 1]

    def at_end(self) -> bool:
        return self.pos >= len(self.text)

    def string(self, message: str) -> str:
        quote = self.text[self.pos]
        i = self.pos + 1
        while i < len(self.text) and self.text[i] != quote:
            i += 2 if self.text[i] == "\\" else 1
        if i >= len(self.text):
            raise SpecError(message)
        token = self.text[self.pos : i + 1]
        self.pos = i + 1
        try:
            value = parse_scalar(token)
        except NotALiteral as exc:
            raise SpecError(message) from exc
        if not isinstance(value, str):
            raise SpecError(message)
        return value

    def value(self, message: str) -> Scalar:
        ch = self.peek()
        if ch in ("'", '"'):
            return self.string(message)
        m = _NUMBER.match(self.text, self.pos)
        if m:
            self._end_of_word(m.end(), message)
            self.pos = m.end()
            token = m.group()
            number: int | float = float(token) if any(c in token for c in ".eE") else int(token)
            if not in_range(number):
                raise SpecError(OUT_OF_RANGE)
            return number
        m = _KEY.match(self.text, self.pos)
        if m and m.group() in _WORDS:
            self.pos = m.end()
            return _WORDS[m.group()]
        raise SpecError(message)

    def _end_of_word(self, end: int, message: str) -> None:
        nxt = self.text[end : end + 1]
        if nxt and (nxt.isascii() and (nxt.isalnum() or nxt in "_.")):
            raise SpecError(message)

    def key(self) -> str:
        if self.peek() in ("'", '"'):
            return self.string(BAD_OBJECT)
        m = _KEY.match(self.text, self.pos)
        if not m:
            raise SpecError(BAD_OBJECT)
        self.pos = m.end()
        return m.group()

    def list_(self) -> list[Scalar]:
        """``[v, v, ...]`` starting at ``[``."""
        self.pos += 1
        items: list[Scalar] = []
        while True:
            self.skip_ws()
            if self.peek() == "]":
                self.pos += 1
                return items
            items.append(self.value(BAD_LIST))
            self.skip_ws()
            if self.peek() == ",":
                self.pos += 1
            elif self.peek() != "]":
                raise SpecError(BAD_LIST)

    def object_(self) -> dict[str, Scalar]:
        """``{key: v, ...}`` starting at ``{``; a repeated key keeps its last value."""
        self.pos += 1
        obj: dict[str, Scalar] = {}
        while True:
            self.skip_ws()
            if self.peek() == "}":
                self.pos += 1
                return obj
            key = self.key()
            self.skip_ws()
            if self.peek() != ":":
                raise SpecError(BAD_OBJECT)
            self.pos += 1
            self.skip_ws()
            obj[key] = self.value(BAD_OBJECT)
            self.skip_ws()
            if self.peek() == ",":
                self.pos += 1
            elif self.peek() != "}":
                raise SpecError(BAD_OBJECT)


def parse_param_spec(spec: str) -> tuple[list[Scalar] | None, dict[str, Scalar] | None]:
    """What follows ``@param``: an optional choice list and an optional object, either order."""
    scanner = _Scanner(spec)
    choices: list[Scalar] | None = None
    obj: dict[str, Scalar] | None = None
    while True:
        scanner.skip_ws()
        if scanner.at_end():
            return choices, obj
        ch = scanner.peek()
        if ch == "[" and choices is None:
            choices = scanner.list_()
        elif ch == "{" and obj is None:
            obj = scanner.object_()
        else:
            raise SpecError(TRAILING)


def parse_object(text: str) -> dict[str, Scalar]:
    """Exactly one ``{...}`` object (surrounding blanks allowed), as ``#@title`` uses."""
    scanner = _Scanner(text)
    scanner.skip_ws()
    if scanner.peek() != "{":
        raise SpecError(BAD_OBJECT)
    obj = scanner.object_()
    scanner.skip_ws()
    if not scanner.at_end():
        raise SpecError(BAD_OBJECT)
    return obj
