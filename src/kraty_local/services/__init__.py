"""Operations: one function per API operation, each running inside one transaction.

A service takes an :class:`~kraty_local.services.context.OpContext` (open connection, game,
actor, time) plus plain arguments, returns a wire-shaped dict, and raises
:mod:`~kraty_local.domain.errors` for business outcomes; it imports nothing from the web stack
(nor the idempotency layer, which wraps it from the API side).
"""
