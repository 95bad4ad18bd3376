"""Python literals as form fields use them: reading scalars, writing values back.

The browser has its own copy of these rules (frontend/src/forms/literals.ts) and the
shared corpus (tests/forms/corpus.json) holds both to the same answers, so the accepted
grammar is deliberately narrower than ``ast.literal_eval``:

- a string, or several adjacent strings (implicitly concatenated), each with an optional
  ``r``/``u`` prefix, either quote, single or triple, with Python's escapes except
  ``\\N{...}`` (the browser carries no Unicode name table);
- an int (decimal, hex, octal, binary, ``_`` separators) or float, with one optional sign;
- ``True``, ``False``, ``None``.

No parentheses, bytes, f-strings, complex numbers or containers: raw fields never need
their value parsed, and typed fields only ever hold scalars.
"""

from __future__ import annotations

import ast
import io
import math
import tokenize
import unicodedata
import warnings

Scalar = str | int | float | bool | None
# What the browser can hold exactly; bigger integers are rejected on both sides.
MAX_SAFE_INT = 2**53 - 1
# Characters repr() would escape (str.isprintable() is false for these categories).
_ESCAPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Zl", "Zp", "Zs"})
_SIMPLE_ESCAPES = {"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


class NotALiteral(ValueError):
    """The text is not a scalar literal of the form grammar."""


def parse_scalar(text: str) -> Scalar:
    """The value of a scalar literal; raises NotALiteral otherwise.

    Numbers out of range (see ``in_range``) are returned as is, so callers can tell
    "not a number" from "a number too large to keep".
    """
    if not text or text != text.strip(" \t\f"):
        raise NotALiteral(text)
    with warnings.catch_warnings():
        # Unknown escapes such as "\d" warn; Python keeps them verbatim, so do we.
        warnings.simplefilter("ignore")
        try:
            node = ast.parse(text, mode="eval").body
        # ValueError: NUL characters; SyntaxError also covers decimal ints past Python's
        # 4300-digit limit (the browser refuses those too); pathological nesting runs
        # the parser out of memory or recursion.
        except (SyntaxError, ValueError, MemoryError, RecursionError) as exc:
            raise NotALiteral(text) from exc
    end = len(text.encode("utf-8"))
    # The AST forgets parentheses; offsets that do not span the text reveal them.
    if node.col_offset != 0 or node.end_col_offset != end:
        raise NotALiteral(text)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.UAdd | ast.USub):
        operand = node.operand
        if not (
            isinstance(operand, ast.Constant)
            and type(operand.value) in (int, float)
            and operand.end_col_offset == end
        ):
            raise NotALiteral(text)
    elif isinstance(node, ast.Constant):
        if type(node.value) not in (str, int, float, bool, type(None)):
            raise NotALiteral(text)
        if isinstance(node.value, str) and _has_named_escape(text):
            raise NotALiteral(text)
    else:
        raise NotALiteral(text)
    value: Scalar = ast.literal_eval(node)
    return value


def _has_named_escape(text: str) -> bool:
    """Whether a non-raw string token in ``text`` uses a ``\\N{name}`` escape."""
    for tok in tokenize.generate_tokens(io.StringIO(text).readline):
        if tok.type != tokenize.STRING:
            continue
        quote_at = min(i for i in (tok.string.find("'"), tok.string.find('"')) if i >= 0)
        if "r" in tok.string[:quote_at].lower():
            continue
        body = tok.string[quote_at:]
        i = 0
        while i < len(body):
            if body[i] == "\\":
                if body[i + 1 : i + 2] == "N":
                    return True
                i += 2
            else:
                i += 1
    return False


def in_range(value: int | float) -> bool:
    """Integers the browser holds exactly, finite floats."""
    if isinstance(value, int):
        return abs(value) <= MAX_SAFE_INT
    return math.isfinite(value)


def is_number(value: object) -> bool:
    return type(value) in (int, float)


def is_integral(value: object) -> bool:
    """An int, or a float with no fractional part (JSON cannot tell 2.0 from 2)."""
    if type(value) is int:
        return True
    return type(value) is float and math.isfinite(value) and value.is_integer()


def format_number(value: int | float) -> str:
    """Integral values as ints, other floats as repr() writes them."""
    if is_integral(value) and abs(value) <= MAX_SAFE_INT:
        return str(int(value))
    return repr(float(value))


def format_string(text: str, prefer: str = "'") -> str:
    """A Python string literal for ``text``, repr()-style.

    Uses the preferred quote unless the text contains it and not the other quote.
    """
    other = '"' if prefer == "'" else "'"
    quote = other if prefer in text and other not in text else prefer
    out = [quote]
    for ch in text:
        if ch == quote:
            out.append("\\" + ch)
        elif ch in _SIMPLE_ESCAPES:
            out.append(_SIMPLE_ESCAPES[ch])
        elif ch != " " and unicodedata.category(ch) in _ESCAPED_CATEGORIES:
            code = ord(ch)
            if code < 0x100:
                out.append(f"\\x{code:02x}")
            elif code < 0x10000:
                out.append(f"\\u{code:04x}")
            else:
                out.append(f"\\U{code:08x}")
        else:
            out.append(ch)
    out.append(quote)
    return "".join(out)


def format_literal(value: object, prefer: str = "'") -> str:
    """Python source for a scalar or a (nested) list/tuple of scalars."""
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, str):
        return format_string(value, prefer)
    if isinstance(value, int | float):
        if not in_range(value):
            raise ValueError("number out of range")
        return format_number(value)
    if isinstance(value, list | tuple):
        inner = [format_literal(v, prefer) for v in value]
        if isinstance(value, list):
            return "[" + ", ".join(inner) + "]"
        return "(" + inner[0] + ",)" if len(inner) == 1 else "(" + ", ".join(inner) + ")"
    raise ValueError(f"cannot write a {type(value).__name__} as a literal")


def quote_of(raw: str) -> str:
    """The quote character a string literal's source uses; ``'`` when it is no string."""
    for ch in raw:
        if ch in "'\"":
            return ch
        if ch not in "rRuU":
            break
    return "'"


def is_valid_date(text: str) -> bool:
    """``YYYY-MM-DD`` naming a real day (ASCII digits, year 1 or later)."""
    if len(text) != 10 or text[4] != "-" or text[7] != "-":
        return False
    digits = text[:4] + text[5:7] + text[8:]
    if not all("0" <= ch <= "9" for ch in digits):
        return False
    year, month, day = int(text[:4]), int(text[5:7]), int(text[8:])
    if year < 1 or not 1 <= month <= 12:
        return False
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    days = [31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    return 1 <= day <= days
