"""The consent and opt-out stage as Beam: reservations per record, consent per subject.

The HMAC key, the consent registry and the robots.txt / tdmrep.json snapshots are
loaded in `setup()`, once per worker, from their configured locations: neither
the key nor any subject identifier or token travels in the pipeline graph.
Raw subject identifiers read from the record are turned into tokens here and
dropped from the record.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from urllib.parse import urlsplit

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems

from schemas.actions import Action
from schemas.consent import ConsentRegistryConfig, OptOutSignal, OptOutSnapshots
from schemas.pii import PiiSettings
from schemas.policy import ConsentPolicy, OptOutPolicy
from schemas.record import AuditRecord, Signal
from transforms.common.keys import KeySource
from transforms.common.scrubbed_output import scrub_worker_output
from transforms.common.stage import TEXT, ScanStage, StageContract
from transforms.consent.decision import consent_decision, decision_signals
from transforms.consent.optout import RobotsSnapshot, TdmRepSnapshot
from transforms.consent.registry import ConsentIndex, load_consent_index, subject_token
from transforms.pii.redaction import replacement_for, resolve_overlaps

STAGE_OPTOUT = "optout"
STAGE_CONSENT = "consent"
# Mentions of a person who withdrew consent are found among the PII findings, and
# they are redacted in the text: both must still be in the record.
CONTRACT = StageContract.declare(
    STAGE_CONSENT,
    requires=(TEXT, "source", "pii_findings"),
    provides=("optout_signals", "subject_tokens", "consent_status", "redacted_text"),
    rewrites=("document",),
)


def _read_text(path: str) -> str:
    with FileSystems.open(path) as handle:
        return handle.read().decode("utf-8")


def parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None  # unknown collection time: every withdrawal counts (the safe side)


def redact_mentions(record: AuditRecord, blocked: set[str], pii: PiiSettings) -> str:
    """Text with the blocked subjects' spans redacted too, on top of what PII already did."""
    chosen = [
        finding
        for finding in record.pii_findings
        if finding.value_token in blocked or pii.action_for(finding.entity_type) is not Action.KEEP
    ]
    text = record.document.text
    pieces, cursor = [], 0
    for finding in resolve_overlaps(chosen):
        action = pii.action_for(finding.entity_type)
        pieces.append(text[cursor : finding.start])
        pieces.append(replacement_for(finding, Action.REDACT if action is Action.KEEP else action))
        cursor = finding.end
    pieces.append(text[cursor:])
    return "".join(pieces)


class CheckConsentAndOptOuts(ScanStage):
    contract = CONTRACT

    def __init__(
        self,
        key_source: KeySource,
        registry: ConsentRegistryConfig | None,
        snapshots: dict[str, OptOutSnapshots],
        consent_policy: ConsentPolicy,
        optout_policy: OptOutPolicy,
        pii_settings: PiiSettings,
    ) -> None:
        super().__init__()
        self.key_source = key_source
        self.registry = registry
        self.snapshots = snapshots
        self.consent_policy = consent_policy
        self.optout_policy = optout_policy
        self.pii_settings = pii_settings

    def setup(self) -> None:
        scrub_worker_output()
        self.key = self.key_source.load()
        if self.registry is None:
            self.index = ConsentIndex()
        else:
            self.index = load_consent_index(
                self.registry.registry,
                self.key,
                format=self.registry.format,
                table=self.registry.table,
                query=self.registry.query,
                opener=FileSystems.open,
            )
        self.robots = {
            source: {host: RobotsSnapshot(_read_text(path)) for host, path in s.robots_txt.items()}
            for source, s in self.snapshots.items()
        }
        self.tdmrep = {
            source: {
                host: TdmRepSnapshot.parse(_read_text(path)) for host, path in s.tdmrep.items()
            }
            for source, s in self.snapshots.items()
        }

    def _optout_signals(self, record: AuditRecord) -> list[OptOutSignal]:
        signals = list(record.document.optout_signals)
        url = record.document.metadata.get("url")
        if url:
            host = (urlsplit(url).hostname or "").lower()
            source = record.source.source_id
            if host in self.robots.get(source, {}):
                signals += self.robots[source][host].signals_for(url)
            if host in self.tdmrep.get(source, {}):
                signals += self.tdmrep[source][host].signals_for(url)
        return signals

    def process(self, record: AuditRecord):
        signals = self._optout_signals(record)
        added = []
        for code in sorted({signal.reason_code for signal in signals if signal.reserved}):
            kinds = sorted({f"{s.kind}@{s.source}" for s in signals if s.reason_code == code})
            added.append(Signal(code, self.optout_policy.action, STAGE_OPTOUT, ", ".join(kinds)))

        document = record.document
        subject_tokens = sorted(
            subject_token(self.key, kind, value)
            for kind, value in document.subject_identifiers.items()
        )
        decision = consent_decision(
            subject_tokens,
            [finding.value_token for finding in record.pii_findings],
            record.source.source_type,
            parse_time(document.collected_at),
            self.registry.purpose if self.registry else "training",
            self.index,
            self.consent_policy,
        )
        self.count(f"status.{decision.status}")
        added += decision_signals(decision)
        redaction = (
            {
                "redacted_text": redact_mentions(
                    record, set(decision.blocked_mention_tokens), self.pii_settings
                )
            }
            if decision.blocked_mention_tokens
            else {}
        )
        yield self.updated(
            record,
            added,
            # The raw identifiers stop here: only their tokens travel on.
            document=replace(document, subject_identifiers={}),
            optout_signals=signals,
            subject_tokens=subject_tokens,
            consent_status=str(decision.status),
            **redaction,
        )


class ConsentStage(beam.PTransform):
    """PCollection[AuditRecord] -> new records with opt-out signals, consent status and tokens."""

    contract = CONTRACT

    def __init__(self, dofn: CheckConsentAndOptOuts) -> None:
        super().__init__()
        self.dofn = dofn

    def expand(self, records):
        return records | "Check" >> beam.ParDo(self.dofn)
