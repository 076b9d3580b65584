"""Alembic environment: runs on the connection handed in by dondoc.storage.db.migrate, or on sqlalchemy.url."""

from alembic import context
from sqlalchemy import create_engine

from dondoc.storage import delivery_log  # noqa: F401 - the delivery log's tables in the metadata
from dondoc.storage import unitversions  # noqa: F401 - the unit versions' table in the metadata
from dondoc.storage.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    url = config.get_main_option("sqlalchemy.url")
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=target_metadata, literal_binds=True, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(url)
    with engine.connect() as conn:
        context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()


run_migrations()
