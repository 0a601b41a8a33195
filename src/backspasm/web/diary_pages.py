"""The diary pages: episodes, check-ins, the pain chart, status and the doctor report."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
