"""Every report of a year: targets, plan, a pool of warm workers, manifests, the run record and the index.

:mod:`~healthcheck.batch.targets` says what to build, :mod:`~healthcheck.batch.build` builds one
report, :mod:`~healthcheck.batch.pool` runs the tasks in worker processes,
:mod:`~healthcheck.batch.run` plans and runs a year's batch, :mod:`~healthcheck.batch.record`
writes its run record, :mod:`~healthcheck.batch.manifest` each report's provenance and
:mod:`~healthcheck.batch.index` the index pages. The names a caller needs are here.
"""

from healthcheck.batch.build import FAILED, Task, WorkerState, build_report, swap_into_place
from healthcheck.batch.pool import EXECUTORS, default_workers
from healthcheck.batch.record import counts, read_run_record, write_run_record
from healthcheck.batch.run import check_options, plan, run_batch
from healthcheck.batch.targets import (
    KINDS,
    NOTEBOOKS,
    Result,
    Target,
    notebook_path,
    region_slug,
    report_parameters,
    resolve_targets,
    safe_out_dir,
    scored_codes,
    scored_regions,
    special_targets,
    target_parameters,
)  # fmt: skip

__all__ = [
    "EXECUTORS", "FAILED", "KINDS", "NOTEBOOKS", "Result", "Target", "Task", "WorkerState", "build_report",
    "check_options", "counts", "default_workers", "notebook_path", "plan", "read_run_record", "region_slug",
    "report_parameters", "resolve_targets", "run_batch", "safe_out_dir", "scored_codes", "scored_regions",
    "special_targets", "swap_into_place", "target_parameters", "write_run_record",
]  # fmt: skip
