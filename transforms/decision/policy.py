"""The decision core: signals from every stage + policy rules -> one decision with reasons.

Stages never decide; they raise signals with a default action. Keeping the
decision in one pure function is what lets `provenance policy explain` and the
audit report describe exactly what happened.
"""

from __future__ import annotations

from collections.abc import Iterable

from schemas.actions import Action
from schemas.policy import Policy
from schemas.record import ACCEPT_CLEAN, Decision, Signal


def effective_action(signal: Signal, policy: Policy, source_id: str, source_type: str) -> Action:
    best = None
    for rule in policy.rules:
        if rule.applies_to(signal.code, source_id, source_type) and (
            best is None or rule.precedence > best.precedence
        ):
            best = rule
    return signal.action if best is None else best.action


def decide(
    signals: Iterable[Signal], policy: Policy, source_id: str, source_type: str
) -> tuple[Decision, list[str]]:
    """Reject beats redact beats flag; the reasons are the codes that produced the outcome.

    Flags ride along as reasons of an accepted record so the ledger still shows
    them; an accepted record with no reason gets `accept.clean`.
    """
    by_action: dict[Action, set[str]] = {action: set() for action in Action}
    for signal in signals:
        by_action[effective_action(signal, policy, source_id, source_type)].add(signal.code)
    if by_action[Action.REJECT]:
        return Decision.REJECT, sorted(by_action[Action.REJECT])
    flags = sorted(by_action[Action.FLAG])
    if by_action[Action.REDACT]:
        return Decision.ACCEPT_REDACTED, sorted(by_action[Action.REDACT]) + flags
    return Decision.ACCEPT, flags or [ACCEPT_CLEAN]
