"""Base of widgets that route outputs into parts of an HTML structure.

A widget publishes its HTML once, then ``output_to`` wraps user output in
Colab's output-area machinery: tags (so parts can be cleared) and an area
redirection to the part's element (docs/colab-protocol.md). Everything is an
ordinary output of the cell, so a saved notebook shows the same result.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from google.colab import errors, output
from google.colab.output import _tags, _util

WidgetException = errors.WidgetException


class OutputAreaWidget:
    """Routes outputs into components (cells, tabs) of a published HTML structure."""

    def __init__(self) -> None:
        self._published = False
        self._id = _util.get_locally_unique_id("widget")
        self._tag = "outputarea_" + self._id
        self._current_component: str | None = None
        self._output_tags: set[str] = {self._tag}

    def _publish(self) -> None:
        _util.flush_all()
        self._published = True
        # Tags active now stay on everything inside the widget, so clearing them
        # later clears the widget's content too.
        self._output_tags = _tags.get_active_tags() | {self._tag}

    def remove(self, wait: bool = False) -> None:
        """Remove the widget and all its content from the output."""
        _util.flush_all()
        output.clear(wait, output_tags=sorted(self._output_tags))

    @contextlib.contextmanager
    def _output_in_widget(self) -> Iterator[None]:
        with output.use_tags(self._output_tags):
            try:
                yield
            finally:
                _util.flush_all()

    def _prepare_component_for_output(self, **kwargs: Any) -> None:
        """Outputs that set a component up (e.g. select a tab); kept by clear_cell()."""

    @contextlib.contextmanager
    def _active_component(
        self, component_id: str, init_params: dict[str, Any] | None = None
    ) -> Iterator[None]:
        if not self._published:
            self._publish()
        if self._current_component is not None:
            raise WidgetException("Already inside a component")
        self._current_component = component_id
        _util.flush_all()
        try:
            with (
                self._output_in_widget(),
                output.use_tags(component_id),
                output.redirect_to_element("#" + component_id),
            ):
                self._prepare_component_for_output(**(init_params or {}))
                with output.use_tags("user_output"):
                    try:
                        yield
                    finally:
                        _util.flush_all()
        finally:
            self._current_component = None

    def _clear_component(self, component_id: str | None = None, wait: bool = False) -> None:
        _util.flush_all()
        if component_id is None:
            if self._current_component is None:
                raise WidgetException("No active component selected")
            component_id = self._current_component
        if component_id == self._current_component:
            # Keep the outputs that route into this component, or later outputs
            # would land elsewhere when the notebook is reopened.
            output.clear(wait, output_tags=[component_id, "user_output"])
        else:
            output.clear(wait, output_tags=[component_id])
