"""Routes of the office pages (being built)."""

from fastapi import APIRouter

router = APIRouter()
