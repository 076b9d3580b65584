"""Prefect tasks: each wraps one function of the ``dondoc`` core.

Tasks that send messages or talk to the Prefect API retry with explicit delays
(the chasing core is idempotent through its ledger, so a retry never sends twice);
pure computations never retry.
"""
