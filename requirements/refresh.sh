#!/usr/bin/env bash
# Regenerate the committed locks from pyproject.toml: every package of the dependency
# tree pinned, with hashes, for CPython 3.11 on x86-64 Linux (the project's machines).
#
#   python3 -m pip install "uv>=0.9,<1" && bash requirements/refresh.sh
#
# uv rather than pip-compile: it resolves for a target interpreter and platform without
# installing anything, in seconds, and writes pip's requirements format (installed below
# with plain pip, hash-checked). After refreshing, run `bash .ci/run` before committing.
set -euo pipefail
cd "$(dirname "$0")/.."
compile() {
  local out=$1; shift
  uv pip compile pyproject.toml "$@" \
    --python-version 3.11 --python-platform x86_64-manylinux_2_28 \
    --generate-hashes --quiet \
    --custom-compile-command "bash requirements/refresh.sh" \
    -o "requirements/$out"
}
compile lock.txt
compile lock-dev.txt --extra dev
compile lock-bench.txt --extra bench
compile lock-scancode.txt --extra dev --extra scancode
