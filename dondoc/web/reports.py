"""Routes of the report download pages (being built)."""

from fastapi import APIRouter

router = APIRouter()
