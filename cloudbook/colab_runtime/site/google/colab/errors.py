"""Exceptions of the ``google.colab`` API (the same names as Colab's)."""

from __future__ import annotations


class Error(Exception):
    """Base class of every error raised by ``google.colab``."""


class AuthorizationError(Error):
    """Credentials could not be made available."""


class WidgetException(Error):
    """A widget was used in a way it does not support."""


class RuntimeManagementError(Error):
    """The runtime could not be managed (for example unassigned)."""
