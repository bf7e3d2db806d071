"""The resource namespaces of a client (``kraty.wallet``...), each loaded on first access."""

from __future__ import annotations

import functools
import importlib
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

if TYPE_CHECKING:
    from kraty_admin._resources.events import Events
    from kraty_admin._resources.grants import Grants
    from kraty_admin._resources.health import Health
    from kraty_admin._resources.inventory import Inventory
    from kraty_admin._resources.leaderboards import Leaderboards
    from kraty_admin._resources.lobbies import Lobbies
    from kraty_admin._resources.migrate import Migrate
    from kraty_admin._resources.players import Players
    from kraty_admin._resources.wallet import Wallet

S = TypeVar("S")
N = TypeVar("N")


class namespace(Generic[N]):
    """A resource namespace attribute: ``class_name`` from ``kraty_admin._resources.<module>``.

    On first access the module is imported and the namespace built around the owner's
    :meth:`Namespaces._resource_sender`, then stored in the instance's ``__dict__`` (which
    shadows this non-data descriptor), so later accesses are plain attribute reads.
    """

    def __init__(self, module: str, class_name: str) -> None:
        self._module = f"kraty_admin._resources.{module}"
        self._class_name = class_name
        self._name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    @overload
    def __get__(self, instance: None, owner: type) -> namespace[N]: ...

    @overload
    def __get__(self, instance: Namespaces[Any], owner: type) -> N: ...

    def __get__(self, instance: Namespaces[Any] | None, owner: type) -> Any:
        if instance is None:
            return self
        resource_class = getattr(importlib.import_module(self._module), self._class_name)
        resource = instance.__dict__[self._name] = resource_class(instance._resource_sender())
        return resource


class Namespaces(Generic[S]):
    """``grants``, ``inventory``, ``wallet``... bound to the sender :meth:`_resource_sender`."""

    grants: namespace[Grants[S]] = namespace("grants", "Grants")
    inventory: namespace[Inventory[S]] = namespace("inventory", "Inventory")
    wallet: namespace[Wallet[S]] = namespace("wallet", "Wallet")
    lobbies: namespace[Lobbies[S]] = namespace("lobbies", "Lobbies")
    players: namespace[Players[S]] = namespace("players", "Players")
    migrate: namespace[Migrate[S]] = namespace("migrate", "Migrate")
    health: namespace[Health[S]] = namespace("health", "Health")
    leaderboards: namespace[Leaderboards[S]] = namespace("leaderboards", "Leaderboards")
    events: namespace[Events[S]] = namespace("events", "Events")

    def _resource_sender(self) -> S:
        raise NotImplementedError


def without_cached(state: dict[str, Any], cls: type) -> dict[str, Any]:
    """``state`` (an instance's ``__dict__``) minus what ``cls``'s lazy attributes stored."""
    return {
        name: value
        for name, value in state.items()
        if not isinstance(getattr(cls, name, None), namespace | functools.cached_property)
    }
