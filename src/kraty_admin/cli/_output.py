"""The conventions every ``kraty-admin`` command follows: ``--json``, errors, exit statuses.

- ``--json`` (on every command): stdout carries exactly one JSON document, the command's result
  or summary, or ``{"error": {"code", "message", "details", "request_id", "status"}}``
  (a command that reports as things happen, ``webhooks listen``, prints one
  ``{"event", "data"}`` line each, then an error line if it fails); prompts, progress and
  warnings go to stderr.
- Without it, results are printed for a person, and an error is ``Error: ...`` on stderr with
  its details (a field that failed validation, the fields of an idempotency conflict) and the
  server's request id.
- Exit statuses: 0 done, 1 failed, 2 usage error (or a confirmation that cannot be asked),
  130 interrupted (Ctrl-C).

Commands raise :class:`CommandError` (or let SDK and click errors through); the root group
(:class:`KratyGroup`) reports every one of them in the mode the command was run in.
"""

from __future__ import annotations

import ipaddress
import json
import sys
from collections.abc import Callable, Mapping
from typing import Any, TypeVar
from urllib.parse import urlsplit

import click
from rich.console import Console, RenderableType

from kraty_admin import KratyError, KratyNetworkError, KratyServerError

F = TypeVar("F", bound=Callable[..., Any])

_JSON = "kraty_admin.json"
_ARGV = "kraty_admin.argv"
_SERVER = "kraty_admin.server"

#: Exit status of a command stopped by Ctrl-C (128 + SIGINT, as shells report it).
EXIT_INTERRUPTED = 130
LOCAL_SERVE_HINT = "is Kraty Local running? start it with `kraty-admin local serve`"


class CommandError(Exception):
    """A command's failure, reported as ``Error: ...`` or as a JSON ``error`` object."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        details: Any = None,
        request_id: str | None = None,
        status: int | None = None,
        exit_code: int = 1,
    ) -> None:
        """``code`` is machine-readable (the server's error code, or the CLI's own)."""
        super().__init__(message)
        self.message = message
        self.code = code
        self.details = details
        self.request_id = request_id
        self.status = status
        self.exit_code = exit_code

    def as_json(self) -> dict[str, Any]:
        """The ``--json`` form."""
        return {
            "error": {
                "code": self.code,
                "message": self.message,
                "details": self.details,
                "request_id": self.request_id,
                "status": self.status,
            }
        }


# --- mode and output -------------------------------------------------------------------------


def json_mode() -> bool:
    """Whether the running command was given ``--json``."""
    ctx = click.get_current_context(silent=True)
    return ctx is not None and bool(ctx.meta.get(_JSON))


def _remember_json(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value:
        ctx.meta[_JSON] = True  # meta is shared by every context of the invocation


def json_option() -> click.Option:
    """The ``--json`` flag (:func:`install_conventions` adds it to every command)."""
    return click.Option(
        ["--json"],
        is_flag=True,
        expose_value=False,
        is_eager=True,  # known before any other parameter can fail
        callback=_remember_json,
        help="Print one JSON document on stdout (the result, or the error), for scripts.",
    )


def emit(value: Any, human: RenderableType | None = None) -> None:
    """Print a command's result: compact JSON with ``--json``; else ``human`` (a plain
    ``str`` is printed as it is, without markup), or ``value`` as indented JSON."""
    if json_mode():
        click.echo(json.dumps(value, ensure_ascii=False, default=str))
    elif isinstance(human, str):
        click.echo(human)
    elif human is not None:
        Console().print(human)
    else:
        Console().print_json(data=value, default=str)


def json_line(kind: str, data: Any) -> None:
    """With ``--json``, one line ``{"event": kind, "data": data}`` on stdout, for commands that
    report as things happen (JSON Lines); nothing otherwise."""
    if json_mode():
        click.echo(json.dumps({"event": kind, "data": data}, ensure_ascii=False, default=str))


def warn(message: str) -> None:
    """A warning on stderr (in both modes: stdout stays one JSON document)."""
    Console(stderr=True, highlight=False, soft_wrap=True).print(f"[yellow]Warning:[/] {message}")


def remember_server(base_url: str) -> None:
    """Record the server the command talks to (errors use it to give a hint)."""
    ctx = click.get_current_context(silent=True)
    if ctx is not None:
        ctx.meta[_SERVER] = base_url


# --- confirmation ----------------------------------------------------------------------------


def yes_option(command: F) -> F:
    """``--yes``/``-y``: skip the confirmation of a destructive command."""
    return click.option(
        "--yes",
        "-y",
        is_flag=True,
        help="Do not ask for confirmation (required when stdin is not a terminal).",
    )(command)


def confirm(question: str, *, yes: bool) -> None:
    """Ask ``question`` before an irreversible change, unless ``yes``.

    Without a terminal to ask on, refuse (exit 2) and say that ``--yes`` confirms; a "no"
    stops the command (exit 1). The prompt goes to stderr.
    """
    if yes:
        return
    if not sys.stdin.isatty():
        raise CommandError(
            "confirmation_required",
            f"{question} Not asked: stdin is not a terminal. Pass --yes to confirm.",
            exit_code=2,
        )
    if not click.confirm(question, default=False, err=True):
        raise CommandError("aborted", "Not confirmed; nothing was changed.")


# --- errors ----------------------------------------------------------------------------------


def _is_loopback(base_url: str | None) -> bool:
    host = urlsplit(base_url or "").hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def command_error(exc: BaseException, ctx: click.Context) -> CommandError:
    """What a failed command reports, for any error it can end with."""
    if isinstance(exc, CommandError):
        return exc
    if isinstance(exc, KratyServerError):
        return CommandError(
            exc.code,
            exc.api_message,
            details=exc.details,
            request_id=exc.request_id,
            status=exc.status,
        )
    if isinstance(exc, KratyNetworkError):
        message = str(exc)
        if _is_loopback(ctx.meta.get(_SERVER)):
            message = f"{message}\n{LOCAL_SERVE_HINT}"
        return CommandError("network_error", message)
    if isinstance(exc, KeyboardInterrupt):
        return CommandError("interrupted", "Interrupted.", exit_code=EXIT_INTERRUPTED)
    if isinstance(exc, click.Abort):
        return CommandError("aborted", "Aborted.")
    if isinstance(exc, click.UsageError):
        return CommandError("usage_error", exc.format_message(), exit_code=exc.exit_code)
    if isinstance(exc, click.ClickException):
        code = getattr(exc, "code", "failed")
        return CommandError(code, exc.format_message(), exit_code=exc.exit_code)
    return CommandError("failed", str(exc))


def _detail_lines(details: Any) -> list[str]:
    """A server error's details as indented lines: one per field for validation errors."""
    if details is None or details == {} or details == []:
        return []
    if isinstance(details, list):
        lines = []
        for item in details:
            if isinstance(item, Mapping) and "message" in item:
                where = item.get("field") or "(body)"
                lines.append(f"  {where}: {item['message']}")
            else:
                lines.append(f"  {_plain(item)}")
        return lines
    if isinstance(details, Mapping):
        return [f"  {key}: {_plain(value)}" for key, value in details.items()]
    return [f"  {details}"]


