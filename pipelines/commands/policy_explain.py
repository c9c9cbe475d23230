"""`provenance policy explain`: the effective policy in plain language.

Privacy officers and counsel read this, not YAML: for each stage, what is looked
for and what happens, then every override rule, each with the reason code it
produces and what that code means.
"""

from __future__ import annotations

from schemas.pii import reason_prefix
from schemas.policy import Policy
from schemas.reason_codes import explain

ACTION_WORDS = {
    "reject": "the record is rejected",
    "redact": "the value is removed from the text and the record kept",
    "pseudonymize": "the value is replaced by a stable pseudonym and the record kept",
    "keep": "the finding is recorded and the text left as is",
    "flag": "the record is kept and the reason recorded for review",
    "ignore": "nothing happens beyond the ledger entry",
    "accept": "the record is kept; the reason is recorded in the ledger",
}


def _line(code: str, action: str) -> str:
    return f"  - {code}: {ACTION_WORDS.get(action, action)}.\n      {explain(code)}"


def explain_policy(policy: Policy, policy_path: str, sha256: str) -> str:
    out = [
        f"Policy {policy.name!r}, version {policy.version} ({policy_path}, sha256 {sha256[:16]}…)",
        f"Intended use: {policy.intended_use}.",
    ]
    if policy.description:
        out.append(policy.description.strip())
    out.append("\n1. Personal information (Presidio, offline)")
    pii = policy.pii
    for entity in pii.entities:
        action = pii.action_for(entity)
        code = f"{reason_prefix(entity, action)}.{entity}"
        out.append(_line(code, str(action)))
    out.append(f"  Phone numbers are parsed for regions: {', '.join(pii.phone_regions)}.")
    out.append("\n2. Licenses and copyright")
    licenses = policy.licenses
    allowed = ", ".join(sorted(str(c) for c in licenses.allowed()))
    out.append(f"  Allowed categories for {licenses.intended_use} use: {allowed}.")
    for code, action in (
        ("license.non_commercial", licenses.disallowed_action),
        ("license.no_derivatives", licenses.disallowed_action),
        ("license.reserved_tdm", licenses.tdm_reserved_action),
        ("license.all_rights_reserved", licenses.all_rights_reserved_action),
        ("license.conflict", licenses.conflict_action),
        ("license.unknown", licenses.unknown_action),
        ("license.copyleft", licenses.copyleft_action),
    ):
        out.append(_line(code, action))
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
    for code, action in (
        ("consent.missing", consent.missing_action),
        ("consent.withdrawn", consent.withdrawn_action),
        ("consent.refused", consent.refused_action),
        ("consent.withdrawn_mention", consent.mention_action),
    ):
        out.append(_line(code, str(action)))
    for code in ("optout.tdm_reservation", "optout.noai", "optout.content_usage", "optout.robots"):
        out.append(_line(code, str(policy.optout.action)))
    out.append("\n4. Duplicates")
    dedup = policy.dedup
    out.append(
        f"  Near duplicates: MinHash with {dedup.num_perm} permutations over {dedup.ngram}-word "
        f"shingles, estimated Jaccard >= {dedup.threshold}. The copy with the strongest rights "
        "is kept (already-rejected last, then consent, then license, then source priority)."
    )
    for code in ("dedup.exact_duplicate", "dedup.near_duplicate", "consent.withdrawn_copy"):
        out.append(_line(code, "reject"))
    out.append("\n5. Per-source gate")
    gate = policy.gate
    out.append(
        f"  A source is rejected whole when more than {gate.threshold:.0%} of its records match "
        f"{', '.join(gate.disqualifying)}; a review sample of up to {gate.sample_size} records "
        "per source is exported."
    )
    out.append(_line("source.gate_exceeded", "reject"))
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
            f"{ACTION_WORDS.get(str(rule.action), rule.action)} (precedence {rule.precedence})."
        )
        if rule.description:
            out.append(f"      {rule.description.strip()}")
    return "\n".join(out) + "\n"
