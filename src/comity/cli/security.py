"""`comity label|clearance|grant|access|scheme|equivalence`: protected-information commands.

Groups: ``label`` (parse, format, marking, translate, xml — parse/format/xml need no database),
``clearance`` (grant, revoke, list), ``grant`` (need-to-know: add, revoke, list), ``access``
(explain), ``scheme`` and ``equivalence`` (load the TOML data files, list).

Invariant: every option is checked here before any service runs (dates are YYYY-MM-DD, files
are UTF-8, labels parse), so a mistake ends in one line naming what, where and why, and nothing
is written; the security rules themselves are the domain's and the services'.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.text import Text

from comity import input_files
from comity.cli import context, inputs
from comity.cli.output import JsonOption, console, emit, print_json, table
from comity.domain.security import labels
from comity.domain.security.clearances import Clearance, NeedToKnowGrant
from comity.domain.security.decision import Action
from comity.errors import InvalidInput
from comity.services import security

label_app = typer.Typer(
    help="Confidentiality labels: parse, format, mark, translate, ADatP-4774 XML.",
    no_args_is_help=True,
)
clearance_app = typer.Typer(help="Security clearances: grant, revoke, list.", no_args_is_help=True)
grant_app = typer.Typer(help="Need-to-know grants: add, revoke, list.", no_args_is_help=True)
access_app = typer.Typer(help="Access decisions and their reasons.", no_args_is_help=True)
scheme_app = typer.Typer(help="Classification schemes (policies).", no_args_is_help=True)
equivalence_app = typer.Typer(
    help="Per-agreement equivalence tables between schemes.", no_args_is_help=True
)

ON_HELP = "The date to evaluate on, YYYY-MM-DD (default: today)."
AGREEMENT_HELP = "Use this agreement's equivalence table (default: every table in force)."


def parse_label(text: str) -> labels.Label:
    return labels.parse(text)


# --- label -----------------------------------------------------------------------------------


@label_app.command("parse")
def label_parse(
    text: Annotated[
        str,
        typer.Argument(help="A label, e.g. 'TUR | GİZLİ | Releasable To (permissive): AZE, TUR'."),
    ],
    as_json: JsonOption = False,
) -> None:
    """Parse a label and show its parts (and its access expression)."""
    label = parse_label(text)
    data = label.as_dict()
    data["access_expression"] = labels.to_access_expression(label)

    def render() -> Any:
        rows = [
            (escape(c.tag), c.type.value, escape(", ".join(c.values))) for c in label.categories
        ]
        title = escape(f"{label.policy} {label.classification}")
        grid = table(title, ["tag", "type", "values"], rows)
        console.print(Text(labels.format_label(label)))
        return grid

    emit(data, as_json=as_json, render=render)


@label_app.command("format")
def label_format(
    text: Annotated[str, typer.Argument(help="A label in any spacing.")],
    as_json: JsonOption = False,
) -> None:
    """Print a label in its canonical text form."""
    canonical = labels.format_label(parse_label(text))
    if as_json:
        print_json({"label": canonical})
    else:
        print(canonical)


@label_app.command("marking")
def label_marking(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(help="The label.")],
    in_policy: Annotated[
        str | None,
        typer.Option("--in", help="Show it under this party's scheme (translated), e.g. AZE."),
    ] = None,
    on: Annotated[str | None, typer.Option("--on", help=ON_HELP)] = None,
    agreement: Annotated[str | None, typer.Option("--agreement", help=AGREEMENT_HELP)] = None,
    as_json: JsonOption = False,
) -> None:
    """The display marking in the scheme's language, e.g. 'GİZLİ — Releasable to AZE, TUR'."""
    label = parse_label(text)
    day = inputs.as_of_date(on)
    with context.get(ctx).reading() as session:
        shown = security.marking(session, label, on=day, in_policy=in_policy, agreement=agreement)
    emit({"label": str(label), "marking": shown}, as_json=as_json, render=lambda: Text(shown))


