"""Every table of Kraty Local, for the whole ``/server/v1`` contract.

Portable SQL only (SQLite and PostgreSQL): string UUID ids, BigInteger amounts, JSON columns,
timestamps normalized to UTC. Balances and quantities carry ``CHECK (... >= 0)`` as a last line
of defence; services change them only with a conditional UPDATE plus an append-only ledger row.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, cast

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every engine (SQLite stores it naive).

    On SQLite each value is converted by one function each way (the text SQLAlchemy's SQLite
    ``DATETIME`` stores, ``YYYY-MM-DD HH:MM:SS.ffffff``), instead of this type's conversion
    chained with the dialect's, and a run of equal values (a batch stamped with one ``now``)
    is converted once.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Store UTC (naive on SQLite)."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Read back as aware UTC."""
        if value is None:
            return None
        return (
            value.replace(tzinfo=timezone.utc)
            if value.tzinfo is None
            else value.astimezone(timezone.utc)
        )

    def bind_processor(self, dialect: Dialect) -> Any:
        """SQLite: aware datetime to stored text in one step; elsewhere the chained default."""
        if dialect.name != "sqlite":
            return super().bind_processor(dialect)
        # The previous value and its text, swapped as one tuple (threads share the processor).
        last: list[tuple[datetime | None, str | None]] = [(None, None)]

        def process(value: datetime | None) -> str | None:
            if value is None:
                return None
            previous, text = last[0]
            if value is previous:
                return text
            if value.tzinfo is None:
                raise ValueError("naive datetime given to a UTC column")
            utc = value.astimezone(timezone.utc).replace(tzinfo=None)
            text = utc.isoformat(" ", "microseconds")
            last[0] = (value, text)
            return text

        return process

    def result_processor(self, dialect: Dialect, coltype: Any) -> Any:
        """SQLite: stored text to aware UTC in one step; elsewhere the chained default."""
        fallback = super().result_processor(dialect, coltype)
        if dialect.name != "sqlite":
            return fallback

        def process(value: str | None) -> datetime | None:
            if value is None:
                return None
            try:
                return datetime.fromisoformat(value).replace(tzinfo=timezone.utc)
            except (TypeError, ValueError):  # not the stored form: the dialect's own parsing
                return cast(datetime, fallback(value)) if fallback else None

        return process


ID = String(36)  # uuid4 text
KEY = String(200)  # catalog keys, event keys, studio/game ids
EXTERNAL_ID = String(512)
AUTOINC = BigInteger().with_variant(Integer, "sqlite")  # SQLite autoincrements INTEGER only

#: Constraint names follow a convention, so later migrations can address them on every engine.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def _id() -> Column[Any]:
    return Column("id", ID, primary_key=True)


def _ts(name: str, nullable: bool = False) -> Column[Any]:
    return Column(name, UtcDateTime(), nullable=nullable)


meta = Table(
    "meta",
    metadata,
    Column("key", KEY, primary_key=True),
    Column("value", Text, nullable=False),
)

api_keys = Table(
    "api_keys",
    metadata,
    _id(),
    Column("prefix", KEY, nullable=False, unique=True),
    Column("secret_sha256", String(64), nullable=False),
    Column("studio_id", KEY, nullable=False),
    Column("game_id", KEY),
    Column("permission_set", KEY, nullable=False),
    Column("environment", String(10), nullable=False),
    _ts("created_at"),
    _ts("revoked_at", nullable=True),
)

players = Table(
    "players",
    metadata,
    _id(),
    Column("studio_id", KEY, nullable=False),
    Column("game_id", KEY, nullable=False),
    Column("external_player_id", EXTERNAL_ID, nullable=False),
    _ts("created_at"),
    _ts("updated_at"),
    _ts("first_seen_at", nullable=True),  # set with created_at by every path that creates one
    _ts("last_seen_at", nullable=True),
    Column("last_context_snapshot", JSON),
    _ts("registered_at", nullable=True),
    _ts("secret_rotated_at", nullable=True),
    _ts("banned_at", nullable=True),
    Column("ban_reason", Text),
    _ts("deleted_at", nullable=True),
    Column("merged_into_id", ID, ForeignKey("players.id")),
    Column("synthetic_name", Text),
    Column("synthetic_avatar", Text),
    Column("country", String(2)),  # ISO-3166 alpha-2, where known
    _ts("last_active_at", nullable=True),  # the latest presence heartbeat
    Column("presence_status", Text),  # free-form status the client set with its heartbeat
    # The player's client secret (/sdk/v1): only its SHA-256, NULL until the player registers.
    Column("secret_sha256", String(64)),
    Column("secret_prefix", String(16)),
    UniqueConstraint("game_id", "external_player_id", name="uq_players_game_external"),
)

