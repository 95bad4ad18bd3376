"""Colab's form annotations (``#@title``, ``#@markdown``, ``#@param``): parse and rewrite.

The browser (frontend/src/forms/) implements the same rules; tests/forms/corpus.json is
the shared set of cases both must answer alike. See docs/forms.md.
"""

from cloudbook.forms.model import (
    FieldType,
    Form,
    FormError,
    FormField,
    FormItem,
    FormValueError,
    MarkdownItem,
    TitleOptions,
)
from cloudbook.forms.parse import parse_cell
from cloudbook.forms.rewrite import apply_cli_params, coerce_cli_value, rewrite_value

__all__ = [
    "FieldType",
    "Form",
    "FormError",
    "FormField",
    "FormItem",
    "FormValueError",
    "MarkdownItem",
    "TitleOptions",
    "apply_cli_params",
    "coerce_cli_value",
    "parse_cell",
    "rewrite_value",
]
