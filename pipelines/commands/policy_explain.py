"""`provenance policy explain`: the effective policy in plain language.

Privacy officers and counsel read this, not YAML: for each stage, what is looked
for and what happens, then every override rule, each with the reason code it
produces and what that code means. Where a stage decides through a rule table
(the license rules, the PII code families, the consent actions) the statements are
generated from that table, so explain cannot say something the decision does not do.
"""

from __future__ import annotations

from schemas.actions import Action
from schemas.licenses import LicenseSettings
from schemas.pii import PiiSettings, reason_code, signal_action
from schemas.policy import Policy
from schemas.reason_codes import ConsentReason, DedupReason, OptOutReason, SourceReason, explain
from transforms.decision.gate import GATE_ACTION
from transforms.licenses.policy_rules import RuleStatement, explain_rules

ACTION_WORDS: dict[Action, str] = {
    Action.REJECT: "the record is rejected",
    Action.REDACT: "the value is removed from the text and the record kept",
    Action.PSEUDONYMIZE: "the value is replaced by a stable pseudonym and the record kept",
    Action.KEEP: "the finding is recorded and the text left as is",
    Action.FLAG: "the record is kept and the reason recorded for review",
    Action.IGNORE: "the record is kept; the signal stays in the ledger's signals, not a reason",
}
# What a PII action does to the text when the code's family rejects the record anyway.
TEXT_WORDS: dict[Action, str] = {
    Action.REDACT: "the value is removed from the text",
    Action.PSEUDONYMIZE: "the value is replaced by a stable pseudonym in the text",
}
NOT_RAISED = "not raised"


def _line(code: str, action: Action) -> str:
    return f"  - {code}: {ACTION_WORDS[action]}.\n      {explain(code)}"


def pii_lines(pii: PiiSettings) -> list[str]:
    """One line per entity, from the functions the PII stage uses to name and act."""
    lines = []
    for entity in pii.entities:
        action = pii.action_for(entity)
        if action is Action.KEEP:
            lines.append(f"  - {entity}: {ACTION_WORDS[Action.KEEP]}; no reason code is raised.")
            continue
        code = reason_code(entity, action)
        outcome = signal_action(code)
        if outcome is Action.REJECT and action is not Action.REJECT:
            words = f"{TEXT_WORDS[action]}, and the record is rejected"
            lines.append(f"  - {code}: {words}.\n      {explain(code)}")
        else:
            lines.append(_line(code, outcome if outcome is Action.REJECT else action))
    return lines


def license_statement_line(statement: RuleStatement, intended_use: str) -> str:
    """How explain prints one case of one license rule."""
    case = f"when {statement.when}"
    if statement.gate_category is not None:
        allowed = "allowed" if statement.allowed else "not allowed"
        case += f" and {statement.gate_category} is {allowed} for {intended_use} use"
    if statement.action is None:
        return f"  - {statement.code}, {case}: {NOT_RAISED}."
    return (
        f"  - {statement.code}, {case}: {ACTION_WORDS[statement.action]}.\n"
        f"      {explain(statement.code)}"
    )


def license_lines(licenses: LicenseSettings) -> list[str]:
    allowed = ", ".join(sorted(str(c) for c in licenses.allowed()))
    lines = [f"  Allowed categories for {licenses.intended_use} use: {allowed}."]
    lines += [
        license_statement_line(statement, licenses.intended_use)
        for statement in explain_rules(licenses)
    ]
    return lines


def explain_policy(policy: Policy, policy_path: str, sha256: str) -> str:
    out = [
        f"Policy {policy.name!r}, version {policy.version} ({policy_path}, sha256 {sha256[:16]}…)",
        f"Intended use: {policy.intended_use}.",
    ]
    if policy.description:
        out.append(policy.description.strip())
    out.append("\n1. Personal information (Presidio, offline)")
    pii = policy.pii
    out.extend(pii_lines(pii))
    out.append(f"  Phone numbers are parsed for regions: {', '.join(pii.phone_regions)}.")
    out.append("\n2. Licenses and copyright")
    licenses = policy.licenses
    out.extend(license_lines(licenses))
    deep = licenses.deep
    if deep.engine == "off":
        out.append("  Deep scan: off (every verdict comes from the fast detectors).")
    else:
        out.append(
            f"  Deep scan: documents the fast detectors are unsure of (matches below "
            f"{deep.confident_at:g} confidence, unknown ids"
            + (", license words they cannot resolve" if deep.scan_unresolved else "")
            + f", bare license URLs) go to {deep.engine}, up to {deep.max_chars:,} characters "
            f"and {deep.timeout_seconds:g} s each; its licenses replace the fast ones."
        )
        scope = [
            f"{label} {', '.join(names)}"
            for label, names in (("sources", deep.sources), ("source types", deep.source_types))
            if names
        ]
        if scope:
            out.append(f"  Deep scan only for {' and '.join(scope)}.")
    out.append("\n3. Consent and opt-outs")
    consent = policy.consent
    out.append(
        f"  Consent is required for source types: {', '.join(consent.required_source_types)}."
    )
    for consent_code, action in consent.actions().items():
        out.append(_line(consent_code, action))
    for optout_code in OptOutReason:
        out.append(_line(optout_code, policy.optout.action))
    out.append("\n4. Duplicates")
    dedup = policy.dedup
    out.append(
        f"  Near duplicates: MinHash with {dedup.num_perm} permutations over {dedup.ngram}-word "
        f"shingles, estimated Jaccard >= {dedup.threshold}. The copy with the strongest rights "
        "is kept (already-rejected last, then consent, then license, then source priority)."
    )
    for dedup_code in (DedupReason.EXACT_DUPLICATE, DedupReason.NEAR_DUPLICATE):
        out.append(_line(dedup_code, Action.REJECT))
    out.append(_line(ConsentReason.WITHDRAWN_COPY, Action.REJECT))
    out.append("\n5. Per-source gate")
    gate = policy.gate
    out.append(
        f"  A source is rejected whole when more than {gate.threshold:.0%} of its records match "
        f"{', '.join(gate.disqualifying)}; a review sample of up to {gate.sample_size} records "
        "per source is exported."
    )
    out.append(_line(SourceReason.GATE_EXCEEDED, GATE_ACTION))
    out.append(
        f"  Sources lacking required evidence: "
        f"{'start-up error' if policy.sources.missing_evidence == 'error' else 'rejected'}."
    )
    out.append("\n6. Override rules (highest precedence wins; ties go to the first written)")
    if not policy.rules:
        out.append("  (none)")
    for rule in sorted(policy.rules, key=lambda r: -r.precedence):
        scope = []
        if rule.sources:
            scope.append(f"sources {', '.join(rule.sources)}")
        if rule.source_types:
            scope.append(f"source types {', '.join(rule.source_types)}")
        where = f" for {' and '.join(scope)}" if scope else ""
        out.append(
            f"  - [{rule.id}] codes matching '{rule.match}'{where}: "
            f"{ACTION_WORDS[rule.action]} (precedence {rule.precedence})."
        )
        if rule.description:
            out.append(f"      {rule.description.strip()}")
    return "\n".join(out) + "\n"