def _plain(value: Any) -> str:
    if isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value):
        return ", ".join(str(v) for v in value)
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)


def report(exc: BaseException, ctx: click.Context) -> int:
    """Print a failed command's error in its mode; the exit status."""
    error = command_error(exc, ctx)
    argv = ctx.meta.get(_ARGV, ())
    if ctx.meta.get(_JSON) or "--json" in argv:
        click.echo(json.dumps(error.as_json(), ensure_ascii=False, default=str))
        return error.exit_code
    if isinstance(exc, click.UsageError):
        exc.show()  # click's own form: usage line, "Try --help", the error
        return error.exit_code
    # The first line is str(KratyServerError), request id included: what support asks for.
    first = f"[{error.status}] {error.code}: {error.message}" if error.status else error.message
    if error.request_id:
        first += f" (request id {error.request_id})"
    click.echo("\n".join([f"Error: {first}", *_detail_lines(error.details)]), err=True)
    return error.exit_code


# --- the command tree ------------------------------------------------------------------------


class KratyGroup(click.Group):
    """The root group: reports every command's error by the conventions above."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Keep the arguments: a usage error found before ``--json`` was read still needs
        to know whether it was given."""
        ctx.meta[_ARGV] = tuple(args)
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; an error is reported and becomes the exit status."""
        try:
            return super().invoke(ctx)
        except (CommandError, click.ClickException, click.Abort, KratyError) as exc:
            raise click.exceptions.Exit(report(exc, ctx)) from None
        except KeyboardInterrupt as exc:
            click.echo(err=True)  # end the line the ^C was echoed on
            raise click.exceptions.Exit(report(exc, ctx)) from None


def install_conventions(command: click.Command) -> None:
    """Give every command under ``command`` the ``--json`` flag."""
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            install_conventions(sub)
        return
    if not any(param.name == "json" for param in command.params):
        command.params.append(json_option())
