"""``google.colab.widgets``: Grid and TabBar layouts for outputs."""

from google.colab.widgets._grid import Grid, create_grid
from google.colab.widgets._tabbar import TabBar
from google.colab.widgets._widget import OutputAreaWidget, WidgetException

__all__ = ["Grid", "OutputAreaWidget", "TabBar", "WidgetException", "create_grid"]
