"""The one action vocabulary: what happens to a value or a record, from config to ledger.

PII settings, license settings, consent and opt-out settings and policy rules each name
actions, and the decision step reads them off signals. They used to be three vocabularies
bridged by hand (`PiiAction`, the license `PolicyAction` literal, `Action`); a new action
then had to be added, and translated, in three places. Now there is one enum, and each
setting accepts only the members that make sense for it, spelled as its YAML always was.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import Annotated

from pydantic import BeforeValidator, PlainSerializer


class Action(StrEnum):
    """What a setting or a signal asks for; the values are the ledger's `signals.action`."""

    REJECT = "reject"  # the whole record is rejected
    REDACT = "redact"  # the span is replaced by `<TYPE>`; the record is accept_redacted
    PSEUDONYMIZE = "pseudonymize"  # the span is replaced by `<TYPE:8 hex of the HMAC>`
    KEEP = "keep"  # a PII finding is recorded, the text is left untouched
    FLAG = "flag"  # recorded as a reason, does not block acceptance
    IGNORE = "ignore"  # recorded in the ledger's signals, not a reason


# What a signal (and so a policy rule, consent or opt-out setting) may ask the decision
# step to do. PSEUDONYMIZE and KEEP act on text inside the PII stage, not on records.
SIGNAL_SPELLINGS: Mapping[str, Action] = {
    str(action): action for action in (Action.REJECT, Action.REDACT, Action.FLAG, Action.IGNORE)
}
PII_SPELLINGS: Mapping[str, Action] = {
    str(action): action
    for action in (Action.REDACT, Action.PSEUDONYMIZE, Action.REJECT, Action.KEEP)
}
# The license block has always said `accept` for "record the code, do not block": the
# signal it raises carries IGNORE, as it always did.
LICENSE_SPELLINGS: Mapping[str, Action] = {
    "accept": Action.IGNORE,
    "flag": Action.FLAG,
    "reject": Action.REJECT,
}


def _parse(spellings: Mapping[str, Action]) -> Callable[[object], Action]:
    """A validator accepting exactly `spellings` (or their actions), naming them on error."""
    by_action = {action: action for action in spellings.values()}

    def parse(value: object) -> Action:
        if isinstance(value, Action):
            if value in by_action:
                return value
        elif isinstance(value, str) and value in spellings:
            return spellings[value]
        allowed = ", ".join(repr(spelling) for spelling in spellings)
        raise ValueError(f"unknown action {value!r}; use one of {allowed}")

    return parse


def spelling(action: Action, spellings: Mapping[str, Action]) -> str:
    """How a setting writes `action` (a license IGNORE is written `accept`)."""
    for written, meant in spellings.items():
        if meant is action:
            return written
    raise ValueError(f"action {action!r} has no spelling here; use one of {list(spellings)}")


def _writer(spellings: Mapping[str, Action]) -> Callable[[Action], str]:
    return lambda action: spelling(action, spellings)


SignalActionSetting = Annotated[
    Action,
    BeforeValidator(_parse(SIGNAL_SPELLINGS)),
    PlainSerializer(_writer(SIGNAL_SPELLINGS), return_type=str),
]
PiiActionSetting = Annotated[
    Action,
    BeforeValidator(_parse(PII_SPELLINGS)),
    PlainSerializer(_writer(PII_SPELLINGS), return_type=str),
]
LicenseActionSetting = Annotated[
    Action,
    BeforeValidator(_parse(LICENSE_SPELLINGS)),
    PlainSerializer(_writer(LICENSE_SPELLINGS), return_type=str),
]
