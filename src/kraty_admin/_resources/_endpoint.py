"""Binding endpoint descriptions to a client.

Each endpoint is written once, as a function that turns the method's arguments into a
:class:`~kraty_admin._core.Call`. :class:`endpoint` exposes that function as a method of a
resource: on a resource of the sync client the method returns the value, on one of the async
client it returns an awaitable of it. Signatures, defaults and docstrings come from the
description, so both clients show the same API.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any, Generic, ParamSpec, Protocol, TypeVar, overload

from kraty_admin._core import Call

P = ParamSpec("P")
T = TypeVar("T")
S = TypeVar("S")


class SyncSender(Protocol):
    """Something that sends a call and returns its value (the sync client)."""

    def _send(self, call: Call[T]) -> T: ...


class AsyncSender(Protocol):
    """Something that sends a call and returns an awaitable of its value (the async client)."""

    def _send(self, call: Call[T]) -> Awaitable[T]: ...


class Resource(Generic[S]):
    """A namespace of endpoints (``kraty.wallet``, ``kraty.players``...) on one client."""

    def __init__(self, client: S) -> None:
        self._client = client

    def __repr__(self) -> str:
        return f"<{type(self).__name__} resource>"


class endpoint(Generic[P, T]):
    """Expose an endpoint description as a method of a resource."""

    def __init__(self, describe: Callable[P, Call[T]]) -> None:
        self._describe = describe
        self._name = describe.__name__.lstrip("_")

    @overload
    def __get__(self, resource: None, owner: type) -> endpoint[P, T]: ...

    @overload
    def __get__(self, resource: Resource[SyncSender], owner: type) -> Callable[P, T]: ...

    @overload
    def __get__(
        self, resource: Resource[AsyncSender], owner: type
    ) -> Callable[P, Awaitable[T]]: ...

    def __get__(self, resource: Resource[Any] | None, owner: type) -> Any:
        if resource is None:
            return self
        describe = self._describe
        send = resource._client._send

        @functools.wraps(describe)
        def method(*args: P.args, **kwargs: P.kwargs) -> Any:
            return send(describe(*args, **kwargs))

        method.__name__ = self._name
        method.__qualname__ = f"{type(resource).__name__}.{self._name}"
        return method
