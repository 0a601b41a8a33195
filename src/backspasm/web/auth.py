"""Accounts: registration, sign-in (rate limited in the database), sign-out, deleting everything."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
