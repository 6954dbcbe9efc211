"""`lens keys`: create, list and revoke API keys.

Added to `lens` by the plugin list in app/cli/__init__.py. Exit codes: 0 ok, 1 failure (e.g. no
such key), 2 usage error.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

import typer

from app.cli.common import EXIT_USAGE, MigrateOpt, database, err_console, fail
from app.core.config import get_settings
from app.errors import NotFoundError, RequestInvalidError
from app.models import ApiKey, KeyScope

cli = typer.Typer(
    help="Manage API keys: clients send one as `Authorization: Bearer <key>`.",
    no_args_is_help=True,
)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead.")]


@cli.command()
def create(
    name: Annotated[str, typer.Argument(help="Who or what the key is for, e.g. `importer`.")],
    scope: Annotated[
        KeyScope, typer.Option(help="`read`, or `write` (storing articles; implies read).")
    ] = KeyScope.read,
    as_json: JsonOpt = False,
    migrate: MigrateOpt = True,
) -> None:
    """Create an API key and print it; only its hash is stored, so it is shown this once.

    Once any key exists, writing (POST /v1/articles, /v1/articles/batch, /v1/reannotate) needs a
    `write` key; reads need a key only with LENS_AUTH_READS=true. A running server picks the
    change up at once.

    Examples:

      lens keys create importer --scope write

      curl -H "Authorization: Bearer $(lens keys create dashboard --json | jq -r .key)" ...
    """
    from app.services import api_keys

    with database(get_settings(), migrate=migrate) as factory, factory.begin() as session:
        try:
            created = api_keys.create(session, name, scope)
        except RequestInvalidError as exc:
            raise fail(exc.detail, EXIT_USAGE) from None
        view = _view(created.key)
    if as_json:
        typer.echo(json.dumps({**view, "key": created.secret}))
        return
    typer.echo(created.secret)
    err_console.print(
        f"API key {view['id']} ({view['name']}, {view['scope']}) created. "
        "Store it now: it cannot be shown again.",
        highlight=False,
    )


@cli.command("list")
def list_keys(as_json: JsonOpt = False, migrate: MigrateOpt = True) -> None:
    """List the API keys: id, name, prefix, scope, when created, last used and revoked.

    The secrets themselves are not stored, so they cannot be listed; the prefix is enough to
    recognise a key.

    Examples:

      lens keys list

      lens keys list --json | jq '.[] | select(.revoked_at == null) | .name'
    """
    from app.services import api_keys

    with database(get_settings(), migrate=migrate) as factory, factory() as session:
        views = [_view(key) for key in api_keys.list_keys(session)]
    if as_json:
        typer.echo(json.dumps(views))
        return
    if not views:
        typer.echo("no API keys: the API is open to anyone who can reach it")
        return
    typer.echo(
        f"{'ID':>4}  {'NAME':<20} {'PREFIX':<15} {'SCOPE':<6} {'CREATED':<17} "
        f"{'LAST USED':<17} REVOKED"
    )
    for view in views:
        typer.echo(
            f"{view['id']:>4}  {view['name'][:20]:<20} {view['prefix']:<15} {view['scope']:<6} "
            f"{_when(view['created_at']):<17} {_when(view['last_used_at']):<17} "
            f"{_when(view['revoked_at'])}"
        )


@cli.command()
def revoke(
    id_or_prefix: Annotated[
        str, typer.Argument(help="The key's id or the prefix `lens keys list` shows.")
    ],
    migrate: MigrateOpt = True,
) -> None:
    """Revoke an API key: requests with it are refused (401) from now on.

    Examples:

      lens keys revoke 3

      lens keys revoke lens_AbCd1234
    """
    from app.services import api_keys

    with database(get_settings(), migrate=migrate) as factory, factory.begin() as session:
        try:
            key = api_keys.find(session, id_or_prefix)
        except (NotFoundError, RequestInvalidError) as exc:
            raise fail(exc.detail) from None
        revoked = api_keys.revoke(session, key)
        label = f"API key {key.id} ({key.name}, {api_keys.display_prefix(key)})"
    typer.echo(f"{label} {'revoked' if revoked else 'was already revoked'}")


def _view(key: ApiKey) -> dict[str, Any]:
    from app.services.api_keys import display_prefix

    return {
        "id": key.id,
        "name": key.name,
        "prefix": display_prefix(key),
        "scope": key.scope.value,
        "created_at": _iso(key.created_at),
        "last_used_at": _iso(key.last_used_at),
        "revoked_at": _iso(key.revoked_at),
    }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _when(iso: str | None) -> str:
    return "-" if iso is None else datetime.fromisoformat(iso).strftime("%Y-%m-%d %H:%M")


def warn_if_open(host: str) -> None:
    """For `lens serve`: shout when a server anyone on the network can reach has no API keys."""
    import ipaddress
    import logging

    from sqlalchemy.exc import SQLAlchemyError

    from app.services import api_keys

    try:
        if host == "localhost" or ipaddress.ip_address(host).is_loopback:
            return
    except ValueError:
        pass  # a host name other than localhost: assume it is reachable from elsewhere
    try:
        with database(get_settings()) as factory, factory() as session:
            if api_keys.any_created(session):
                return
    except SQLAlchemyError:
        return  # the server's own start-up check reports the database
    logging.getLogger("app.cli").warning(
        "SERVING ON %s WITH NO API KEYS: anyone who can reach this address can store, "
        "re-annotate and read articles. Create a key first: lens keys create NAME --scope write",
        host,
    )
