"""The license policy as a table of rules: the decision and `policy explain` both read it.

`provenance policy explain` used to restate this policy by hand and drifted from it (it
said a non-commercial license was always refused, when the decision accepted it for an
intended use that allows non-commercial works). Now each rule is one object holding
when it fires (a predicate over the verdict, and the same condition in words) and how
its action is chosen; `license_policy` applies the rules, `explain_rules` describes
them, and neither has a copy of the other.

An action comes either from a `LicenseSettings` field or is fixed. A *gated* rule
looks at one rights category (the license's own, or a fixed one such as
non-commercial): if the intended use allows it the rule takes `if_allowed` (or stays
silent when that is None), otherwise `otherwise`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from schemas.actions import Action
from schemas.licenses import Category, LicenseSettings, RightsVerdict
from schemas.reason_codes import LicenseReason


@dataclass(frozen=True)
class ActionChoice:
    """Where a rule's action comes from: a `LicenseSettings` field, or a fixed action."""

    setting: str | None = None
    fixed: Action | None = None

    def resolve(self, settings: LicenseSettings) -> Action:
        if self.setting is not None:
            action = getattr(settings, self.setting)
            if not isinstance(action, Action):
                raise TypeError(f"LicenseSettings.{self.setting} is not an action")
            return action
        if self.fixed is None:
            raise ValueError("an ActionChoice needs a setting or a fixed action")
        return self.fixed


DISALLOWED = ActionChoice(setting="disallowed_action")
ACCEPT = ActionChoice(fixed=Action.IGNORE)


@dataclass(frozen=True)
class LicenseRule:
    """One reason code of the license policy, when it fires and which action it takes.

    `gate`: for a gated rule, the category whose allowance picks the action (given the
    verdict); `gates` lists every category it can return, so explain can state each case.
    """

    code: LicenseReason
    when: str
    fires: Callable[[RightsVerdict, Category], bool]
    otherwise: ActionChoice
    gate: Callable[[RightsVerdict, Category], Category] | None = None
    gates: tuple[Category, ...] = ()
    if_allowed: ActionChoice | None = None

    def action_for(
        self, settings: LicenseSettings, gate_category: Category | None
    ) -> Action | None:
        """The action for a firing rule, or None when an allowed category keeps it silent."""
        if self.gate is None or gate_category is None:
            return self.otherwise.resolve(settings)
        if gate_category in settings.allowed():
            return self.if_allowed.resolve(settings) if self.if_allowed else None
        return self.otherwise.resolve(settings)

    def gate_category(self, verdict: RightsVerdict, category: Category) -> Category | None:
        return self.gate(verdict, category) if self.gate else None

    def decide(self, verdict: RightsVerdict, settings: LicenseSettings) -> Action | None:
        category = Category(verdict.category)
        if not self.fires(verdict, category):
            return None
        return self.action_for(settings, self.gate_category(verdict, category))


def _own(_: RightsVerdict, category: Category) -> Category:
    return category


_COPYLEFT = (Category.COPYLEFT, Category.WEAK_COPYLEFT)
_OPEN = (Category.PERMISSIVE, Category.PUBLIC_DOMAIN)

# Order is the order codes are emitted in (and listed by explain).
LICENSE_RULES: tuple[LicenseRule, ...] = (
    LicenseRule(
        LicenseReason.RESERVED_TDM,
        "the text reserves text-and-data-mining rights",
        lambda verdict, _: verdict.tdm_reserved,
        ActionChoice(setting="tdm_reserved_action"),
    ),
    LicenseRule(
        LicenseReason.ALL_RIGHTS_RESERVED,
        "the text reserves all rights and no license grants any",
        lambda verdict, _: verdict.all_rights_reserved,
        ActionChoice(setting="all_rights_reserved_action"),
    ),
    LicenseRule(
        LicenseReason.CONFLICT,
        "the licenses found contradict each other or the source's declared license",
        lambda verdict, _: verdict.conflict,
        ActionChoice(setting="conflict_action"),
    ),
    LicenseRule(
        LicenseReason.NON_COMMERCIAL,
        "a deciding license forbids commercial use",
        lambda verdict, _: verdict.non_commercial,
        DISALLOWED,
        gate=lambda verdict, category: Category.NON_COMMERCIAL,
        gates=(Category.NON_COMMERCIAL,),
        if_allowed=ACCEPT,
    ),
    LicenseRule(
        LicenseReason.NO_DERIVATIVES,
        "a deciding license forbids derived works",
        lambda verdict, _: verdict.no_derivatives,
        DISALLOWED,
        gate=lambda verdict, category: Category.NO_DERIVATIVES,
        gates=(Category.NO_DERIVATIVES,),
        if_allowed=ACCEPT,
    ),
    LicenseRule(
        LicenseReason.COPYLEFT,
        "the license is copyleft or weak copyleft",
        lambda _, category: category in _COPYLEFT,
        DISALLOWED,
        gate=_own,
        gates=_COPYLEFT,
        if_allowed=ActionChoice(setting="copyleft_action"),
    ),
    LicenseRule(
        LicenseReason.PROPRIETARY,
        "a proprietary license is named (not just 'all rights reserved')",
        lambda verdict, category: (
            category == Category.PROPRIETARY and not verdict.all_rights_reserved
        ),
        DISALLOWED,
        gate=_own,
        gates=(Category.PROPRIETARY,),
        if_allowed=ACCEPT,
    ),
    LicenseRule(
        LicenseReason.UNKNOWN,
        "no license could be determined",
        lambda verdict, category: category == Category.UNKNOWN and not verdict.all_rights_reserved,
        ActionChoice(setting="unknown_action"),
    ),
    LicenseRule(
        LicenseReason.CATEGORY_NOT_ALLOWED,
        "the license is permissive or public domain",
        lambda _, category: category in _OPEN,
        DISALLOWED,
        gate=_own,
        gates=_OPEN,
    ),
)


def license_policy(verdict: RightsVerdict, settings: LicenseSettings) -> list[tuple[str, Action]]:
    """Reason codes with actions for one verdict; an empty list means nothing to say.

    A code whose category the intended use allows is still emitted for copyleft (so the
    ledger shows it) with `copyleft_action`, default `accept` (IGNORE).
    """
    decisions: list[tuple[str, Action]] = []
    for rule in LICENSE_RULES:
        action = rule.decide(verdict, settings)
        if action is not None:
            decisions.append((str(rule.code), action))
    return decisions


@dataclass(frozen=True)
class RuleStatement:
    """One case of one rule under a policy, as `policy explain` prints it.

    `gate_category` is None for ungated rules; `action` None means the code is not
    raised in this case (an allowed category keeps the rule silent).
    """

    code: str
    when: str
    gate_category: Category | None
    allowed: bool | None
    action: Action | None


def explain_rules(settings: LicenseSettings) -> list[RuleStatement]:
    """Every case of every rule, with the action these settings give it."""
    allowed = settings.allowed()
    statements: list[RuleStatement] = []
    for rule in LICENSE_RULES:
        cases: tuple[Category | None, ...] = rule.gates if rule.gate else (None,)
        for category in cases:
            statements.append(
                RuleStatement(
                    code=str(rule.code),
                    when=rule.when,
                    gate_category=category,
                    allowed=None if category is None else category in allowed,
                    action=rule.action_for(settings, category),
                )
            )
    return statements
