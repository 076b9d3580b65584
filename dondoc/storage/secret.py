"""The installation's secret key: it signs the pages' anti-forgery tokens and seals the secret links
stored in the database, so that a copy of the database alone opens no page.

``DONDOC_SECRET_KEY`` when set; otherwise a random key made once and kept (mode 0600) in
``<home>/secrets/web_key``, beside the database but never in it.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from dondoc.settings import Settings


def secret_key(settings: Settings) -> bytes:
    """DONDOC_SECRET_KEY, or a random key kept (mode 0600) in <home>/secrets/web_key."""
    if settings.secret_key is not None:
        return settings.secret_key.get_secret_value().encode()
    path = settings.home_path / "secrets" / "web_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        staging = path.with_name(f".web_key.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
        try:
            os.link(staging, path)  # fails if another process made the key first: keep that one
        except FileExistsError:
            pass
        finally:
            staging.unlink()
    return Path(path).read_text().strip().encode()
