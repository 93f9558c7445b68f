"""The report's browser tests use the unit tests' sample report."""

from tests.unit.report.conftest import sample_report, sample_report_pristine

__all__ = ["sample_report", "sample_report_pristine"]
