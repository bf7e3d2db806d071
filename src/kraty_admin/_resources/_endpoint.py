"""Binding endpoint descriptions to a client.

Each endpoint is written once, as a function that turns the method's arguments into a
:class:`~kraty_admin._core.Call`. :class:`endpoint` exposes that function as a method of a
resource: on a resource of the sync client the method returns the value, on one of the async
client it returns an awaitable of it. Signatures, defaults and docstrings come from the
description, so both clients show the same API.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Generic, ParamSpec, Protocol, TypeVar, get_args, overload

from kraty_admin._core import Call

if TYPE_CHECKING:
    from kraty_admin._response import RawResponse

P = ParamSpec("P")
T = TypeVar("T")
S = TypeVar("S")


class SyncSender(Protocol):
    """Something that sends a call and returns its value (the sync client)."""

    def _send(self, call: Call[T]) -> T: ...


class AsyncSender(Protocol):
    """Something that sends a call and returns an awaitable of its value (the async client)."""

    def _send(self, call: Call[T]) -> Awaitable[T]: ...


class RawSyncSender(Protocol):
    """Sends a call and returns its :class:`RawResponse` (``KratyAdmin.with_raw_response``)."""

    def _send(self, call: Call[T]) -> RawResponse[T]: ...


class RawAsyncSender(Protocol):
    """Sends a call and returns an awaitable of its :class:`RawResponse` (async client)."""

    def _send(self, call: Call[T]) -> Awaitable[RawResponse[T]]: ...


class Resource(Generic[S]):
    """A namespace of endpoints (``kraty.wallet``, ``kraty.players``...) on one client."""

    def __init__(self, client: S) -> None:
        self._client = client

    def __repr__(self) -> str:
        return f"<{type(self).__name__} resource>"


class endpoint(Generic[P, T]):
    """Expose an endpoint description as a method of a resource.

    The method is built once per resource instance and stored in the instance's ``__dict__``
    (which then shadows this non-data descriptor), so attribute access costs nothing after the
    first. It reports the description's parameters with the value type as its return type, and
    on the async client it is a coroutine function.
    """

    def __init__(self, describe: Callable[P, Call[T]]) -> None:
        self._describe = describe
        self._name = describe.__name__.lstrip("_")
        self._aliases: list[str] = []  # every attribute name it is set on (``progress``...)
        self._signature: inspect.Signature | None = None

    def __set_name__(self, owner: type, name: str) -> None:
        self._aliases.append(name)

    @property
    def signature(self) -> inspect.Signature:
        """The method's signature: the description's, returning the value type."""
        if self._signature is None:
            described = evaluated_signature(self._describe)
            (value_type,) = get_args(described.return_annotation)
            self._signature = described.replace(return_annotation=value_type)
        return self._signature

    @overload
    def __get__(self, resource: None, owner: type) -> endpoint[P, T]: ...

    @overload
    def __get__(self, resource: Resource[SyncSender], owner: type) -> Callable[P, T]: ...

    @overload
    def __get__(
        self, resource: Resource[AsyncSender], owner: type
    ) -> Callable[P, Awaitable[T]]: ...

    @overload
    def __get__(
        self, resource: Resource[RawSyncSender], owner: type
    ) -> Callable[P, RawResponse[T]]: ...

    @overload
    def __get__(
        self, resource: Resource[RawAsyncSender], owner: type
    ) -> Callable[P, Awaitable[RawResponse[T]]]: ...

    def __get__(self, resource: Resource[Any] | None, owner: type) -> Any:
        if resource is None:
            return self
        method = bind(self._describe, resource._client._send)
        method.__name__ = self._name
        method.__qualname__ = f"{type(resource).__name__}.{self._name}"
        method.__doc__ = self._describe.__doc__
        method.__module__ = self._describe.__module__
        method.__signature__ = self.signature
        for alias in self._aliases:
            resource.__dict__[alias] = method
        return method


def evaluated_signature(function: Callable[..., Any]) -> inspect.Signature:
    """``function``'s signature with its annotations evaluated.

    The names of :mod:`kraty_admin.types` resolve although the endpoint modules import them
    only for type checkers: the module is loaded here, on first use, not by ``import
    kraty_admin``.
    """
    from kraty_admin import types

    return inspect.signature(function, locals=vars(types), eval_str=True)


def bind(describe: Callable[..., Call[Any]], send: Callable[[Call[Any]], Any]) -> Any:
    """A function that sends what ``describe`` makes; a coroutine function if ``send`` is one."""
    if inspect.iscoroutinefunction(send):

        async def send_async(*args: Any, **kwargs: Any) -> Any:
            return await send(describe(*args, **kwargs))

        return send_async

    def send_sync(*args: Any, **kwargs: Any) -> Any:
        return send(describe(*args, **kwargs))

    return send_sync
