"""Routes of the feeds pages (being built)."""

from fastapi import APIRouter

router = APIRouter()
