"""The decision core: signals + rules -> decision and reasons."""

from __future__ import annotations

from schemas.actions import Action
from schemas.policy import Policy, PolicyRule
from schemas.record import Decision, Signal
from transforms.decision.policy import decide


def signal(code: str, action: Action) -> Signal:
    return Signal(code=code, action=action, stage="test")


POLICY = Policy(name="p", version="1", rules=[])


def test_no_signal_means_accept_clean():
    assert decide([], POLICY, "s", "open_source") == (Decision.ACCEPT, ["accept.clean"])


def test_reject_beats_redact_and_lists_only_reject_reasons():
    signals = [signal("pii.redacted.EMAIL_ADDRESS", Action.REDACT), signal("x.bad", Action.REJECT)]
    assert decide(signals, POLICY, "s", "open_source") == (Decision.REJECT, ["x.bad"])


def test_redaction_gives_accept_redacted_with_flags_as_extra_reasons():
    signals = [signal("pii.redacted.PHONE_NUMBER", Action.REDACT), signal("l.c", Action.FLAG)]
    decision, reasons = decide(signals, POLICY, "s", "open_source")
    assert decision == Decision.ACCEPT_REDACTED
    assert reasons == ["pii.redacted.PHONE_NUMBER", "l.c"]


def test_ignored_signals_are_not_reasons():
    assert decide([signal("a.b", Action.IGNORE)], POLICY, "s", "t")[1] == ["accept.clean"]


def test_rule_overrides_the_default_action_by_glob():
    policy = Policy(
        name="p", version="1", rules=[PolicyRule(id="r", match="license.*", action=Action.REJECT)]
    )
    decision, reasons = decide([signal("license.conflict", Action.FLAG)], policy, "s", "t")
    assert (decision, reasons) == (Decision.REJECT, ["license.conflict"])


def test_rule_scoped_to_a_source_type_does_not_touch_others():
    rule = PolicyRule(id="r", match="*", action=Action.REJECT, source_types=["web_crawl"])
    policy = Policy(name="p", version="1", rules=[rule])
    assert decide([signal("a", Action.FLAG)], policy, "s", "open_source")[0] == Decision.ACCEPT
    assert decide([signal("a", Action.FLAG)], policy, "s", "web_crawl")[0] == Decision.REJECT


def test_highest_precedence_rule_wins_and_ties_go_to_the_first():
    rules = [
        PolicyRule(id="first", match="a.*", action=Action.FLAG, precedence=5),
        PolicyRule(id="second", match="a.b", action=Action.REJECT, precedence=5),
        PolicyRule(id="low", match="a.b", action=Action.IGNORE, precedence=1),
    ]
    policy = Policy(name="p", version="1", rules=rules)
    assert decide([signal("a.b", Action.REJECT)], policy, "s", "t") == (Decision.ACCEPT, ["a.b"])
