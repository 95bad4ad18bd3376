"""The control-plane web service."""

from cloudbook.server.app import create_app

__all__ = ["create_app"]