@label_app.command("translate")
def label_translate(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(help="The label.")],
    to: Annotated[str, typer.Option("--to", help="The target policy, e.g. AZE.")],
    on: Annotated[str | None, typer.Option("--on", help=ON_HELP)] = None,
    agreement: Annotated[str | None, typer.Option("--agreement", help=AGREEMENT_HELP)] = None,
    as_json: JsonOption = False,
) -> None:
    """Translate a label to another scheme by the equivalence table in force."""
    label = parse_label(text)
    day = inputs.as_of_date(on)
    with context.get(ctx).reading() as session:
        result = security.translate_label(session, label, to, on=day, agreement=agreement)
    emit(
        {"from": str(label), "to": str(result), "on": day},
        as_json=as_json,
        render=lambda: Text(str(result)),
    )


@label_app.command("xml")
def label_xml(
    text: Annotated[str | None, typer.Argument(help="The label to export.")] = None,
    from_file: Annotated[
        Path | None,
        typer.Option("--from", help="Import an ADatP-4774 XML label from this file instead."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Export a label as ADatP-4774 XML, or import one (`--from FILE`) to the text form."""
    if (text is None) == (from_file is None):
        raise InvalidInput(
            "give a label to export or --from FILE to import",
            location="label",
            reason="exactly one of the two",
        )
    if from_file is not None:
        label = labels.from_xml(
            input_files.read_text_file(from_file, inputs.LABEL_XML), source=str(from_file)
        )
        emit(label.as_dict(), as_json=as_json, render=lambda: Text(labels.format_label(label)))
        return
    assert text is not None
    print(labels.to_xml(parse_label(text)), end="")


# --- scheme and equivalence ------------------------------------------------------------------


@scheme_app.command("load")
def scheme_load(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A scheme file (see examples/security/).")],
) -> None:
    """Load (or replace) a classification scheme."""
    text = input_files.read_text_file(file, inputs.SCHEME_FILE)
    cli = context.get(ctx)
    with cli.transaction() as session:
        result = security.load_scheme(session, cli.actor, text=text, source=str(file))
    console.print(Text(f"scheme {result.id}: {result.status}"))


@scheme_app.command("list")
def scheme_list(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """List the loaded schemes and their classifications (highest first)."""
    with context.get(ctx).reading() as session:
        found = list(security.policies(session).values())
    data = [
        {
            "id": p.id,
            "name": p.name,
            "party": p.party,
            "language": p.language,
            "classifications": [
                {
                    "name": c.name,
                    "hierarchy": c.hierarchy,
                    "marking": c.marking,
                    "retired_on": c.retired_on,
                }
                for c in p.classifications
            ],
        }
        for p in found
    ]

    def render() -> Any:
        rows = [
            (
                p.id,
                p.name,
                ", ".join(
                    c.name + (f" (until {c.retired_on.isoformat()})" if c.retired_on else "")
                    for c in p.classifications
                ),
            )
            for p in found
        ]
        safe = [tuple(escape(cell) for cell in row) for row in rows]
        return table("Classification schemes", ["policy", "name", "classifications"], safe)

    emit(data, as_json=as_json, render=render)


@equivalence_app.command("load")
def equivalence_load(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="An equivalence file (see examples/security/).")],
) -> None:
    """Load (or replace) an agreement's equivalence table (its schemes must be loaded)."""
    text = input_files.read_text_file(file, inputs.EQUIVALENCE_FILE)
    cli = context.get(ctx)
    with cli.transaction() as session:
        result = security.load_equivalence(session, cli.actor, text=text, source=str(file))
    console.print(Text(f"equivalence {result.id}: {result.status}"))


@equivalence_app.command("list")
def equivalence_list(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """List the equivalence tables; an empty cell is a gap (no equivalent)."""
    with context.get(ctx).reading() as session:
        found = security.all_equivalences(session)
    data = [e.as_data() for e in found]

    def render() -> Any:
        tables = []
        for e in found:
            rows = [[escape(dict(row).get(p, "—")) for p in e.policies] for row in e.rows]
            title = f"{e.id} (agreement {e.agreement}, from {e.effective_from.isoformat()})"
            tables.append(table(escape(title), [escape(p) for p in e.policies], rows))
        if not tables:
            return "no equivalence tables loaded"
        from rich.console import Group

        return Group(*tables)

    emit(data, as_json=as_json, render=render)


# --- clearance -------------------------------------------------------------------------------


def _clearance_rows(found: list[Clearance]) -> list[tuple[Any, ...]]:
    return [tuple(escape(str(cell)) for cell in row) for row in _raw_clearance_rows(found)]


def _raw_clearance_rows(found: list[Clearance]) -> list[tuple[Any, ...]]:
    return [
        (
            c.id,
            c.person,
            c.policy,
            c.level or ", ".join(sorted(c.classifications)),
            c.nationality,
            ", ".join(sorted(c.categories)),
            c.valid_from.isoformat(),
            c.valid_until.isoformat() if c.valid_until else "",
            c.revoked_on.isoformat() if c.revoked_on else "",
        )
        for c in found
    ]


@clearance_app.command("grant")
def clearance_grant(
    ctx: typer.Context,
    person: Annotated[str, typer.Argument(help="Who is cleared.")],
    policy: Annotated[str, typer.Option("--policy", help="The scheme, e.g. AZE.")],
    nationality: Annotated[str, typer.Option("--nationality", help="ISO alpha-3, e.g. AZE.")],
    authority: Annotated[str, typer.Option("--authority", help="The issuing authority.")],
    valid_from: Annotated[str, typer.Option("--from", help="First valid day, YYYY-MM-DD.")],
    level: Annotated[
        str | None, typer.Option("--level", help="Cleared to this level and every lower one.")
    ] = None,
    classification: Annotated[
        list[str] | None,
        typer.Option("--classification", help="An explicit classification (repeatable)."),
    ] = None,
    category: Annotated[
        list[str] | None,
        typer.Option("--category", help="A category value held, 'Tag:value' (repeatable)."),
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", help="Last valid day, YYYY-MM-DD.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Grant a clearance."""
    start = inputs.parse_date(valid_from, "--from")
    assert start is not None
    end = inputs.parse_date(until, "--until")
    cli = context.get(ctx)
    with cli.transaction() as session:
        granted = security.grant_clearance(
            session,
            cli.actor,
            person,
            policy=policy,
            nationality=nationality,
            issuing_authority=authority,
            valid_from=start,
            valid_until=end,
            level=level,
            classifications=classification or (),
            categories=category or (),
        )
    emit(
        granted.as_dict(),
        as_json=as_json,
        render=lambda: Text(f"clearance {granted.id} granted to {granted.person}: {granted.shown}"),
    )


@clearance_app.command("revoke")
def clearance_revoke(
    ctx: typer.Context,
    clearance_id: Annotated[int, typer.Argument(help="The clearance number.")],
    reason: Annotated[str, typer.Option("--reason", help="Why it is revoked.")],
    on: Annotated[
        str | None, typer.Option("--on", help="First day without it (default: today).")
    ] = None,
) -> None:
    """Revoke a clearance."""
    day = inputs.as_of_date(on)
    cli = context.get(ctx)
    with cli.transaction() as session:
        revoked = security.revoke_clearance(session, cli.actor, clearance_id, on=day, reason=reason)
    console.print(
        Text(f"clearance {revoked.id} of {revoked.person} revoked from {day.isoformat()}")
    )


@clearance_app.command("list")
def clearance_list(
    ctx: typer.Context,
    person: Annotated[str | None, typer.Option("--person", help="Only this person's.")] = None,
    as_json: JsonOption = False,
) -> None:
    """List clearances (revoked ones included, with the date)."""
    with context.get(ctx).reading() as session:
        found = security.list_clearances(session, person=person)
    emit(
        [c.as_dict() for c in found],
        as_json=as_json,
        render=lambda: table(
            "Clearances",
            [
                "id",
                "person",
                "policy",
                "level",
                "nationality",
                "categories",
                "from",
                "until",
                "revoked",
            ],
            _clearance_rows(found),
        ),
    )


# --- need-to-know grants ---------------------------------------------------------------------


def _grant_rows(found: list[NeedToKnowGrant]) -> list[tuple[Any, ...]]:
    return [tuple(escape(str(cell)) for cell in row) for row in _raw_grant_rows(found)]


def _raw_grant_rows(found: list[NeedToKnowGrant]) -> list[tuple[Any, ...]]:
    return [
        (
            g.id,
            g.person,
            g.compartment,
            g.granted_by,
            g.valid_from.isoformat() if g.valid_from else "",
            g.valid_until.isoformat() if g.valid_until else "",
            g.revoked_on.isoformat() if g.revoked_on else "",
            g.reason,
        )
        for g in found
    ]


@grant_app.command("add")
def grant_add(
    ctx: typer.Context,
    person: Annotated[str, typer.Argument(help="Who needs to know.")],
    compartment: Annotated[str, typer.Option("--compartment", help="The compartment.")],
    reason: Annotated[str, typer.Option("--reason", help="Why they need to know.")],
    valid_from: Annotated[
        str | None, typer.Option("--from", help="First valid day (default: today).")
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", help="Last valid day, YYYY-MM-DD.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Give a person need-to-know for a compartment."""
    start = inputs.as_of_date(valid_from, "--from")
    end = inputs.parse_date(until, "--until")
    cli = context.get(ctx)
    with cli.transaction() as session:
        grant = security.add_need_to_know(
            session,
            cli.actor,
            person,
            compartment=compartment,
            reason=reason,
            valid_from=start,
            valid_until=end,
        )
    emit(
        grant.as_dict(),
        as_json=as_json,
        render=lambda: Text(f"need-to-know grant {grant.id}: {grant.person} → {grant.compartment}"),
    )


@grant_app.command("revoke")
def grant_revoke(
    ctx: typer.Context,
    grant_id: Annotated[int, typer.Argument(help="The grant number.")],
    reason: Annotated[str, typer.Option("--reason", help="Why it is revoked.")],
    on: Annotated[
        str | None, typer.Option("--on", help="First day without it (default: today).")
    ] = None,
) -> None:
    """Revoke a need-to-know grant."""
    day = inputs.as_of_date(on)
    cli = context.get(ctx)
    with cli.transaction() as session:
        revoked = security.revoke_need_to_know(session, cli.actor, grant_id, on=day, reason=reason)
    console.print(f"need-to-know grant {revoked.id} revoked from {day.isoformat()}")


@grant_app.command("list")
def grant_list(
    ctx: typer.Context,
    person: Annotated[str | None, typer.Option("--person", help="Only this person's.")] = None,
    as_json: JsonOption = False,
) -> None:
    """List need-to-know grants."""
    with context.get(ctx).reading() as session:
        found = security.list_grants(session, person=person)
    emit(
        [g.as_dict() for g in found],
        as_json=as_json,
        render=lambda: table(
            "Need-to-know grants",
            ["id", "person", "compartment", "granted by", "from", "until", "revoked", "reason"],
            _grant_rows(found),
        ),
    )


# --- access ----------------------------------------------------------------------------------


@access_app.command("explain")
def access_explain(
    ctx: typer.Context,
    person: Annotated[str, typer.Option("--person", help="Whose access.")],
    label_text: Annotated[str, typer.Option("--label", help="The label of the information.")],
    action: Annotated[
        str, typer.Option("--action", help="read, label, downgrade or declassify.")
    ] = "read",
    on: Annotated[str | None, typer.Option("--on", help=ON_HELP)] = None,
    agreement: Annotated[str | None, typer.Option("--agreement", help=AGREEMENT_HELP)] = None,
    authority: Annotated[
        list[str] | None,
        typer.Option("--authority", help="An originator the person acts for (repeatable)."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Decide whether a person may act on a label, and print every reason."""
    try:
        chosen = Action(action)
    except ValueError:
        raise InvalidInput(
            f"unknown action {action!r}",
            location="--action",
            reason=f"one of {', '.join(a.value for a in Action)}",
        ) from None
    label = parse_label(label_text)
    day = inputs.as_of_date(on)
    with context.get(ctx).reading() as session:
        decision = security.explain_access(
            session,
            person,
            label,
            today=day,
            action=chosen,
            agreement=agreement,
            authorities=authority or (),
        )
    data = {
        "person": person,
        "label": str(label),
        "action": chosen.value,
        "on": day,
        **decision.as_dict(),
    }

    def render() -> Text:
        verdict = "ALLOWED" if decision.allowed else "DENIED"
        lines = [
            f"{verdict}: {person} may{'' if decision.allowed else ' not'} {chosen.value} "
            f"{label} on {day.isoformat()}"
        ]
        lines += [f"  {reason.code.value}: {reason.detail}" for reason in decision.reasons]
        return Text("\n".join(lines))

    emit(data, as_json=as_json, render=render)


#: The command groups this module adds to `comity` (found by `comity.cli.main`).
COMMANDS = (
    ("label", label_app),
    ("clearance", clearance_app),
    ("grant", grant_app),
    ("access", access_app),
    ("scheme", scheme_app),
    ("equivalence", equivalence_app),
)
