"""OpenLineage events for a run: which sources went in, which outputs came out, and how.

Lineage servers (Marquez, DataHub, cloud catalogues) answer "where did this data go?"
across pipelines; for erasure requests that is the question. Events are built with the
`openlineage-python` client's own types and sent through its transports: by default the
file transport in append mode, one JSON event per line in `reports/openlineage.jsonl`;
an HTTP server when configured. Only counts and schemas leave the run, never values.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import attr
import pyarrow as pa
from openlineage.client import OpenLineageClient
from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState
from openlineage.client.facet_v2 import (
    RunFacet,
    column_lineage_dataset,
    data_quality_assertions_dataset,
    datasource_dataset,
    error_message_run,
    schema_dataset,
)
from openlineage.client.transport.file import FileConfig, FileTransport
from openlineage.client.transport.http import HttpConfig, HttpTransport

from pipelines.run.config import LoadedConfig, RunConfig, default_root
from pipelines.run.lineage_settings import LineageSettings
from schemas.dataset import DATASET_SCHEMA
from schemas.dead_letter import DEAD_LETTER_SCHEMA
from schemas.ledger import LEDGER_SCHEMA, scrub
from schemas.record import Decision
from schemas.run_summary import RunSummary, ValidationResults

OUTPUT_SCHEMAS = {
    "dataset": DATASET_SCHEMA,
    "ledger": LEDGER_SCHEMA,
    "dead_letter": DEAD_LETTER_SCHEMA,
}
# Run ids are timestamps + random hex; OpenLineage wants a UUID, derived stably from it.
RUN_UUID_NAMESPACE = uuid.UUID("0b6b4f0e-5d1c-4c3a-9a57-6f0d2b1f8a11")


# ---- custom facets: counts only ------------------------------------------------------------


def _facet_schema(name: str) -> str:
    return f"urn:provenance-pipeline:facets:{name}:1-0-0"


@attr.define
class ProvenanceRunFacet(RunFacet):
    """The pipeline's own run id and policy, so lineage joins the manifest."""

    runId: str = attr.field(default="")  # noqa: N815
    policyName: str | None = attr.field(default=None)  # noqa: N815
    policyVersion: str | None = attr.field(default=None)  # noqa: N815
    policySha256: str | None = attr.field(default=None)  # noqa: N815

    @staticmethod
    def _get_schema() -> str:
        return _facet_schema("ProvenanceRunFacet")


@attr.define
class ConsentSummaryRunFacet(RunFacet):
    status: dict[str, int] = attr.field(factory=dict)

    @staticmethod
    def _get_schema() -> str:
        return _facet_schema("ConsentSummaryRunFacet")


@attr.define
class OptOutSummaryRunFacet(RunFacet):
    signals: dict[str, int] = attr.field(factory=dict)

    @staticmethod
    def _get_schema() -> str:
        return _facet_schema("OptOutSummaryRunFacet")


@attr.define
class PiiSummaryRunFacet(RunFacet):
    """Per entity type: findings and documents redacted/rejected; never a value."""

    found: dict[str, int] = attr.field(factory=dict)
    redacted: dict[str, int] = attr.field(factory=dict)
    rejected: dict[str, int] = attr.field(factory=dict)

    @staticmethod
    def _get_schema() -> str:
        return _facet_schema("PiiSummaryRunFacet")


@attr.define
class ReuseRunFacet(RunFacet):
    """With `run --previous`: the version built on, and what its scans saved or changed."""

    previousRunId: str = attr.field(default="")  # noqa: N815
    reused: int = 0
    rescanned: dict[str, int] = attr.field(factory=dict)
    removed: int = 0
    newlyAccepted: int = 0  # noqa: N815
    newlyRejected: int = 0  # noqa: N815

    @staticmethod
    def _get_schema() -> str:
        return _facet_schema("ReuseRunFacet")


# ---- naming and schemas ---------------------------------------------------------------------


def dataset_address(path: str) -> tuple[str, str]:
    """OpenLineage (namespace, name): `gs://bucket` + key, or `file` + absolute path."""
    match = re.match(r"^([a-z][a-z0-9+.-]*)://([^/]*)/?(.*)$", path)
    if match and match.group(1) != "file":
        return f"{match.group(1)}://{match.group(2)}", match.group(3) or "/"
    local = path[len("file://") :] if path.startswith("file://") else path
    return "file", str(Path(local).absolute())


def schema_fields(
    schema: pa.Schema | list[pa.Field],
) -> list[schema_dataset.SchemaDatasetFacetFields]:
    """Schema facet fields, nested for structs and lists of structs."""
    fields = []
    for field in schema:
        arrow_type = field.type
        inner = arrow_type.value_type if pa.types.is_list(arrow_type) else arrow_type
        children = schema_fields(list(inner)) if pa.types.is_struct(inner) else []
        fields.append(
            schema_dataset.SchemaDatasetFacetFields(
                name=field.name,
                type=str(arrow_type)
                if not children
                else ("array<struct>" if inner is not arrow_type else "struct"),
                fields=children,
            )
        )
    return fields


