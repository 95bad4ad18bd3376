"""Notebook documents: validation and normalisation to nbformat 4.5."""

from __future__ import annotations

import json
from typing import Any

from cloudbook.services.errors import InvalidInput


def empty_notebook() -> dict[str, Any]:
    return {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "language_info": {"name": "python"},
        },
        "cells": [],
    }


def normalize(content: Any) -> dict[str, Any]:
    """Validate a notebook dict; return it as nbformat 4.5 (cell ids added) or raise."""
    if not isinstance(content, dict):
        raise InvalidInput("The notebook must be a JSON object.", code="invalid_notebook")
    major = content.get("nbformat")
    if major != 4:
        raise InvalidInput(
            f"Only nbformat 4 notebooks are supported (got {major!r}).",
            code="invalid_notebook",
        )
    import nbformat
    from nbformat.v4 import convert

    minor = content.get("nbformat_minor")
    if not isinstance(minor, int) or minor < 0:
        raise InvalidInput("nbformat_minor must be a whole number.", code="invalid_notebook")
    try:
        nb = nbformat.from_dict(json.loads(json.dumps(content)))  # type: ignore[no-untyped-call]
        if minor < 5:
            nb = convert.upgrade(nb, from_version=4, from_minor=minor)  # type: ignore[no-untyped-call]
        nb.nbformat_minor = max(minor, 5)
        nbformat.validate(nb, version=4)
    except nbformat.ValidationError as exc:
        message = str(exc.message) if hasattr(exc, "message") else "schema mismatch"
        raise InvalidInput(
            f"Not a valid nbformat 4 notebook: {message[:200]}", code="invalid_notebook"
        ) from None
    except (TypeError, ValueError, KeyError, AttributeError):
        raise InvalidInput("Not a valid nbformat 4 notebook.", code="invalid_notebook") from None
    return dict(nb)


def dumps(nb: dict[str, Any]) -> bytes:
    # Same layout as Jupyter writes, so diffs stay readable.
    return (json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode()
