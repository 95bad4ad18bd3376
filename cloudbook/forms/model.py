"""What a parsed form is: a title, markdown lines and fields, in line order.

``to_json()`` gives the shape the browser's parser returns and the shared corpus records;
line numbers are 0-based indexes into ``source.split("\\n")``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from cloudbook.forms.literals import Scalar

FieldType = Literal["string", "number", "integer", "boolean", "date", "slider", "raw"]
FIELD_TYPES: tuple[FieldType, ...] = (
    "string",
    "number",
    "integer",
    "boolean",
    "date",
    "slider",
    "raw",
)


class FormValueError(ValueError):
    """A new value does not fit the field (or the line holds no usable field)."""


@dataclass(frozen=True)
class TitleOptions:
    run: str | None = None
    display_mode: str | None = None
    vertical_output: bool | None = None
    form_width: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "run": self.run,
            "display_mode": self.display_mode,
            "vertical_output": self.vertical_output,
            "form_width": self.form_width,
        }


@dataclass(frozen=True)
class MarkdownItem:
    line: int
    text: str
    kind: Literal["markdown"] = "markdown"

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "line": self.line, "text": self.text}


@dataclass(frozen=True)
class FormField:
    """One ``name = value  #@param ...`` line.

    ``value`` is the parsed Python value (for raw fields: the source text), ``None`` when
    ``error`` is set. ``options`` holds the dropdown choices, ``None`` for no dropdown.
    """

    line: int
    name: str
    type: FieldType
    value: Scalar
    raw_value: str
    options: list[Scalar] | None = None
    allow_input: bool = False
    min: int | float | None = None
    max: int | float | None = None
    step: int | float | None = None
    placeholder: str | None = None
    error: str | None = None
    kind: Literal["param"] = "param"

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "line": self.line,
            "name": self.name,
            "type": self.type,
            "value": self.value,
            "raw_value": self.raw_value,
            "options": None if self.options is None else list(self.options),
            "allow_input": self.allow_input,
            "min": self.min,
            "max": self.max,
            "step": self.step,
            "placeholder": self.placeholder,
            "error": self.error,
        }


FormItem = MarkdownItem | FormField


@dataclass(frozen=True)
class FormError:
    line: int
    message: str

    def to_json(self) -> dict[str, Any]:
        return {"line": self.line, "message": self.message}


@dataclass(frozen=True)
class Form:
    title: str | None = None
    title_line: int | None = None
    title_options: TitleOptions = field(default_factory=TitleOptions)
    items: tuple[FormItem, ...] = ()
    errors: tuple[FormError, ...] = ()

    @property
    def fields(self) -> list[FormField]:
        return [item for item in self.items if isinstance(item, FormField)]

    @property
    def is_form(self) -> bool:
        """Whether the cell has any annotation at all (a title, markdown or a field)."""
        return self.title is not None or bool(self.items)

    def field(self, name: str) -> FormField | None:
        """The first field called ``name``."""
        return next((f for f in self.fields if f.name == name), None)

    def to_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "title_line": self.title_line,
            "title_options": self.title_options.to_json(),
            "items": [item.to_json() for item in self.items],
            "errors": [error.to_json() for error in self.errors],
        }
