"""The game's part in a studio's tests: :class:`PlayerClient` calls Kraty Local's ``/sdk/v1``
as one player's game client would (contract section 10).

It registers the player, keeps the secret the register answered (never shown: not in its
``repr``, not in errors) and sends it with every player call, so a backend test can credit from
the backend, claim from the "game", and see what the game would see::

    player = kraty_local.player("p1")            # registered with the start-up client key
    kraty_local.client.grants.create("p1", entries=[...], idempotency_key="order-1")
    grant = player.pending_grants()[0]
    player.claim(grant["id"])                    # KratyServerError (.is_player_banned) if banned

Errors are the SDK's own :class:`kraty_admin.KratyServerError` subclasses, so
``err.is_player_banned`` and friends work as for server calls.
"""

from __future__ import annotations

import json
import uuid
from types import TracebackType
from typing import Any, cast
from urllib.parse import quote

from kraty_admin import _http
from kraty_admin._core import REQUEST_ID_HEADER
from kraty_admin._errors import server_error
from kraty_local.api_sdk import SDK_PREFIX
from kraty_local.api_sdk.deps import PLAYER_SECRET_HEADER
from kraty_local.api_sdk.wire import OpenCrateResult, PlayerRegistration
from kraty_local.wire import Grant, InventoryChange, WalletChange
from kraty_local.wire_players import InventoryHolding, WalletHolding


