"""The root ``kraty-admin`` click group; each sub-command lives in its own module."""

from __future__ import annotations

import click

from kraty_admin import __version__
from kraty_admin.cli._demo import demo
from kraty_admin.cli._local import local
from kraty_admin.cli._migrate import migrate
from kraty_admin.cli._output import KratyGroup, install_conventions
from kraty_admin.cli._support import inventory, ping, players, wallet
from kraty_admin.cli._webhooks import local_webhooks, webhooks


@click.group(cls=KratyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kraty-admin")
def cli() -> None:
    """Kraty server-side admin tools and Kraty Local.

    Every command takes --json (one JSON document on stdout: the result or the error).
    Exit status: 0 done, 1 failed, 2 usage error, 130 interrupted.
    """


cli.add_command(demo)
cli.add_command(local)
cli.add_command(migrate)
cli.add_command(webhooks)
local.add_command(local_webhooks)
for _command in (ping, players, wallet, inventory):
    cli.add_command(_command)
install_conventions(cli)
