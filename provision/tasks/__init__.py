"""The tasks: one module per concern, each `plan_<thing>(desired, facts) -> list[Change]`.

Every task is pure: it reads the desired state and the facts and returns the changes
(empty when the host already satisfies it); `provision.reconcile` puts them in order.
"""
