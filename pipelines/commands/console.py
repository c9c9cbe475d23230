"""What the command line shows on its console: our progress and results, libraries'
warnings, and nothing that quotes a record's personal data."""

from __future__ import annotations

import logging

from transforms.common.scrubbed_output import add_scrubbing


class _LibraryChatter(logging.Filter):
    """Drops the INFO notes libraries log about themselves (GX's temporary docs site,
    OpenLineage's transport). GX sets its module loggers to INFO when imported, after
    `main` has run, so a logger level set here would not hold; a handler filter does."""

    NAMES = ("great_expectations", "openlineage")

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING or not record.name.startswith(self.NAMES)


def configure_logging(quiet: bool) -> None:
    logging.basicConfig(
        level=logging.WARNING if quiet else logging.INFO,
        format="%(asctime)s %(levelname)s %(message)s",
    )
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, _LibraryChatter) for f in handler.filters):
            handler.addFilter(_LibraryChatter())
        # A worker's exception, logged by Beam, may quote the record it failed on.
        add_scrubbing(handler)
    # Beam logs every worker's start and stop at INFO; keep the console for our progress.
    logging.getLogger("apache_beam").setLevel(logging.WARNING)
    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    # Worker harnesses relay their own start-up notices (e.g. "No semi_persistent_directory")
    # through this logger at WARNING; they are not actionable for users.
    logging.getLogger("apache_beam.runners.portability.local_job_service").setLevel(logging.ERROR)
