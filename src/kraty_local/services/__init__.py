"""Operations: one function per API operation, each running inside one transaction.

A service takes an :class:`~kraty_local.services.context.OpContext` (open connection, game,
actor, time) plus plain arguments, returns a wire-shaped dict, and raises
:class:`~kraty_local.errors.ApiError` for business outcomes.
"""
