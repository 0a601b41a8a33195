"""Fixtures for the screen tests: one SparkSession per test process, started on first use."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest


def _java_ok() -> str | None:
    java = shutil.which("java")
    if java is None:
        return "no java on the PATH (make java-deps installs Debian's headless JRE)"
    out = subprocess.run([java, "-version"], capture_output=True, text=True)
    return None if out.returncode == 0 else f"java does not run: {out.stderr.strip()[:200]}"


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    pytest.importorskip("pyspark")
    why = _java_ok()
    if why is not None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(why + " (CI=true: Spark tests must run)")
        pytest.skip(why)
    from backspasm.screen.spark import session

    s = session("local[2]", **{"spark.ui.enabled": "false", "spark.sql.shuffle.partitions": "2",
                               "spark.default.parallelism": "2"})
    yield s
    s.stop()
