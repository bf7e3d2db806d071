"""Resource namespaces: each endpoint is described once and bound to either client."""

from kraty_admin._resources.events import Events
from kraty_admin._resources.grants import Grants
from kraty_admin._resources.health import Health
from kraty_admin._resources.inventory import Inventory
from kraty_admin._resources.leaderboards import Leaderboards
from kraty_admin._resources.lobbies import Lobbies
from kraty_admin._resources.migrate import Migrate
from kraty_admin._resources.players import Players
from kraty_admin._resources.wallet import Wallet

__all__ = [
    "Events",
    "Grants",
    "Health",
    "Inventory",
    "Leaderboards",
    "Lobbies",
    "Migrate",
    "Players",
    "Wallet",
]
