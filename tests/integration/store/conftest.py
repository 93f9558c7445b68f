from tests.integration.check_run.conftest import site

__all__ = ["site"]
