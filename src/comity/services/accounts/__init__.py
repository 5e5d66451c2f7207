"""Accounts: people and operators, their dated roles, signing in, web sessions and API tokens.

Each seam is a module of this package (`users`, `roles`, `throttle`, `sessions`, `tokens`);
callers use the verbs re-exported here (``accounts.add_user(session, actor, …)``).

Invariants shared by every module: passwords, session ids and tokens never reach a log, an
audit leaf or an error message (the database holds only their argon2id hashes or SHA-256
digests), and every change to an account appends its audit leaf in the same transaction.
"""

from comity.services.accounts.roles import (
    ROLES,
    actor_for,
    grant_role,
    revoke_role,
    roles_of,
)
from comity.services.accounts.sessions import (
    ANONYMOUS,
    authenticate,
    create_session,
    end_session,
    resolve_session,
)
from comity.services.accounts.throttle import ThrottlePolicy
from comity.services.accounts.tokens import (
    TOKEN_SCOPES,
    IssuedToken,
    issue_token,
    resolve_token,
    revoke_token,
    token_needs_touch,
    tokens_of,
    touch_token,
)
from comity.services.accounts.users import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    NewUser,
    PasswordChangeRefused,
    add_user,
    change_password,
    disable_user,
    get_user,
    list_users,
    reset_password,
)

__all__ = [
    "ANONYMOUS",
    "MAX_PASSWORD_LENGTH",
    "MIN_PASSWORD_LENGTH",
    "ROLES",
    "TOKEN_SCOPES",
    "IssuedToken",
    "NewUser",
    "PasswordChangeRefused",
    "ThrottlePolicy",
    "actor_for",
    "add_user",
    "authenticate",
    "change_password",
    "create_session",
    "disable_user",
    "end_session",
    "get_user",
    "grant_role",
    "issue_token",
    "list_users",
    "reset_password",
    "resolve_session",
    "resolve_token",
    "revoke_role",
    "revoke_token",
    "roles_of",
    "token_needs_touch",
    "tokens_of",
    "touch_token",
]
