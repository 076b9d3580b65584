"""The re-sync task: reconcile the item deployments with the database (Prefect API I/O: retried)."""

from __future__ import annotations

from datetime import date

from prefect import task
from prefect.cache_policies import NO_CACHE

from tasks.runtime import app


@task(name="sync-item-deployments", retries=2, retry_delay_seconds=[30, 120], cache_policy=NO_CACHE)
def sync_items(as_of: date, dry_run: bool = False) -> dict:
    from dondoc.orchestration.sync import sync

    return sync(app(), as_of=as_of, dry_run=dry_run).as_json()
