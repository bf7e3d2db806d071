"""Player Lookup: find a player, see their snapshot and ledgers, ban, unban and grant.

Reads and writes run in the services the API runs, through the API's ``GameCall`` on the API
route's own path: a console ban or grant is idempotent (each form carries a fresh idempotency
key, so a second submit replays), writes the same ledger, outbox and audit rows, and is refused
with the same messages as the equivalent ``/server/v1`` call.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query
from starlette.requests import Request
from starlette.responses import Response

from kraty_local.api import holdings as holdings_api
from kraty_local.api.deps import GameCall
from kraty_local.api.models import HoldingChangeIn, InventoryChangeIn, WalletChangeIn
from kraty_local.api.player_models import BanIn, NoFieldsIn
from kraty_local.api.strings import ExternalPlayerId, Key
from kraty_local.auth import key_game
from kraty_local.console.session import Session
from kraty_local.console.web import (
    REFUSALS,
    Action,
    InputError,
    Refusal,
    action,
    checked,
    refusal,
    render,
    required,
    see_other,
    signed_in,
    validated,
)
from kraty_local.runtime import runtime_of
from kraty_local.services import client_state, player_admin, player_search, player_views
from kraty_local.services.holdings import INVENTORY, WALLET, HoldingKind
from kraty_local.services.player_views import RECENT_GRANTS

router = APIRouter(prefix="/players", include_in_schema=False)
SignedIn = Annotated[Session, Depends(signed_in)]
Submitted = Annotated[Action, Depends(action)]

#: Ledger rows a player page shows (both ledgers, newest first).
LEDGER_ROWS = 100
AUDIT_ROWS = 50
#: What a finished action says on the page it redirects to (only these codes are shown).
NOTICES = {
    "banned": "Player banned.",
    "unbanned": "Ban lifted.",
    "granted": "Granted: see the new ledger row.",
}
#: The grant form's kinds: the API route (by name) and request body of each.
_GRANTS: dict[str, tuple[str, HoldingKind, str, type[HoldingChangeIn], str]] = {
    "currency": ("wallet_credit", WALLET, "wallet.credit", WalletChangeIn, "amount"),
    "item": ("inventory_grant", INVENTORY, "inventory.grant", InventoryChangeIn, "quantity"),
}


def _call(request: Request, session: Session, route: str | None = None, **params: str) -> GameCall:
    """A call on the key's game, scoped (for idempotency) to the API route named ``route``
    (none for reads)."""
    runtime = runtime_of(request.app)
    game = key_game(session.principal, runtime.settings.world)
    path = request.app.url_path_for(route, **params) if route else ""
    return GameCall(runtime, session.principal, game, "POST" if route else "GET", path)


def _view_url(player_id: str, notice: str | None = None) -> str:
    query = {"id": player_id} | ({"notice": notice} if notice else {})
    return "/players/view?" + urlencode(query)


def _lookup_page(
    request: Request,
    session: Session,
    *,
    q: str = "",
    matches: list[dict[str, Any]] | None = None,
    refused: Refusal | None = None,
) -> Response:
    status, error = refusal(refused) if refused else (200, None)
    return render(
        request, "lookup.html", session, status=status, q=q, matches=matches or [], error=error
    )


@router.get("")
def lookup(request: Request, session: SignedIn, q: str = "") -> Response:
    """Search by external id or its first characters; an exact match opens the player."""
    if not q:
        return _lookup_page(request, session)
    try:
        prefix = checked(ExternalPlayerId, q, "q")
        matches = _call(request, session).read(lambda ctx: player_search.by_prefix(ctx, prefix))
    except REFUSALS as err:
        return _lookup_page(request, session, q=q, refused=err)
    if any(m["externalPlayerId"] == prefix for m in matches):
        return see_other(_view_url(prefix))
    return _lookup_page(request, session, q=q, matches=matches)


def _player(call: GameCall, player_id: str) -> dict[str, Any]:
    """What the player page shows, read in one transaction by the API's views."""

    def read(ctx: Any) -> dict[str, Any]:
        snapshot = player_views.snapshot(ctx, player_id)
        export = player_views.export(ctx, player_id)
        ledger = [{**row, "ledger": "wallet"} for row in export["walletLedger"]] + [
            {**row, "ledger": "inventory"} for row in export["inventoryLedger"]
        ]
        ledger.sort(key=lambda row: row["createdAt"], reverse=True)
        return {
            "snapshot": snapshot,
            "player": export["player"],
            "ledger": ledger[:LEDGER_ROWS],
            "audit": export["audit"][:AUDIT_ROWS],
            # the social lists as /server/v1 answers them, and what the game client reported
            "friends": player_views.friends_of(ctx, player_id)["friends"],
            "requests": player_views.friend_requests_of(ctx, player_id),
            "blocked": player_views.blocks_of(ctx, player_id)["blocked"],
            **client_state.client_state(ctx, player_id),
        }

    return call.read(read)


