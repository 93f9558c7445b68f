"""The dashboard: server-rendered pages over the service for editors, at ``/``."""

from verifier.service.dashboard.routes import dashboard_router

__all__ = ["dashboard_router"]
