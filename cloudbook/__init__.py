"""cloudbook: a self-hosted Colaboratory."""

__version__ = "0.1.0"
