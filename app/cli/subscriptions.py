"""`lens subscriptions`: list, create, test and re-send, for every key's subscriptions.

Added to `lens` by the plugin list in app/cli/__init__.py. Exit codes: 0 ok, 1 failure (no such
subscription, a test that was not answered 2xx), 2 usage error (a bad filter).
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from app.cli.common import EXIT_USAGE, MigrateOpt, database, err_console, fail
from app.core.config import get_settings

cli = typer.Typer(
    help="Saved searches that push new matches: signed webhooks and Atom feeds.",
    no_args_is_help=True,
)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead.")]


@cli.command("list")
def list_subscriptions(as_json: JsonOpt = False, migrate: MigrateOpt = True) -> None:
    """List every subscription (whichever key owns it) with its deliveries by state.

    Examples:

      lens subscriptions list

      lens subscriptions list --json | jq '.[] | select(.deliveries.failed > 0) | .id'
    """
    from app.services import subscriptions

    with database(get_settings(), migrate=migrate) as factory, factory() as session:
        rows = [
            {**view.model_dump(mode="json"), "api_key_id": owner}
            for view, owner in subscriptions.every(session)
        ]
    if as_json:
        typer.echo(json.dumps(rows))
        return
    if not rows:
        typer.echo("no subscriptions")
        return
    typer.echo(f"{'ID':>4}  {'NAME':<24} {'KEY':>4} {'ACTIVE':<6} {'DELIVERIES':<28} WEBHOOK")
    for row in rows:
        counts = ", ".join(f"{k} {v}" for k, v in sorted(row["deliveries"].items())) or "-"
        webhook = row["webhook"]["url"] if row["webhook"] else "(feed only)"
        typer.echo(
            f"{row['id']:>4}  {row['name'][:24]:<24} {row['api_key_id'] or '-':>4} "
            f"{'yes' if row['active'] else 'no':<6} {counts[:28]:<28} {webhook}"
        )


@cli.command()
def create(
    name: Annotated[str, typer.Argument(help="What it watches, e.g. `India, negative`.")],
    filter_: Annotated[
        list[str] | None,
        typer.Option(
            "--filter",
            "-f",
            help="A filter of GET /v1/articles as NAME=VALUE; repeat (`-f actor=India -f "
            "actor=China`).",
        ),
    ] = None,
    webhook: Annotated[
        str | None, typer.Option(help="Where to POST each new match; none: a feed only.")
    ] = None,
    key: Annotated[
        str | None,
        typer.Option(
            "--key",
            help="The API key that owns it, by id or prefix (`lens keys list`); none: the "
            "open API's.",
        ),
    ] = None,
    as_json: JsonOpt = False,
    migrate: MigrateOpt = True,
) -> None:
    """Save a search and print its signing secret (shown this once).

    Examples:

      lens subscriptions create "India, negative" -f actor=India -f actor_sentiment=negative \\
          --webhook https://hooks.example.org/lens --key 2

      lens subscriptions create "RT on NATO" -f outlet=RT -f actor=NATO    # a feed only
    """
    from pydantic import ValidationError

    from app.api.search_params import SearchFilters, saved_filters
    from app.core.db import utcnow
    from app.errors import DomainError
    from app.services import api_keys, subscriptions

    try:
        filters = SearchFilters.model_validate(_pairs(filter_ or []))
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise fail(f"invalid filters: {problems}", EXIT_USAGE) from None
    except ValueError as exc:
        raise fail(str(exc), EXIT_USAGE) from None
    shown, query = saved_filters(filters)
    settings = get_settings()
    with database(settings, migrate=migrate) as factory, factory.begin() as session:
        try:
            owner = api_keys.find(session, key).id if key is not None else None
            created = subscriptions.create(
                session,
                settings,
                owner=owner,
                name=name,
                filters=shown,
                query=query,
                webhook_url=webhook,
                now=utcnow(),
            )
        except DomainError as exc:
            raise fail(exc.detail, EXIT_USAGE) from None
    if as_json:
        typer.echo(created.model_dump_json())
        return
    typer.echo(created.secret)
    err_console.print(
        f"Subscription {created.id} ({created.name}) created; feed at {created.feed}. "
        "Store the secret now: it cannot be shown again.",
        highlight=False,
    )


@cli.command("test")
def send_test(
    subscription_id: Annotated[int, typer.Argument(help="The subscription's id.")],
    migrate: MigrateOpt = True,
) -> None:
    """POST a signed `subscription.test` event to its webhook now, and print the answer.

    Example: lens subscriptions test 3
    """
    from app.core.db import utcnow
    from app.errors import DomainError
    from app.services import subscriptions

    settings = get_settings()
    with database(settings, migrate=migrate) as factory, factory() as session:
        try:
            outcome = subscriptions.send_test(session, settings, subscription_id, utcnow())
        except DomainError as exc:
            raise fail(exc.detail) from None
    status = outcome.status if outcome.status is not None else "no answer"
    line = f"HTTP {status} in {outcome.milliseconds} ms"
    if not outcome.delivered:
        raise fail(f"{line}: {outcome.error}")
    typer.echo(line)


@cli.command()
def resend(
    subscription_id: Annotated[int, typer.Argument(help="The subscription's id.")],
    delivery_ids: Annotated[
        list[int] | None,
        typer.Argument(help="Deliveries to send again; none: every failed one."),
    ] = None,
    migrate: MigrateOpt = True,
) -> None:
    """Queue deliveries again (same `webhook-id`); a worker sends them.

    Examples:

      lens subscriptions resend 3          # every failed delivery of subscription 3

      lens subscriptions resend 3 311 312
    """
    from app.core.db import utcnow
    from app.errors import DomainError
    from app.services import subscriptions

    with database(get_settings(), migrate=migrate) as factory, factory.begin() as session:
        try:
            count = subscriptions.resend_failed(
                session, subscription_id, delivery_ids or [], utcnow()
            )
        except DomainError as exc:
            raise fail(exc.detail) from None
    typer.echo(f"{count} deliveries queued again")


def _pairs(items: list[str]) -> dict[str, Any]:
    """NAME=VALUE options as the JSON filters: repeated names (and list filters) as lists."""
    from app.api.search_params import SearchFilters

    lists = {
        info.alias or name
        for name, info in SearchFilters.model_fields.items()
        if "list" in str(info.annotation)
    }
    found: dict[str, Any] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep:
            raise ValueError(f"--filter {item!r}: write NAME=VALUE, e.g. actor=India")
        name = name.strip()
        if name in lists:
            found.setdefault(name, []).append(value)
        else:
            found[name] = value
    return found
