"""HTTP routes for FHIR R4 (/fhir) and CDS Hooks (/cds-services): the router the web app mounts.

Every error under both prefixes is answered as an OperationOutcome (never the app's
generic JSON error, never a 500).
"""

from __future__ import annotations

from fastapi import APIRouter

from .assess import assess_response
from .cds_routes import cds_router
from .fhir_routes import fhir_router

router = APIRouter()
router.include_router(fhir_router)
router.include_router(cds_router)

__all__ = ["assess_response", "router"]
