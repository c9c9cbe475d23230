"""Which outputs the suites cover, importable without Great Expectations (workers check
the names before they pay GX's import)."""

from __future__ import annotations

# Per-file suites, in the order the summary's validation section lists them.
FILE_SUITES = ("ledger", "dataset", "dead_letter")
# Outputs whose doc_id must be unique across all their files, not only within one.
UNIQUE_ID_OUTPUTS = ("ledger", "dataset")
