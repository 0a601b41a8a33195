"""Screening a whole intake: a table of assessments in, a table of urgencies out.

`screen_file` streams CSV, JSON Lines, Parquet or FHIR NDJSON through the engine (in this
process or in worker processes); `sql.view_sql` compiles the same triage into SQL for a
warehouse; `spark.screen_spark` runs the screen as a Spark job.
"""

from __future__ import annotations

from .columns import TableError
from .run import StrictFailure, Summary, screen_file

__all__ = ["StrictFailure", "Summary", "TableError", "screen_file"]
