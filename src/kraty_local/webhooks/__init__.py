"""Webhook delivery: the per-endpoint delivery queue, signing, and the dispatcher.

Events are written by :mod:`kraty_local.outbox` in the transaction of the change they describe;
:mod:`.deliveries` holds the queue's queries, :mod:`.signer` the request a receiver gets, and
:mod:`.dispatcher` the worker that posts due deliveries and retries failures on the world's
schedule. :mod:`.admin` serves the ``/_local/webhooks`` admin routes.
"""
