"""Orchestration on Prefect: the local server, the deployments (one per item, and the service flows),
keeping them in step with the database, and the worker.
"""
