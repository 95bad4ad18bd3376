"""``google.colab.output``: JavaScript, callbacks, output tags and areas."""

from google.colab.output._area import (
    redirect_to_element,
    to_default_area,
    to_footer_area,
    to_header_area,
)
from google.colab.output._js import eval_js, register_callback, unregister_callback
from google.colab.output._tags import clear, temporary, use_tags
from google.colab.output._util import (
    disable_custom_widget_manager,
    enable_custom_widget_manager,
    serve_kernel_port_as_iframe,
    serve_kernel_port_as_window,
)

__all__ = [
    "clear",
    "disable_custom_widget_manager",
    "enable_custom_widget_manager",
    "eval_js",
    "redirect_to_element",
    "register_callback",
    "serve_kernel_port_as_iframe",
    "serve_kernel_port_as_window",
    "temporary",
    "to_default_area",
    "to_footer_area",
    "to_header_area",
    "unregister_callback",
    "use_tags",
]
