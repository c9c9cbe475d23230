"""Settings of the per-source gate (the `gate:` block of the policy)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from schemas.reason_codes import PII_SECRET, PII_SENSITIVE


class GateSettings(BaseModel):
    """The `gate:` block of the policy."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    threshold: float = Field(0.05, ge=0.0, le=1.0, description="TC260's 5% figure")
    disqualifying: tuple[str, ...] = Field(
        (PII_SENSITIVE.pattern, PII_SECRET.pattern),
        description="globs over signal codes that make a record disqualifying",
    )
    sample_size: int = Field(4000, ge=0, description="TC260's review sample size per source")
    sample_seed: str = "provenance-review-sample"