class PlayerClient:
    """One player's game client against a running Kraty Local (synchronous)."""

    def __init__(
        self,
        base_url: str,
        client_key: str,
        external_player_id: str,
        *,
        timeout: float = 15.0,
        transport: _http.BaseTransport | None = None,
    ) -> None:
        """Point at ``base_url`` with a ``client_sdk`` key; call :meth:`register` before the
        player routes (or let ``kraty_local.player(...)`` do it)."""
        self.external_player_id = external_player_id
        self._secret: str | None = None
        self._http = _http.Client(
            base_url=base_url.rstrip("/") + SDK_PREFIX,
            headers={"Authorization": f"Bearer {client_key}", "Accept": "application/json"},
            timeout=timeout,
            transport=transport,
        )

    def __repr__(self) -> str:
        state = "registered" if self._secret else "not registered"
        return f"PlayerClient({self.external_player_id!r}, {state})"

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self._http.close()

    def __enter__(self) -> PlayerClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def registered(self) -> bool:
        """Whether this client holds the player's secret."""
        return self._secret is not None

    def register(self, *, force: bool = False) -> PlayerRegistration:
        """Register the player (``force``: rotate its secret) and keep the secret."""
        query = "?force=true" if force else ""
        answer = cast(PlayerRegistration, self._post(f"/register{query}", {}))
        self._secret = answer["secret"]
        return answer

    def pending_grants(self, *, limit: int | None = None) -> list[Grant]:
        """The player's claimable grants, oldest first."""
        params = {} if limit is None else {"limit": limit}
        return cast(list[Grant], self._call("GET", "/pending-grants", params=params))

    def claim(self, grant_id: str, *, idempotency_key: str | None = None) -> Grant:
        """Claim a pending grant (its currencies and items land in the holdings)."""
        path = f"/grants/{_seg(grant_id)}/claim"
        return cast(Grant, self._post(path, {}, idempotency_key))

    def open_crate(self, grant_id: str, *, idempotency_key: str | None = None) -> OpenCrateResult:
        """Open a crate grant: ``{"crate", "contents"}``, the contents a new pending grant."""
        path = f"/crates/{_seg(grant_id)}/open"
        return cast(OpenCrateResult, self._post(path, {}, idempotency_key))

    def wallet(self) -> list[WalletHolding]:
        """Every currency balance."""
        return cast(list[WalletHolding], self._call("GET", "/wallet")["wallet"])

    def inventory(self) -> list[InventoryHolding]:
        """Every item quantity."""
        return cast(list[InventoryHolding], self._call("GET", "/inventory")["items"])

    def balance(self, economy_key: str) -> int:
        """One currency's balance (0 when the player never held it)."""
        return next((h["balance"] for h in self.wallet() if h["economyKey"] == economy_key), 0)

    def quantity(self, item_key: str) -> int:
        """One item's quantity (0 when the player never held it)."""
        return next((h["quantity"] for h in self.inventory() if h["itemKey"] == item_key), 0)

    def debit(
        self,
        economy_key: str,
        amount: int,
        *,
        reason: str | None = None,
        idempotency_key: str | None = None,
    ) -> WalletChange:
        """Spend currency (``409 conflict`` when short)."""
        body = _without_none({"amount": amount, "reason": reason})
        path = f"/wallet/{_seg(economy_key)}/debit"
        return cast(WalletChange, self._post(path, body, idempotency_key))

    def consume(
        self,
        item_key: str,
        quantity: int,
        *,
        reason: str | None = None,
        idempotency_key: str | None = None,
    ) -> InventoryChange:
        """Use up items (``409 conflict`` when short)."""
        body = _without_none({"quantity": quantity, "reason": reason})
        path = f"/inventory/{_seg(item_key)}/consume"
        return cast(InventoryChange, self._post(path, body, idempotency_key))

    def events(self) -> list[dict[str, Any]]:
        """The events the player can start now: ``[{eventKey, windowId, leaderboardId,
        currentAttemptId, ...}]``."""
        return cast(list[dict[str, Any]], self._call("GET", "/events"))

    def start(self, event_key: str, *, player_context: dict[str, Any] | None = None) -> Any:
        """Start an attempt: ``{attempt, leaderboardId, windowEndsAt}``."""
        body = _without_none({"playerContext": player_context})
        return self._post(f"/events/{_seg(event_key)}/start", body)

    def progress(
        self,
        event_key: str,
        attempt_id: str,
        *,
        mode: str = "increment",
        metric_value: float | None = None,
        metrics: dict[str, float] | None = None,
        occurred_at: str | None = None,
        idempotency_key: str | None = None,
    ) -> Any:
        """Report progress (``occurred_at``: an ISO time replacing the server's):
        ``{attempt, milestonesFired}``."""
        fields = {"metricValue": metric_value, "metrics": metrics, "occurredAt": occurred_at}
        body = {"mode": mode, **_without_none(fields)}
        return self._post(f"{_attempt(event_key, attempt_id)}/progress", body, idempotency_key)

    def finish(self, event_key: str, attempt_id: str) -> Any:
        """Finish an attempt: ``{attempt, outcome}``."""
        return self._post(f"{_attempt(event_key, attempt_id)}/finish", {})

    def leaderboard(
        self,
        key: str,
        *,
        limit: int | None = None,
        segment: str | None = None,
        period: str | None = None,
        include_self: bool = False,
    ) -> Any:
        """A board: ``{key, entries, self, ...}`` (``segment``: one bucket's ranks; ``period``:
        ``"current"`` or an ISO time in the period to read; ``self`` is this player's standing
        when ``include_self``)."""
        params = self._board_params(limit, include_self, segment=segment, period=period)
        return self._http_get(f"/leaderboards/{_seg(key)}", params)

    def event_leaderboard(
        self, leaderboard_id: str, *, limit: int | None = None, include_self: bool = False
    ) -> Any:
        """An event window's or lobby's board, by the ``leaderboardId`` attempts carry:
        ``{leaderboardId, mode, finalized, entries, self}``."""
        params = self._board_params(limit, include_self)
        return self._http_get(f"/event-leaderboards/{_seg(leaderboard_id)}", params)

    def identity(self) -> dict[str, Any]:
        """``{displayIdentity, anonymizedIdentity}``."""
        return cast(dict[str, Any], self._call("GET", "/identity"))

    def set_identity(self, name: str, *, avatar: str | None = None) -> dict[str, Any]:
        """Rename the player: ``{externalPlayerId, displayIdentity, anonymizedIdentity}``."""
        body = {**_without_none({"avatar": avatar}), "name": name}
        key = str(uuid.uuid4())
        return cast(
            dict[str, Any], self._call("PUT", "/identity", json={**body, "idempotencyKey": key})
        )

    def heartbeat(self, **status: str | None) -> dict[str, Any]:
        """A presence heartbeat: ``heartbeat()`` keeps the status, ``heartbeat(status=None)``
        clears it; ``{online, lastActiveAt, status}``."""
        return cast(dict[str, Any], self._post("/presence", dict(status)))

    def friend_code(self) -> str:
        """The player's friend code."""
        return cast(str, self._call("GET", "/friend-code")["friendCode"])

    def friends(self) -> list[dict[str, Any]]:
        """The player's friends, with presence."""
        return cast(list[dict[str, Any]], self._call("GET", "/friends")["friends"])

    def friend_requests(self) -> dict[str, list[dict[str, Any]]]:
        """``{incoming, outgoing}`` pending requests."""
        return cast(dict[str, list[dict[str, Any]]], self._call("GET", "/friends/requests"))

    def add_friend(
        self, *, friend_code: str | None = None, external_player_id: str | None = None
    ) -> dict[str, Any]:
        """Send a friend request: ``{status: "pending"|"accepted", request?, friend?}``."""
        return cast(
            dict[str, Any],
            self._post("/friends/requests", _target(friend_code, external_player_id)),
        )

    def accept(self, request_id: str) -> dict[str, Any]:
        """Accept an incoming request; the new friend."""
        path = f"/friends/requests/{_seg(request_id)}/accept"
        return cast(dict[str, Any], self._post(path, {})["friend"])

    def decline(self, request_id: str) -> bool:
        """Decline an incoming request."""
        return bool(self._post(f"/friends/requests/{_seg(request_id)}/decline", {})["declined"])

    def cancel_request(self, request_id: str) -> bool:
        """Withdraw an outgoing request."""
        return bool(self._call("DELETE", f"/friends/requests/{_seg(request_id)}")["cancelled"])

    def remove_friend(self, external_player_id: str) -> bool:
        """End a friendship (``False`` when there was none)."""
        return bool(self._call("DELETE", f"/friends/{_seg(external_player_id)}")["removed"])

    def search(self, query: str, *, limit: int | None = None) -> list[dict[str, Any]]:
        """Players whose id or display name starts with ``query``, with the relationship."""
        params: dict[str, Any] = {"q": query, **({} if limit is None else {"limit": limit})}
        return cast(
            list[dict[str, Any]], self._call("GET", "/friends/search", params=params)["results"]
        )

    def blocks(self) -> list[dict[str, Any]]:
        """The players this player blocks."""
        return cast(list[dict[str, Any]], self._call("GET", "/blocks")["blocked"])

    def block(
        self, *, friend_code: str | None = None, external_player_id: str | None = None
    ) -> dict[str, Any]:
        """Block a player (ends any friendship or request between the two)."""
        body = _target(friend_code, external_player_id)
        return cast(dict[str, Any], self._post("/blocks", body)["blocked"])

    def unblock(self, external_player_id: str) -> bool:
        """Lift a block (``False`` when there was none)."""
        return bool(self._call("DELETE", f"/blocks/{_seg(external_player_id)}")["unblocked"])

    def _board_params(
        self,
        limit: int | None,
        include_self: bool,
        *,
        segment: str | None = None,
        period: str | None = None,
    ) -> dict[str, Any]:
        """The query, in the TypeScript client's order (the wire then reads the same)."""
        params = _without_none({"limit": limit, "segment": segment, "period": period})
        if include_self:
            params.update(includeSelf="true", externalId=self.external_player_id)
        return params

    def _post(self, path: str, body: dict[str, Any], idempotency_key: str | None = None) -> Any:
        key = idempotency_key or str(uuid.uuid4())
        return self._call("POST", path, json={**body, "idempotencyKey": key})

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = {} if self._secret is None else {PLAYER_SECRET_HEADER: self._secret}
        url = f"/players/{_seg(self.external_player_id)}{path}"
        return self._answer(self._http.request(method, url, headers=headers, **kwargs))

    def _http_get(self, url: str, params: dict[str, Any]) -> Any:
        return self._answer(self._http.get(url, params=params))

    def _answer(self, response: _http.Response) -> Any:
        try:
            payload = response.json()
        except json.JSONDecodeError:
            payload = None
        if response.is_success and isinstance(payload, dict) and "data" in payload:
            return payload["data"]
        error = payload.get("error") if isinstance(payload, dict) else None
        if not isinstance(error, dict):
            error = {"code": "internal_error", "message": f"HTTP {response.status_code}"}
        raise server_error(
            status=response.status_code,
            code=str(error.get("code")),
            api_message=str(error.get("message")),
            details=error.get("details"),
            request_id=response.headers.get(REQUEST_ID_HEADER),
        )


def _seg(value: str) -> str:
    return quote(value, safe="")


def _attempt(event_key: str, attempt_id: str) -> str:
    return f"/events/{_seg(event_key)}/attempts/{_seg(attempt_id)}"


def _target(friend_code: str | None, external_player_id: str | None) -> dict[str, Any]:
    return _without_none({"friendCode": friend_code, "externalPlayerId": external_player_id})


def _without_none(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if v is not None}
