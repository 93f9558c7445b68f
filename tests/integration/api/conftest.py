from tests.integration.check_run.conftest import site, wayback, workspace

__all__ = ["site", "wayback", "workspace"]
