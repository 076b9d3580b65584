"""The catch-up: every item at once, so that a crashed or never-started item run loses nothing.

Several times each working day it sends what the item flows would send for every
item (set-based: one flow run, not one per item), every delivery due for another
try, and each standing office's summary of the messages given up. The ledger keeps
every message exactly once whichever run sends it.
"""

from __future__ import annotations

from datetime import datetime

from prefect import flow
from pydantic import BaseModel, Field

from tasks import chasing
from tasks.runtime import app


class CatchUpRun(BaseModel):
    as_of: datetime | None = Field(default=None, description="Thời điểm tính; bỏ trống là bây giờ")


@flow(name="dondoc-catchup")
def catchup_flow(as_of: datetime | None = None) -> dict:
    """Gửi bù mọi tin đến hạn của mọi mục, gửi lại tin chưa tới.

    Args:
        as_of: Thời điểm tính; bỏ trống là bây giờ.
    """
    return chasing.catch_up(app().local(CatchUpRun(as_of=as_of).as_of))
