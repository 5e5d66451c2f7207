"""Words for the codes the pages show: statuses, event kinds, steps, deadline actions, roles.

Owns the mapping from a stable code (``non_renewal_notice``) to an English message id that the
Babel catalogues translate. Invariant: every code the lifecycle engine or the services emit that a
page displays has an entry here, so that `pybabel extract` (keyword ``N_``) finds its words; an
unknown code falls back to the code with underscores as spaces rather than failing the page.
"""

from __future__ import annotations

from collections.abc import Callable


def N_(message: str) -> str:  # noqa: N802 — the conventional name Babel extracts by
    """Mark a message for extraction without translating it here (translated at render time)."""
    return message


STATUSES: dict[str, str] = {
    "unsigned": N_("Not signed"),
    "signed": N_("Signed"),
    "provisionally_applied": N_("Provisionally applied"),
    "in_force": N_("In force"),
    "termination_pending": N_("Termination pending"),
    "terminated": N_("Terminated"),
    "expired": N_("Expired"),
}

EVENT_KINDS: dict[str, str] = {
    "signature": N_("Signature"),
    "domestic_step": N_("Domestic step"),
    "notification": N_("Notification"),
    "instrument_deposited": N_("Instrument deposited"),
    "provisional_application": N_("Provisional application"),
    "entry_into_force": N_("Entry into force"),
    "non_renewal_notice": N_("Non-renewal notice"),
    "denunciation_notice": N_("Denunciation notice"),
    "provisional_application_notice": N_("Notice ending provisional application"),
    "notice_withdrawn": N_("Notice withdrawn"),
    "amendment": N_("Amendment"),
}

DOMESTIC_STEPS: dict[str, str] = {
    "approval": N_("Approval"),
    "parliament_submission": N_("Submission to parliament"),
    "committee_approval": N_("Committee approval"),
    "plenary_approval": N_("Plenary approval"),
    "promulgation": N_("Promulgation"),
    "publication": N_("Publication"),
    "ratification": N_("Ratification"),
}

INSTRUMENTS: dict[str, str] = {
    "acceptance": N_("Acceptance"),
    "accession": N_("Accession"),
    "succession": N_("Succession"),
}

#: Deadline kinds as the lifecycle engine names them (a deadline's `kind`).
ACTIONS: dict[str, str] = {
    "entry_into_force": N_("Entry into force"),
    "party_entry_into_force": N_("Entry into force for a party"),
    "non_renewal_notice": N_("Last day for a non-renewal notice"),
    "renewal": N_("Renewal"),
    "termination": N_("Termination takes effect"),
    "expiry": N_("Expiry"),
    "denunciation_allowed": N_("Termination by notice allowed from"),
    "denunciation_notice": N_("Last day for a termination notice"),
    "provisional_application_end": N_("Provisional application ends"),
    "withdrawal": N_("Withdrawal of a party takes effect"),
}

ROLES: dict[str, str] = {
    "treaty_officer": N_("Treaty officer"),
    "co_chair": N_("Co-chair"),
    "secretary": N_("Secretary"),
    "member": N_("Member"),
    "security_officer": N_("Security officer"),
    "auditor": N_("Auditor"),
    "administrator": N_("Administrator"),
}

_TERMS: dict[str, str] = {
    **ROLES,
    **INSTRUMENTS,
    **DOMESTIC_STEPS,
    **EVENT_KINDS,
    **STATUSES,
}


def _words(table: dict[str, str], code: str, gettext: Callable[[str], str]) -> str:
    message = table.get(code)
    if message is None:
        return code.replace("_", " ").capitalize()
    return gettext(message)


def term(code: str, gettext: Callable[[str], str]) -> str:
    """The words for a status, event kind, step, instrument or role (readable if unknown)."""
    return _words(_TERMS, code, gettext)


def deadline(code: str, gettext: Callable[[str], str]) -> str:
    """The words for a deadline kind (``non_renewal_notice`` → "Last day for a non-renewal
    notice"); event kinds of the same name read differently, hence a table of its own."""
    return _words(ACTIONS, code, gettext)
