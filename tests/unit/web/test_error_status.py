"""The one table from error family to HTTP status (comity.web.errors.STATUS)."""

from __future__ import annotations

import pytest

from comity import errors
from comity.web.errors import STATUS, status_for


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (errors.InvalidInput("x"), 422),
        (errors.NotFound("x"), 404),
        (errors.AccessDenied("x"), 403),
        (errors.InvalidTransition("x"), 409),
        (errors.Conflict("x"), 409),
        (errors.Unavailable("x"), 503),
        (errors.IntegrityFailure("x"), 500),
        (errors.ComityError("x"), 400),
        (errors.NotAuthenticated("x"), 401),
        (errors.SignInRefused("x"), 401),
        (errors.Throttled("x", retry_after=5), 429),
        (errors.NotFound("x", code="agreement.not_found"), 404),
    ],
)
def test_each_error_family_has_its_status(error: errors.ComityError, status: int) -> None:
    assert status_for(error) == status


def test_no_family_in_the_table_is_shadowed_by_an_earlier_more_general_one() -> None:
    families = [family for family, _ in STATUS]
    for position, family in enumerate(families):
        earlier = families[:position]
        assert not any(issubclass(family, general) for general in earlier), family
