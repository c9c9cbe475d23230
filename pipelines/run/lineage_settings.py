"""The `lineage:` block of the run config (kept apart so the config loader stays light)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, model_validator

PRODUCER = "urn:provenance-pipeline:lineage:0.1.0"


class LineageSettings(BaseModel):
    """`lineage:` in the run config. `http` needs `url`; `file` is relative to the output."""

    model_config = ConfigDict(extra="forbid")

    transport: Literal["file", "http", "none"] = "file"
    file: str = "reports/openlineage.jsonl"
    url: str | None = None
    endpoint: str = "api/v1/lineage"
    timeout_seconds: float = 5.0
    namespace: str = "provenance-pipeline"
    producer: str = PRODUCER

    @model_validator(mode="after")
    def http_needs_url(self) -> LineageSettings:
        if self.transport == "http" and not self.url:
            raise ValueError(
                "lineage.transport is http: set lineage.url (e.g. http://marquez:5000)"
            )
        return self