def _sources(config: LoadedConfig | RunConfig) -> list[dict]:
    """Source id, root, text field and declared schema from a LoadedConfig or RunConfig."""
    run = config.run if isinstance(config, LoadedConfig) else config
    roots = getattr(config, "source_roots", {}) or {}
    return [
        {
            "id": source.id,
            "type": str(source.type),
            "root": roots.get(source.id) or default_root(source.paths),
            "text_field": source.fields.text,
            "other_fields": [f for f in [source.fields.id, *source.fields.metadata] if f],
        }
        for source in run.sources
    ]


# ---- the emitter ----------------------------------------------------------------------------


class LineageEmitter:
    """Builds START / COMPLETE / FAIL events for one run config and sends them.

    Events are built and emitted separately so callers (and tests) can inspect them; the
    job is `settings.namespace` / the config's `name`, the run id a UUID derived from the
    pipeline's run id (so START and COMPLETE of one run always match).
    """

    def __init__(
        self,
        config: LoadedConfig | RunConfig,
        settings: LineageSettings | None = None,
        output_dir: str | Path | None = None,
        events_dir: str | Path | None = None,
    ) -> None:
        """`output_dir` names the output datasets (a path or an object-store URI);
        `events_dir`, local, holds a relative event file (default: `output_dir`)."""
        run = config.run if isinstance(config, LoadedConfig) else config
        self.settings = settings or LineageSettings()
        self.job_name = run.name
        self.output_dir = str(output_dir if output_dir is not None else run.output or ".")
        self.events_dir = str(events_dir) if events_dir is not None else self.output_dir
        self.sources = _sources(config)
        self._client: OpenLineageClient | None = None

    @staticmethod
    def run_uuid(run_id: str) -> str:
        return str(uuid.uuid5(RUN_UUID_NAMESPACE, run_id))

    def _event(
        self,
        state: RunState,
        run_id: str,
        run_facets: dict,
        outputs: list[OutputDataset] | None = None,
        event_time: str | None = None,
    ) -> RunEvent:
        facets = {"provenance": ProvenanceRunFacet(runId=run_id), **run_facets}
        inputs = self.inputs()
        outputs = outputs if outputs is not None else self.outputs()
        # Facets default to the client library as their producer; this pipeline produced them.
        for facet in [
            *facets.values(),
            *(f for d in [*inputs, *outputs] for f in (d.facets or {}).values()),
        ]:
            facet._producer = self.settings.producer
        return RunEvent(
            eventType=state,
            eventTime=event_time or datetime.now(UTC).isoformat(),
            run=Run(runId=self.run_uuid(run_id), facets=facets),
            job=Job(namespace=self.settings.namespace, name=self.job_name),
            inputs=inputs,
            outputs=outputs,
            producer=self.settings.producer,
        )

    def inputs(self) -> list[InputDataset]:
        datasets = []
        for source in self.sources:
            namespace, name = dataset_address(source["root"])
            fields = [
                schema_dataset.SchemaDatasetFacetFields(name=source["text_field"], type="string")
            ]
            fields += [
                schema_dataset.SchemaDatasetFacetFields(name=f) for f in source["other_fields"]
            ]
            datasets.append(
                InputDataset(
                    namespace=namespace,
                    name=name,
                    facets={
                        "dataSource": datasource_dataset.DatasourceDatasetFacet(
                            name=source["id"],
                            uri=f"{namespace}://{name}"
                            if namespace == "file"
                            else f"{namespace}/{name}",
                        ),
                        "schema": schema_dataset.SchemaDatasetFacet(fields=fields),
                    },
                )
            )
        return datasets

    def outputs(self, summary: RunSummary | None = None) -> list[OutputDataset]:
        """Outputs with schemas; lineage and assertions only once the run's summary exists."""
        assertions = _assertions_by_output(None if summary is None else summary.validation)
        datasets = []
        for directory, schema in OUTPUT_SCHEMAS.items():
            namespace, name = dataset_address(f"{self.output_dir.rstrip('/')}/{directory}")
            facets: dict[str, Any] = {
                "schema": schema_dataset.SchemaDatasetFacet(fields=schema_fields(schema))
            }
            if directory == "dataset" and summary is not None:
                facets["columnLineage"] = self._text_lineage(summary)
            if directory in assertions:
                # The spec types this facet as an input facet; it describes these outputs,
                # so it sits in their `facets` where lineage UIs show it.
                facets["dataQualityAssertions"] = (
                    data_quality_assertions_dataset.DataQualityAssertionsDatasetFacet(
                        assertions=assertions[directory]
                    )
                )
            datasets.append(OutputDataset(namespace=namespace, name=name, facets=facets))
        return datasets

    def _text_lineage(
        self, summary: RunSummary
    ) -> column_lineage_dataset.ColumnLineageDatasetFacet:
        inputs = []
        for source in self.sources:
            namespace, name = dataset_address(source["root"])
            decisions = summary.counts_of(source["id"]).decisions
            masked = decisions.get(Decision.ACCEPT_REDACTED, 0) > 0
            inputs.append(
                column_lineage_dataset.InputField(
                    namespace=namespace,
                    name=name,
                    field=source["text_field"],
                    transformations=[
                        column_lineage_dataset.Transformation(
                            type="DIRECT",
                            subtype="TRANSFORMATION",
                            masking=masked,
                            description="personal data redacted" if masked else "copied as read",
                        )
                    ],
                )
            )
        return column_lineage_dataset.ColumnLineageDatasetFacet(
            fields={"text": column_lineage_dataset.Fields(inputFields=inputs)}
        )

    def start(self, run_id: str, event_time: str | None = None) -> RunEvent:
        return self._event(RunState.START, run_id, {}, event_time=event_time)

    def complete(
        self,
        run_id: str,
        summary: RunSummary | None,
        manifest: dict | None = None,
        event_time: str | None = None,
    ) -> RunEvent:
        policy = (manifest or {}).get("policy", {})
        facets: dict[str, Any] = {
            "provenance": ProvenanceRunFacet(
                runId=run_id,
                policyName=policy.get("name"),
                policyVersion=policy.get("version"),
                policySha256=policy.get("sha256"),
            )
        }
        consent = None if summary is None else summary.consent
        optout = None if summary is None else summary.optout
        pii = None if summary is None else summary.pii
        if consent is not None:
            facets["provenance_consent"] = ConsentSummaryRunFacet(status=dict(consent.status))
        if optout is not None:
            facets["provenance_optout"] = OptOutSummaryRunFacet(signals=dict(optout.signals))
        if pii is not None:
            facets["provenance_pii"] = PiiSummaryRunFacet(
                found=dict(pii.found), redacted=dict(pii.redacted), rejected=dict(pii.rejected)
            )
        reuse = None if summary is None else summary.reuse
        if reuse is not None:
            facets["provenance_reuse"] = ReuseRunFacet(
                previousRunId=reuse.previous_run_id,
                reused=reuse.reused,
                rescanned=dict(reuse.rescanned),
                removed=reuse.removed,
                newlyAccepted=reuse.newly_accepted,
                newlyRejected=reuse.newly_rejected,
            )
        return self._event(RunState.COMPLETE, run_id, facets, self.outputs(summary), event_time)

    def fail(self, run_id: str, message: str, event_time: str | None = None) -> RunEvent:
        """The message should name the failure, not quote data (it leaves the run); an
        exception raised on a record may quote it anyway, so it is scrubbed here."""
        error = error_message_run.ErrorMessageRunFacet(
            message=scrub(message)[:300], programmingLanguage="python"
        )
        return self._event(RunState.FAIL, run_id, {"errorMessage": error}, [], event_time)

    def client(self) -> OpenLineageClient:
        if self._client is None:
            self._client = OpenLineageClient(transport=self._transport())
        return self._client

    def _transport(self):
        settings = self.settings
        if settings.transport == "http":
            return HttpTransport(
                HttpConfig(
                    url=settings.url, endpoint=settings.endpoint, timeout=settings.timeout_seconds
                )
            )
        if settings.transport == "none":
            from openlineage.client.transport.noop import NoopConfig, NoopTransport

            return NoopTransport(NoopConfig())
        path = Path(settings.file)
        if not path.is_absolute():
            path = Path(self.events_dir) / path
        path.parent.mkdir(parents=True, exist_ok=True)
        return FileTransport(FileConfig(log_file_path=str(path), append=True))

    def emit(self, event: RunEvent) -> None:
        self.client().emit(event)


def _assertions_by_output(validation: ValidationResults | None) -> dict[str, list]:
    """GX suites as OpenLineage assertions, grouped by the output directory they checked."""
    grouped: dict[str, list] = {}
    for suite in () if validation is None else validation.suites:
        directory = suite.file.split("/", 1)[0]
        directory = directory if directory in OUTPUT_SCHEMAS else "dataset"
        items = grouped.setdefault(directory, [])
        items.append(
            data_quality_assertions_dataset.Assertion(
                assertion="expectation_suite",
                success=suite.success,
                name=suite.name,
                description=suite.file,
            )
        )
        items += [
            data_quality_assertions_dataset.Assertion(
                assertion="expectation", success=False, name=text, description=suite.file
            )
            for text in suite.failed
        ]
    return grouped
