"""``/api/users``, ``/api/roles``, ``/api/tokens``: account administration and API tokens.

The services decide: administrators manage every account; a person may read their own
account, roles and tokens and issue or revoke their own tokens. Passwords and token secrets
appear in a response once (a new account's one-time password, a new token) and nowhere else.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, status

from comity.persistence.models.accounts import Account, ApiToken, RoleAssignment
from comity.services import accounts, kernel
from comity.web import errors
from comity.web.api import schemas
from comity.web.dependencies import CurrentActor, Now, SessionDep, Today

router = APIRouter(tags=["users"])

Username = Annotated[str, Path(min_length=1, max_length=64, description="Sign-in name")]
RecordId = Annotated[int, Path(ge=1, le=2_147_483_647)]
NOT_FOUND = errors.error_responses(404)


def _user(account: Account) -> schemas.User:
    return schemas.User(
        username=account.username,
        display_name=account.display_name,
        party=account.party,
        disabled=account.disabled,
        must_change_password=account.must_change_password,
        created_at=kernel.as_utc(account.created_at),
    )


def _assignment(row: RoleAssignment) -> schemas.RoleAssignment:
    return schemas.RoleAssignment(
        id=row.id,
        role=row.role,
        party=row.party,
        scope=row.scope,
        valid_from=row.valid_from,
        valid_until=row.valid_until,
    )


def _token(row: ApiToken) -> schemas.Token:
    return schemas.Token(
        id=row.id,
        name=row.name,
        scopes=row.scopes.split(),
        created_at=kernel.as_utc(row.created_at),
        expires_at=kernel.as_utc(row.expires_at),
        revoked_at=kernel.as_utc(row.revoked_at),
        last_used_at=kernel.as_utc(row.last_used_at),
    )


@router.get("/users", response_model=list[schemas.User])
def list_users(session: SessionDep, actor: CurrentActor) -> list[schemas.User]:
    """Every account (administrators)."""
    return [_user(account) for account in accounts.list_users(session, actor)]


@router.post(
    "/users",
    response_model=schemas.NewUser,
    status_code=status.HTTP_201_CREATED,
    responses=errors.error_responses(409),
)
def add_user(
    body: schemas.UserCreate, session: SessionDep, actor: CurrentActor, now: Now
) -> schemas.NewUser:
    """Create an account; without a password, a one-time password is returned (once)."""
    created = accounts.add_user(
        session,
        actor,
        body.username,
        display_name=body.display_name,
        party=body.party,
        password=body.password,
        now=now,
    )
    return schemas.NewUser(
        **_user(created.account).model_dump(), one_time_password=created.one_time_password
    )


@router.get("/users/{username}", response_model=schemas.User, responses=NOT_FOUND)
def get_user(username: Username, session: SessionDep, actor: CurrentActor) -> schemas.User:
    return _user(accounts.get_user(session, actor, username))


@router.post("/users/{username}/disable", response_model=schemas.User, responses=NOT_FOUND)
def disable_user(
    username: Username, session: SessionDep, actor: CurrentActor, now: Now
) -> schemas.User:
    """Disable an account: its sessions end and its tokens stop working at once."""
    return _user(accounts.disable_user(session, actor, username, now=now))


@router.get(
    "/users/{username}/roles", response_model=list[schemas.RoleAssignment], responses=NOT_FOUND
)
def list_roles(
    username: Username, session: SessionDep, actor: CurrentActor
) -> list[schemas.RoleAssignment]:
    """Every role assignment of the account, past and present."""
    return [_assignment(row) for row in accounts.roles_of(session, actor, username)]


@router.post(
    "/users/{username}/roles",
    response_model=schemas.RoleAssignment,
    status_code=status.HTTP_201_CREATED,
    responses=NOT_FOUND,
)
def grant_role(
    username: Username, body: schemas.RoleGrant, session: SessionDep, actor: CurrentActor, now: Now
) -> schemas.RoleAssignment:
    """Assign a role from `valid_from` (inclusive) until `valid_until` (exclusive)."""
    row = accounts.grant_role(
        session,
        actor,
        username,
        role=body.role,
        scope=body.scope,
        valid_from=body.valid_from,
        valid_until=body.valid_until,
        now=now,
    )
    return _assignment(row)


@router.post(
    "/roles/{assignment_id}/revoke",
    response_model=schemas.RoleAssignment,
    responses=errors.error_responses(404, 409),
)
def revoke_role(
    assignment_id: RecordId, session: SessionDep, actor: CurrentActor, today: Today, now: Now
) -> schemas.RoleAssignment:
    """End a role assignment from today on (its history stays)."""
    return _assignment(accounts.revoke_role(session, actor, assignment_id, today=today, now=now))


@router.get("/users/{username}/tokens", response_model=list[schemas.Token], responses=NOT_FOUND)
def list_tokens(
    username: Username, session: SessionDep, actor: CurrentActor
) -> list[schemas.Token]:
    return [_token(row) for row in accounts.tokens_of(session, actor, username)]


@router.post(
    "/users/{username}/tokens",
    response_model=schemas.IssuedToken,
    status_code=status.HTTP_201_CREATED,
    responses=errors.error_responses(404, 409),
)
def issue_token(
    username: Username, body: schemas.TokenIssue, session: SessionDep, actor: CurrentActor, now: Now
) -> schemas.IssuedToken:
    """Issue an API token; the secret is in this response only."""
    issued = accounts.issue_token(
        session,
        actor,
        username,
        name=body.name,
        scopes=body.scopes,
        expires_at=body.expires_at,
        now=now,
    )
    return schemas.IssuedToken(**_token(issued.token).model_dump(), token=issued.secret)


@router.post(
    "/tokens/{token_id}/revoke",
    response_model=schemas.Token,
    responses=errors.error_responses(404, 409),
)
def revoke_token(
    token_id: RecordId, session: SessionDep, actor: CurrentActor, now: Now
) -> schemas.Token:
    """Revoke a token: it stops working with the next request."""
    return _token(accounts.revoke_token(session, actor, token_id, now=now))
