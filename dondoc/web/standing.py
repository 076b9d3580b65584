"""Routes of the standing pages (being built)."""

from fastapi import APIRouter

router = APIRouter()
