"""Prefect flows: thin tables of contents calling the tasks in ``tasks/`` in order.

Deployed by ``dondoc sync`` (one item flow per item) and ``dondoc up`` (the others).
"""