wallets = Table(
    "wallets",
    metadata,
    _id(),
    Column("player_id", ID, ForeignKey("players.id"), nullable=False),
    Column("economy_key", KEY, nullable=False),
    Column("balance", BigInteger, nullable=False),
    Column("metadata", JSON),
    _ts("created_at"),
    _ts("updated_at"),
    UniqueConstraint("player_id", "economy_key", name="uq_wallets_player_key"),
    CheckConstraint("balance >= 0", name="ck_wallets_balance_non_negative"),
)

wallet_ledger = Table(
    "wallet_ledger",
    metadata,
    Column("id", AUTOINC, primary_key=True, autoincrement=True),
    Column("wallet_id", ID, ForeignKey("wallets.id"), nullable=False),
    Column("player_id", ID, ForeignKey("players.id"), nullable=False),
    Column("economy_key", KEY, nullable=False),
    Column("delta", BigInteger, nullable=False),
    Column("balance_after", BigInteger, nullable=False),
    Column("reason", Text),
    Column("source_kind", KEY, nullable=False),  # api | grant | migration | merge
    Column("source_ref_id", Text),
    Column("grant_id", ID, ForeignKey("grants.id")),
    Column("actor", KEY, nullable=False),
    _ts("created_at"),
    Index("ix_wallet_ledger_wallet", "wallet_id", "id"),
)

inventory = Table(
    "inventory",
    metadata,
    _id(),
    Column("player_id", ID, ForeignKey("players.id"), nullable=False),
    Column("item_key", KEY, nullable=False),
    Column("quantity", BigInteger, nullable=False),
    Column("parameters", JSON),
    Column("metadata", JSON),
    _ts("created_at"),
    _ts("updated_at"),
    UniqueConstraint("player_id", "item_key", name="uq_inventory_player_item"),
    CheckConstraint("quantity >= 0", name="ck_inventory_quantity_non_negative"),
)

inventory_ledger = Table(
    "inventory_ledger",
    metadata,
    Column("id", AUTOINC, primary_key=True, autoincrement=True),
    Column("inventory_id", ID, ForeignKey("inventory.id"), nullable=False),
    Column("player_id", ID, ForeignKey("players.id"), nullable=False),
    Column("item_key", KEY, nullable=False),
    Column("delta", BigInteger, nullable=False),
    Column("quantity_after", BigInteger, nullable=False),
    Column("parameters", JSON),
    Column("reason", Text),
    Column("source_kind", KEY, nullable=False),
    Column("source_ref_id", Text),
    Column("grant_id", ID, ForeignKey("grants.id")),
    Column("actor", KEY, nullable=False),
    _ts("created_at"),
    Index("ix_inventory_ledger_inventory", "inventory_id", "id"),
)

