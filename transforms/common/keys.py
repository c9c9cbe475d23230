"""Loading a key (the HMAC key, the manifest signing key) from where the config says it
lives, never from the config itself."""

from __future__ import annotations

import os
from dataclasses import dataclass

from apache_beam.io.filesystems import FileSystems

MIN_KEY_BYTES = 16


class KeyUnavailableError(Exception):
    """A key could not be loaded; the message says where it was looked for, not the key."""


@dataclass(frozen=True)
class KeySource:
    """Where the HMAC key lives. Only the location travels with the pipeline, never the key,
    so workers (local processes or cloud VMs) read it from their own environment or mount.
    """

    env: str | None = None
    file: str | None = None
    field: str = "hmac_key"  # the config field, for messages

    def describe(self) -> str:
        return f"environment variable {self.env}" if self.env else f"key file {self.file}"

    def load(self) -> bytes:
        if self.env:
            value = os.environ.get(self.env)
            if not value:
                raise KeyUnavailableError(
                    f"environment variable {self.env} is not set or empty; "
                    f"export it with a secret of at least {MIN_KEY_BYTES} bytes"
                )
            key = value.encode("utf-8")
        elif self.file:
            try:
                with FileSystems.open(self.file) as handle:
                    key = handle.read().strip()
            except Exception as error:  # any filesystem's not-found or permission error
                raise KeyUnavailableError(
                    f"key file {self.file} cannot be read ({type(error).__name__}); "
                    f"create it or point {self.field}.file at an existing file"
                ) from None
        else:
            raise KeyUnavailableError(f"{self.field} names neither `env` nor `file`")
        if len(key) < MIN_KEY_BYTES:
            raise KeyUnavailableError(
                f"the key from {self.describe()} is {len(key)} bytes; use at least {MIN_KEY_BYTES}"
            )
        return key
