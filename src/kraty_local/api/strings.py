"""The one gate every caller's string passes, in the body and in the path alike.

The rules hold on both engines (PostgreSQL refuses NUL in text, and no driver stores what is not
UTF-8, while SQLite would keep either), so an input is refused the same way everywhere:

- every string: valid Unicode (no lone surrogate) and no NUL, free-form JSON objects included;
- ids and keys (player ids, catalog and event keys, idempotency and lobby keys, row ids):
  no control character at all (C0, DEL, C1), 1 to *cap* characters;
- free text (reasons, names, avatars, source references): other control characters (tab,
  newline...) are kept, both engines store them; at most *cap* characters;
- path segments are percent-decoded once, strictly: an escape that is not ``%`` and two hex
  digits, or bytes that are not UTF-8, are refused; the decoded id then follows the id rules.

Caps are the store's column sizes (``store/schema.py``); caller-chosen keys kept in unbounded
text columns (idempotency, lobby and attempt keys) have the API's own cap. A broken rule is a
``ValueError``, which request validation reports as ``400 validation_failed`` naming the field.
"""

from __future__ import annotations

import re
from typing import Annotated, Any
from urllib.parse import unquote_to_bytes

from pydantic import AfterValidator, BeforeValidator, Field, StrictStr

from kraty_local.domain.text import id_problem, text_problem
from kraty_local.store.schema import EXTERNAL_ID, ID, KEY, URL

#: Caller-chosen keys stored in unbounded text columns (idempotency, lobby and attempt keys).
CALLER_KEY_LENGTH = 255
#: Free text: reasons, source references, avatars.
TEXT_LENGTH = 2000
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
_ID_PATTERN = "^[^\\u0000-\\u001F\\u007F-\\u009F]*$"
_TEXT_PATTERN = "^[^\\u0000]*$"


def decode_segment(raw: str) -> str:
    """One still-encoded path segment, percent-decoded once, strictly (``ValueError`` if not)."""
    bad = _BAD_ESCAPE.search(raw)
    if bad:
        raise ValueError(f"holds an invalid percent-escape {raw[bad.start() : bad.start() + 3]!r}")
    try:
        return unquote_to_bytes(raw).decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("is not UTF-8 once percent-decoded") from None


def _valid_id(value: str) -> str:
    problem = id_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def _valid_text(value: str) -> str:
    problem = text_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def _valid_json(value: Any, where: str = "") -> Any:
    """Check every string (and key) inside a free-form JSON value."""
    if isinstance(value, str):
        problem = text_problem(value)
        if problem:
            raise ValueError(f"{where or 'a string'} {problem}")
    elif isinstance(value, dict):
        for key, item in value.items():
            _valid_json(key, f"the key {where + '.' if where else ''}{key!r}"[:80])
            _valid_json(item, f"{where + '.' if where else ''}{key}"[:80])
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _valid_json(item, f"{where}[{index}]")
    return value


def _id_field(max_length: int | None) -> Any:
    return Field(min_length=1, max_length=max_length, json_schema_extra={"pattern": _ID_PATTERN})


def _text_field(max_length: int | None, min_length: int = 0) -> Any:
    return Field(
        min_length=min_length, max_length=max_length, json_schema_extra={"pattern": _TEXT_PATTERN}
    )


_ID = AfterValidator(_valid_id)
_TEXT = AfterValidator(_valid_text)
#: Path parameters arrive still encoded (see ``routing``): decoded here, then checked as ids.
_SEGMENT = BeforeValidator(decode_segment)

ExternalPlayerId = Annotated[StrictStr, _id_field(EXTERNAL_ID.length), _ID]
Key = Annotated[StrictStr, _id_field(KEY.length), _ID]
CallerKey = Annotated[StrictStr, _id_field(CALLER_KEY_LENGTH), _ID]
IdempotencyKey = CallerKey
Text = Annotated[StrictStr, _text_field(TEXT_LENGTH), _TEXT]
DisplayName = Annotated[StrictStr, _text_field(KEY.length, min_length=1), _TEXT]
#: Ids Kraty Local makes (grants, lobbies, webhook events and endpoints: uuid4 text).
RowId = Annotated[StrictStr, _id_field(ID.length), _ID]
#: A webhook endpoint: an http(s) URL with no space or control character.
Url = Annotated[StrictStr, Field(max_length=URL.length, pattern=r"^https?://\S+$"), _ID]
#: A webhook signing secret a caller chooses: 16 to 200 characters, no space or control character.
WebhookSecret = Annotated[StrictStr, Field(min_length=16, max_length=200, pattern=r"^\S+$"), _ID]
#: A free-form JSON object (``metadata``, ``parameters``, ``contextSnapshot``).
JsonObject = Annotated[dict[str, Any], AfterValidator(_valid_json)]

PlayerIdPath = Annotated[str, _id_field(EXTERNAL_ID.length), _SEGMENT, _ID]
KeyPath = Annotated[str, _id_field(KEY.length), _SEGMENT, _ID]
RowIdPath = Annotated[str, _id_field(ID.length), _SEGMENT, _ID]
#: Ids the caller makes and Kraty Local keeps as text (attempt ids).
CallerKeyPath = Annotated[str, _id_field(CALLER_KEY_LENGTH), _SEGMENT, _ID]
