"""Routes of the leadership pages (being built)."""

from fastapi import APIRouter

router = APIRouter()
