from tests.check_run.conftest import site

__all__ = ["site"]