def _player_page(
    request: Request,
    session: Session,
    player_id: str,
    *,
    status: int = 200,
    notice: str | None = None,
    error: str | None = None,
) -> Response:
    try:
        checked(ExternalPlayerId, player_id, "id")
        call = _call(request, session)
        data = _player(call, player_id)
    except REFUSALS as err:
        return _lookup_page(request, session, q=player_id, refused=err)
    catalog = call.game.catalog
    return render(
        request,
        "player.html",
        session,
        status=status,
        id=player_id,
        notice=NOTICES.get(notice or ""),
        error=error,
        currencies=sorted(catalog.currencies),
        items=sorted(catalog.items),
        recent_grants=RECENT_GRANTS,
        form_key=lambda: str(uuid.uuid4()),
        **data,
    )


@router.get("/view")
def view(
    request: Request,
    session: SignedIn,
    player_id: Annotated[str, Query(alias="id")] = "",
    notice: str = "",
) -> Response:
    """The player's snapshot, identity, ban state, game client (registration, presence),
    social lists, ledgers and audit trail, with the actions."""
    return _player_page(request, session, player_id, notice=notice)


def _act(request: Request, submitted: Action, notice: str, work: Callable[[], None]) -> Response:
    """Run ``work()`` (a service call through ``GameCall``); redirect to the player's page with
    ``notice``, or show that page again with what was refused."""
    player_id = submitted.field("id")
    try:
        checked(ExternalPlayerId, player_id, "id")
        work()
    except REFUSALS as err:
        status, message = refusal(err)
        return _player_page(request, submitted.session, player_id, status=status, error=message)
    return see_other(_view_url(player_id, notice))


@router.post("/ban")
def ban_player(request: Request, submitted: Submitted) -> Response:
    """Ban, as ``POST /players/{p}/ban`` does."""
    player_id = submitted.field("id")

    def work() -> None:
        reason = required(submitted.field("reason"), "reason")
        body = validated(BanIn, reason=reason, idempotencyKey=submitted.field("idempotencyKey"))
        call = _call(request, submitted.session, "ban", player_id=player_id)
        call.idempotent(body, lambda ctx: player_admin.ban(ctx, player_id, body.reason), Response())

    return _act(request, submitted, "banned", work)


@router.post("/unban")
def unban_player(request: Request, submitted: Submitted) -> Response:
    """Lift a ban, as ``POST /players/{p}/unban`` does."""
    player_id = submitted.field("id")

    def work() -> None:
        body = validated(NoFieldsIn, idempotencyKey=submitted.field("idempotencyKey"))
        call = _call(request, submitted.session, "unban", player_id=player_id)
        call.idempotent(body, lambda ctx: player_admin.unban(ctx, player_id), Response())

    return _act(request, submitted, "unbanned", work)


@router.post("/grant")
def grant(request: Request, submitted: Submitted) -> Response:
    """Credit a currency or grant items with a reason, as the wallet credit and inventory
    grant routes do (``holding`` is ``currency:<key>`` or ``item:<key>``)."""
    player_id = submitted.field("id")

    def work() -> None:
        kind, _, key = submitted.field("holding").partition(":")
        if kind not in _GRANTS:
            raise InputError("holding: choose a currency or an item")
        route, holding, verb, model, units = _GRANTS[kind]
        checked(Key, key, "holding")
        amount = submitted.field("amount").strip()
        body = validated(
            model,
            reason=required(submitted.field("reason"), "reason"),
            idempotencyKey=submitted.field("idempotencyKey"),
            **{units: int(amount) if amount.isdigit() else amount},
        )
        params = {"player_id": player_id, holding.key_column: key}
        call = _call(request, submitted.session, route, **params)
        holdings_api.change(
            call,
            holding,
            verb,
            player_id,
            key,
            body.units,
            body,
            Response(),
            reason=body.reason,
            source_ref_id=body.sourceRefId,
        )

    return _act(request, submitted, "granted", work)