grants = Table(
    "grants",
    metadata,
    _id(),
    Column("studio_id", KEY, nullable=False),
    Column("game_id", KEY, nullable=False),
    Column("player_id", ID, ForeignKey("players.id"), nullable=False),
    Column("kind", KEY, nullable=False),  # reward | crate
    Column("contents", JSON, nullable=False),  # {"entries": [...]}
    Column("source_kind", KEY, nullable=False),  # api | admin | grant (crate children)
    Column("source_ref_id", Text),
    Column("parent_grant_id", ID, ForeignKey("grants.id")),
    Column("status", String(16), nullable=False),  # pending | claimed (expired is derived)
    _ts("rolled_at", nullable=True),
    _ts("claimed_at", nullable=True),
    _ts("expires_at", nullable=True),
    _ts("created_at"),
    Column("metadata", JSON),
    Column("acked_by", KEY),
    Index("ix_grants_player_created", "player_id", "created_at"),
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("id", AUTOINC, primary_key=True, autoincrement=True),
    Column("scope_hash", String(64), nullable=False, unique=True),  # sha256 of the whole scope
    Column("studio_id", KEY, nullable=False),
    Column("game_id", KEY, nullable=False),
    Column("method", String(10), nullable=False),
    Column("path", Text, nullable=False),
    Column("key", Text, nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("request_body", JSON, nullable=False),
    Column("response_status", Integer),
    Column("response_body", JSON),
    _ts("created_at"),
)

migration_keys = Table(
    "migration_keys",
    metadata,
    Column("id", AUTOINC, primary_key=True, autoincrement=True),
    Column("studio_id", KEY, nullable=False),
    Column("game_id", KEY, nullable=False),
    Column("endpoint", KEY, nullable=False),  # players | wallet | inventory
    Column("key", Text, nullable=False),
    _ts("created_at"),
    UniqueConstraint("game_id", "endpoint", "key", name="uq_migration_keys_scope"),
)

lobbies = Table(
    "lobbies",
    metadata,
    _id(),
    Column("studio_id", KEY, nullable=False),
    Column("game_id", KEY, nullable=False),
    Column("key", Text, nullable=False),  # the studio's lobby id, the idempotency key
    Column("event_key", KEY, nullable=False),
    Column("event_window_id", KEY, nullable=False),
    Column("leaderboard_id", KEY, nullable=False),
    Column("mode", KEY, nullable=False),
    Column("status", String(16), nullable=False),  # forming | active | closed
    Column("capacity", Integer, nullable=False),
    Column("fill_bots", Boolean, nullable=False),
    Column("bot_slots", Integer, nullable=False),
    Column("metadata", JSON),
    Column("request", JSON),  # the first push, which a re-push under the same key must match
    _ts("fill_by", nullable=True),
    _ts("started_at", nullable=True),
    _ts("ends_at", nullable=True),
    _ts("created_at"),
    _ts("updated_at"),
    UniqueConstraint("game_id", "key", name="uq_lobbies_game_key"),
    Index("ix_lobbies_board", "game_id", "leaderboard_id"),  # event board reads find the lobby
)

lobby_members = Table(
    "lobby_members",
    metadata,
    Column("id", AUTOINC, primary_key=True, autoincrement=True),
    Column("lobby_id", ID, ForeignKey("lobbies.id"), nullable=False),
    Column("player_id", ID, ForeignKey("players.id"), nullable=False),
    _ts("joined_at"),
    UniqueConstraint("lobby_id", "player_id", name="uq_lobby_members"),
)

attempts = Table(
    "attempts",
    metadata,
    _id(),
    Column("studio_id", KEY, nullable=False),
    Column("game_id", KEY, nullable=False),
    Column("player_id", ID, ForeignKey("players.id"), nullable=False),
    Column("event_key", KEY, nullable=False),
    Column("attempt_key", Text, nullable=False),  # the attemptId of the path
    Column("lobby_id", ID, ForeignKey("lobbies.id")),  # the lobby it ranks in, if any
    Column("event_window_id", KEY),  # NULL only on attempts started before revision 0003
    Column("leaderboard_id", KEY),  # likewise
    _ts("ends_at", nullable=True),  # likewise: the end of its event window
    # in_progress | completed | expired | force_completed
    Column("status", String(16), nullable=False),
    Column("metric_value", Float),  # the attempt's score, what milestones compare with
    Column("metrics", JSON),
    Column("milestones_fired", JSON),
    _ts("last_progress_at", nullable=True),  # occurredAt of the latest progress report
    _ts("started_at"),
    _ts("finished_at", nullable=True),
    _ts("created_at"),
    _ts("updated_at"),
    UniqueConstraint("player_id", "event_key", "attempt_key", name="uq_attempts_player_key"),
    Index("ix_attempts_board", "game_id", "leaderboard_id"),  # event board reads rank these
)

leaderboard_entries = Table(
    "leaderboard_entries",
    metadata,
    Column("id", AUTOINC, primary_key=True, autoincrement=True),
    Column("studio_id", KEY, nullable=False),
    Column("game_id", KEY, nullable=False),
    Column("leaderboard_key", KEY, nullable=False),
    Column("segment", KEY, nullable=False),  # "" when unsegmented
    # the start of the board's reset period the score counts in (the Unix epoch: never reset)
    _ts("period_start"),
    Column("player_id", ID, ForeignKey("players.id"), nullable=False),
    Column("lobby_id", ID, ForeignKey("lobbies.id")),
    Column("score", Float, nullable=False),
    _ts("created_at"),
    _ts("updated_at"),
    UniqueConstraint(
        "game_id",
        "leaderboard_key",
        "segment",
        "period_start",
        "player_id",
        name="uq_leaderboard_entries",
    ),
    Index("ix_leaderboard_rank", "game_id", "leaderboard_key", "segment", "period_start", "score"),
)

friends = Table(
    "friends",
    metadata,
    Column("id", AUTOINC, primary_key=True, autoincrement=True),
    Column("player_id", ID, ForeignKey("players.id"), nullable=False),
    Column("friend_player_id", ID, ForeignKey("players.id"), nullable=False),
    _ts("created_at"),
    UniqueConstraint("player_id", "friend_player_id", name="uq_friends_pair"),
)

friend_requests = Table(
    "friend_requests",
    metadata,
    _id(),
    Column("from_player_id", ID, ForeignKey("players.id"), nullable=False),
    Column("to_player_id", ID, ForeignKey("players.id"), nullable=False),
    Column("status", String(16), nullable=False),  # pending | accepted | declined
    _ts("created_at"),
    _ts("updated_at"),
    UniqueConstraint("from_player_id", "to_player_id", name="uq_friend_requests_pair"),
)

blocks = Table(
    "blocks",
    metadata,
    Column("id", AUTOINC, primary_key=True, autoincrement=True),
    Column("player_id", ID, ForeignKey("players.id"), nullable=False),
    Column("blocked_player_id", ID, ForeignKey("players.id"), nullable=False),
    _ts("created_at"),
    UniqueConstraint("player_id", "blocked_player_id", name="uq_blocks_pair"),
)

player_tombstones = Table(
    "player_tombstones",
    metadata,
    Column("id", AUTOINC, primary_key=True, autoincrement=True),
    Column("game_id", KEY, nullable=False),
    Column("external_id_sha256", String(64), nullable=False),  # of the id the row gave up
    Column("player_id", ID, ForeignKey("players.id"), nullable=False),  # the anonymized row
    Column("kind", String(16), nullable=False),  # erased | merged
    _ts("created_at"),
    Index("ix_player_tombstones_lookup", "game_id", "external_id_sha256"),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", AUTOINC, primary_key=True, autoincrement=True),
    Column("studio_id", KEY, nullable=False),
    Column("game_id", KEY),
    Column("actor", KEY, nullable=False),  # api_key:<prefix>
    Column("action", KEY, nullable=False),
    Column("player_id", ID, ForeignKey("players.id")),
    Column("details", JSON),
    _ts("at"),
)

webhook_outbox = Table(
    "webhook_outbox",
    metadata,
    Column("id", ID, primary_key=True),  # the event id, stable across redeliveries
    Column("studio_id", KEY, nullable=False),
    Column("game_id", KEY, nullable=False),
    Column("event_name", KEY, nullable=False),
    Column("payload", JSON, nullable=False),  # the event body as delivered
    _ts("created_at"),
    Column("status", String(16), nullable=False),  # pending | delivered | dead
    Column("attempts", Integer, nullable=False),
    _ts("next_attempt_at"),
    _ts("last_attempt_at", nullable=True),
    Column("last_status", Integer),
    Column("last_error", Text),
    Column("delivered_to", JSON),  # endpoint urls that already answered 2xx
    _ts("delivered_at", nullable=True),
    Index("ix_webhook_outbox_due", "status", "next_attempt_at"),
)

URL = String(2048)

webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("id", AUTOINC, primary_key=True, autoincrement=True),  # also the delivery order
    Column("event_id", ID, ForeignKey("webhook_outbox.id"), nullable=False),
    Column("game_id", KEY, nullable=False),
    Column("endpoint_url", URL, nullable=False),
    Column("ordering_key", EXTERNAL_ID),  # the player the event is about; NULL: unordered
    Column("status", String(16), nullable=False),  # pending | delivered | dead
    Column("attempts", Integer, nullable=False),
    _ts("next_attempt_at"),  # a claimed delivery's lease expiry while it is in flight
    _ts("last_attempt_at", nullable=True),
    Column("last_status", Integer),
    Column("last_error", Text),
    _ts("delivered_at", nullable=True),
    _ts("created_at"),
    UniqueConstraint("event_id", "endpoint_url", name="uq_webhook_deliveries_event_endpoint"),
    Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
    Index("ix_webhook_deliveries_order", "endpoint_url", "ordering_key", "status", "id"),
)

webhook_endpoints = Table(
    "webhook_endpoints",  # registered at run time (kraty-admin webhooks listen), beside the world's
    metadata,
    _id(),
    Column("game_id", KEY, nullable=False),
    Column("url", URL, nullable=False),
    Column("secret", Text, nullable=False),
    _ts("created_at"),
    _ts("expires_at"),  # pushed forward while a listener's stream is open
    Index("ix_webhook_endpoints_game", "game_id"),
    Index("ix_webhook_endpoints_expires", "expires_at"),
)
