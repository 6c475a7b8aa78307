"""lupex.report: the HTML report of a run folder (maps, tables, provenance)."""

from lupex.report.html import write_report

__all__ = ["write_report"]
