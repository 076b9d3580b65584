"""The outbox: what would be sent, written as files when no channel is configured.

Each message to each person becomes ``<DONDOC_HOME>/outbox/<ledger key>-<person>-<hash>.eml``
(the email exactly as it would leave, openable in any mail program) and a
``.json`` beside it (recipient, addresses, subject, text, Zalo text, ledger key,
time written). The name depends only on the ledger key and the person, so
writing the same message again (a run resumed after a crash) replaces the file:
the outbox holds each message once.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

from dondoc.clock import utcnow
from dondoc.text import slugify


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)


def outbox_name(ledger_key: str, person_id: str) -> str:
    digest = hashlib.sha256(f"{ledger_key}\n{person_id}".encode()).hexdigest()[:12]
    return f"{slugify(ledger_key, limit=60)}-{slugify(person_id, limit=60)[:40]}-{digest}"


def write_outbox(folder: Path, *, ledger_key: str, person_id: str, email, record: dict) -> Path:
    """Write the .eml and .json pair; returns the .eml path."""
    folder.mkdir(parents=True, exist_ok=True)
    base = folder / outbox_name(ledger_key, person_id)
    record = {**record, "written_at": utcnow().isoformat()}
    _atomic_write(base.with_suffix(".eml"), email.as_bytes())
    _atomic_write(base.with_suffix(".json"), json.dumps(record, ensure_ascii=False, indent=2).encode("utf-8"))
    return base.with_suffix(".eml")
