"""TabBar: tabs whose pages each receive outputs."""

from __future__ import annotations

import contextlib
import html
import json
from collections.abc import Iterator, Sequence
from typing import Any

from google.colab.output import _publish
from google.colab.widgets import _widget

_LOCATIONS = ("top", "bottom", "start", "end")

_CSS = """
.cloudbook-tabbar { display: flex; gap: 0; margin: 4px 0; }
.cloudbook-tabbar.loc-top { flex-direction: column; }
.cloudbook-tabbar.loc-bottom { flex-direction: column-reverse; }
.cloudbook-tabbar.loc-start { flex-direction: row; }
.cloudbook-tabbar.loc-end { flex-direction: row-reverse; }
.cloudbook-tabbar > .tabs { display: flex; flex-wrap: wrap; }
.cloudbook-tabbar.loc-start > .tabs, .cloudbook-tabbar.loc-end > .tabs {
  flex-direction: column; }
.cloudbook-tabbar > .tabs > button { border: 1px solid #a7a7a7; background: #f3f3f3;
  padding: 4px 12px; cursor: pointer; font: inherit; }
.cloudbook-tabbar > .tabs > button[aria-selected="true"] { background: #fff;
  border-color: #f57c00; }
.cloudbook-tabbar > .pages { border: 1px solid #a7a7a7; padding: 4px; flex: 1; min-width: 0; }
.cloudbook-tabbar > .pages > div[hidden] { display: none; }
"""

_SCRIPT = """(() => {
  const root = document.getElementById(%(id)s);
  if (!root) return;
  const tabs = Array.from(root.querySelectorAll(':scope > .tabs > button'));
  const pages = Array.from(root.querySelectorAll(':scope > .pages > div'));
  const api = {
    setSelectedTabIndex(index) {
      tabs.forEach((tab, i) => tab.setAttribute('aria-selected', String(i === index)));
      pages.forEach((page, i) => { page.hidden = i !== index; });
    },
    getSelectedTabIndex() {
      return tabs.findIndex((tab) => tab.getAttribute('aria-selected') === 'true');
    },
  };
  tabs.forEach((tab, i) => tab.addEventListener('click', () => api.setSelectedTabIndex(i)));
  window[%(id)s] = api;
  api.setSelectedTabIndex(%(initial)d);
})();"""


class TabBar(_widget.OutputAreaWidget):
    """Tabs named ``tab_names``; ``with tabs.output_to(name):`` sends outputs into a tab."""

    def __init__(self, tab_names: Sequence[str], location: str = "top") -> None:
        if location not in _LOCATIONS:
            raise ValueError(f"Invalid value for location: {location!r}")
        self.tab_names = list(tab_names)
        self._location = location
        self._active = 0
        super().__init__()
        self._content_div = self._id + "_content"

    def _tab_id(self, index: int) -> str:
        return f"{self._content_div}_{index}"

    def _get_tab_id(self, index_or_name: int | str) -> tuple[str, int]:
        if isinstance(index_or_name, str):
            index = self.tab_names.index(index_or_name)  # ValueError when unknown
            if index_or_name in self.tab_names[index + 1 :]:
                raise ValueError(f"Ambiguous tab name: {index_or_name} ")
        else:
            index = int(index_or_name)
            if not 0 <= index < len(self.tab_names):
                raise ValueError(f"{index} is not a valid tab index")
        return self._tab_id(index), index

    def _html(self) -> str:
        buttons = "".join(
            f'<button type="button" role="tab">{html.escape(str(name))}</button>'
            for name in self.tab_names
        )
        pages = "".join(
            f'<div id="{self._tab_id(i)}" role="tabpanel"></div>'
            for i in range(len(self.tab_names))
        )
        script = _SCRIPT % {"id": json.dumps(self._id), "initial": self._active}
        return (
            f"<style>{_CSS}</style>"
            f'<div id="{self._id}" class="cloudbook-tabbar loc-{self._location}">'
            f'<div class="tabs" role="tablist">{buttons}</div>'
            f'<div class="pages">{pages}</div></div>'
            f"<script>{script}</script>"
        )

    def _publish(self) -> None:
        if self._published:
            return
        super()._publish()
        with self._output_in_widget():
            _publish.html(self._html())

    def _prepare_component_for_output(self, **kwargs: Any) -> None:
        if kwargs.get("select"):
            index = int(kwargs["index"])
            _publish.javascript(
                f"window[{json.dumps(self._id)}] &&"
                f" window[{json.dumps(self._id)}].setSelectedTabIndex({index});"
            )

    @contextlib.contextmanager
    def output_to(self, tab: int | str, select: bool = True) -> Iterator[None]:
        """Send outputs inside the context to ``tab`` (name or 0-based index)."""
        if not self._published:
            self._publish()
        tab_id, index = self._get_tab_id(tab)
        with self._active_component(tab_id, init_params={"select": select, "index": index}):
            yield

    def clear_tab(self, tab: int | str | None = None) -> None:
        """Clear ``tab``; without an argument the tab being written."""
        tab_id = None if tab is None else self._get_tab_id(tab)[0]
        self._clear_component(tab_id)

    def __iter__(self) -> Iterator[int]:
        """Visit every tab in order, sending outputs to it."""
        self._publish()
        for index in range(len(self.tab_names)):
            with self.output_to(index):
                yield index
