"""Storage: the data model, its migrations, and the queries and writes the use cases share.

- :mod:`~dondoc.storage.db`: engines, migrations, the unit of work;
- :mod:`~dondoc.storage.models`: the tables;
- :mod:`~dondoc.storage.lookups`: units, plans, items and offices by what a person typed;
- :mod:`~dondoc.storage.milestones`: stored milestones kept in step with their deadline text;
- :mod:`~dondoc.storage.statusrun`: the set-based status run;
- :mod:`~dondoc.storage.dues`: open due dates and chasing checkpoints;
- :mod:`~dondoc.storage.ledger`: the chasing ledger's states;
- :mod:`~dondoc.storage.links`: secret links;
- :mod:`~dondoc.storage.feedstate`: what calendar feeds published (SEQUENCE);
- :mod:`~dondoc.storage.unitversions`: each unit's data version, raised by every write to its data;
- :mod:`~dondoc.storage.dialects`: the insert with ON CONFLICT of SQLite and PostgreSQL.
"""
