"""Migration routes: bulk import into the key's own game, no webhooks."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from fastapi import APIRouter

from kraty_local.api.deps import GameCall, PlayerCall
from kraty_local.api.fastjson import FastJsonRoute
from kraty_local.api.migrate_models import (
    InventoryRowIn,
    MigrateBatchIn,
    PlayerRowIn,
    RowIn,
    WalletRowIn,
    parse_rows,
)
from kraty_local.api.models import Envelope
from kraty_local.services import migration
from kraty_local.services.context import OpContext
from kraty_local.services.holdings import INVENTORY, WALLET
from kraty_local.services.migration import MigrationRow
from kraty_local.wire import MigrationFailure, MigrationOutcome

router = APIRouter(prefix="/migrate", tags=["migration"], route_class=FastJsonRoute)

Importer = Callable[
    [OpContext, Sequence[MigrationRow], Sequence[MigrationFailure]], MigrationOutcome
]


def _import(
    call: GameCall, body: MigrateBatchIn, model: type[RowIn], importer: Importer
) -> Envelope[MigrationOutcome]:
    """Validate each row alone, then import the valid ones in one transaction."""
    rows, failures = parse_rows(model, body.rows)
    return Envelope(data=call.write(lambda ctx: importer(ctx, rows, failures)))


@router.post("/players", response_model=Envelope[MigrationOutcome])
def players(body: MigrateBatchIn, call: PlayerCall) -> Envelope[MigrationOutcome]:
    """Create players or update their last context snapshot; idempotent per row."""
    return _import(call, body, PlayerRowIn, migration.import_players)


@router.post("/wallet", response_model=Envelope[MigrationOutcome])
def wallet(body: MigrateBatchIn, call: PlayerCall) -> Envelope[MigrationOutcome]:
    """Credit players' wallets (creating missing players, silently); idempotent per row."""
    return _import(
        call,
        body,
        WalletRowIn,
        lambda ctx, rows, f: migration.import_holdings(ctx, WALLET, rows, f),
    )


@router.post("/inventory", response_model=Envelope[MigrationOutcome])
def inventory(body: MigrateBatchIn, call: PlayerCall) -> Envelope[MigrationOutcome]:
    """Add items to players' inventories (creating missing players); idempotent per row."""
    return _import(
        call,
        body,
        InventoryRowIn,
        lambda ctx, rows, f: migration.import_holdings(ctx, INVENTORY, rows, f),
    )
