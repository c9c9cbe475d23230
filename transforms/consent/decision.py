"""The consent decision for one record, from a loaded consent index.

Why apart from loading (`transforms.consent.registry`): this is policy, the rule that
says which registry entries condemn a record collected at a given time and what each
consent reason asks the decision stage to do; the registry only tokenises and indexes
rows. Subjects appear here as HMAC tokens only, as everywhere after loading.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from schemas.actions import Action
from schemas.consent import ConsentDecision, ConsentEntry, ConsentStatus, LedgerConsentStatus
from schemas.policy import ConsentPolicy
from schemas.reason_codes import ConsentReason
from schemas.record import Signal
from transforms.consent.registry import ConsentIndex


def _reason(code: ConsentReason, actions: dict[ConsentReason, Action]) -> tuple[str, str]:
    return str(code), str(actions[code])


_EARLIEST = datetime.min.replace(tzinfo=UTC)
_LATEST = datetime.max.replace(tzinfo=UTC)
_STOPS = (ConsentStatus.WITHDRAWN, ConsentStatus.REFUSED)


def subject_status(
    entries: Iterable[ConsentEntry], purpose: str, collected_at: datetime | None
) -> LedgerConsentStatus:
    """Consent status of one subject for a record collected at `collected_at`.

    The timestamp rule, exactly:
    1. Only entries whose purposes include `purpose` (or `*`) count.
    2. A withdrawal or refusal dated at or after the collection time condemns the
       record for good: a later grant never resurrects it (the latest such stop
       gives the status). Undated stops count as after every collection; an
       unknown `collected_at` makes every stop count.
    3. Otherwise the subject's latest event decides: a grant -> granted, a
       withdrawal -> withdrawn, a refusal -> refused (so consent given after
       collection covers a record no withdrawal ever touched). Undated grants
       count as the earliest event; a stop wins a tie with a grant.
    4. No entry for the purpose -> missing.
    """
    relevant = [entry for entry in entries if entry.covers(purpose)]
    if not relevant:
        return LedgerConsentStatus.MISSING
    collected = _as_utc(collected_at) if collected_at is not None else None
    stops = [(e.withdrawn_at or _LATEST, e.status) for e in relevant if e.status in _STOPS]
    condemning = [stop for stop in stops if collected is None or stop[0] >= collected]
    if condemning:
        return LedgerConsentStatus(_latest(condemning))
    grants = [
        (e.granted_at or _EARLIEST, ConsentStatus.GRANTED)
        for e in relevant
        if e.status is ConsentStatus.GRANTED
        or (e.status is ConsentStatus.WITHDRAWN and e.granted_at is not None)
    ]
    if not grants and not stops:
        return LedgerConsentStatus.MISSING
    return LedgerConsentStatus(_latest(grants + stops))


def _latest(events: list[tuple[datetime, ConsentStatus]]) -> ConsentStatus:
    """Latest event; on a tie refusal beats withdrawal beats grant."""
    weight = {ConsentStatus.GRANTED: 0, ConsentStatus.WITHDRAWN: 1, ConsentStatus.REFUSED: 2}
    return max(events, key=lambda event: (event[0], weight[event[1]]))[1]


def _as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def consent_decision(
    record_subject_tokens: Iterable[str],
    mentioned_tokens: Iterable[str],
    source_type: str,
    collected_at: datetime | None,
    purpose: str,
    index: ConsentIndex,
    settings: ConsentPolicy | None = None,
) -> ConsentDecision:
    """Consent reasons for one record, and its ledger consent status.

    `record_subject_tokens` identify the record's own subject (its author or
    submitter) by one or more identifiers; their registry histories are merged
    as one person's. `mentioned_tokens` are subjects found in the text (PII
    value tokens or canonical tokens); the record's own subject is not counted
    as a mention. Naive `collected_at` is taken as UTC.
    """
    settings = settings or ConsentPolicy()
    actions = settings.actions()  # the table `policy explain` prints
    subject_canonical = {index.canonical(token) for token in record_subject_tokens}
    own_entries = [entry for token in subject_canonical for entry in index.entries_for(token)]
    status = subject_status(own_entries, purpose, collected_at)
    reasons: list[tuple[str, str]] = []
    if status is LedgerConsentStatus.WITHDRAWN:
        reasons.append(_reason(ConsentReason.WITHDRAWN, actions))
    elif status is LedgerConsentStatus.REFUSED:
        reasons.append(_reason(ConsentReason.REFUSED, actions))
    elif source_type in settings.required_source_types:
        if status is LedgerConsentStatus.MISSING:
            reasons.append(_reason(ConsentReason.MISSING, actions))
    elif status is LedgerConsentStatus.MISSING:
        status = LedgerConsentStatus.NOT_REQUIRED

    blocked = tuple(
        token
        for token in sorted(set(mentioned_tokens))
        if index.canonical(token) not in subject_canonical
        and subject_status(index.entries_for(token), purpose, collected_at)
        in (LedgerConsentStatus.WITHDRAWN, LedgerConsentStatus.REFUSED)
    )
    if blocked:
        reasons.append(_reason(ConsentReason.WITHDRAWN_MENTION, actions))
    return ConsentDecision(status=status, reasons=tuple(reasons), blocked_mention_tokens=blocked)


def decision_signals(decision: ConsentDecision) -> list[Signal]:
    """The decision as `schemas.record.Signal`s for `AuditRecord.add_signal` (no raw data)."""
    detail = f"consent_status={decision.status}"
    if decision.blocked_mention_tokens:
        detail += f"; blocked_mentions={len(decision.blocked_mention_tokens)}"
    return [Signal(code, Action(action), "consent", detail) for code, action in decision.reasons]
