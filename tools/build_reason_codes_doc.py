"""Write `docs/reason-codes.md` from the reason-code catalogue.

Run from the repository root after changing a code or its prose
(`schemas/reason_codes.py`, `schemas/data/reason_codes.json`):

    python tools/build_reason_codes_doc.py          # rewrite the page
    python tools/build_reason_codes_doc.py --check  # exit 1 if the page is stale
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from schemas.reason_docs import DOC_PATH, reason_codes_markdown  # noqa: E402

TARGET = Path(__file__).resolve().parents[1] / DOC_PATH


def main(argv: list[str]) -> int:
    page = reason_codes_markdown()
    if "--check" in argv:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        if current != page:
            print(f"{DOC_PATH} is stale: run python tools/build_reason_codes_doc.py")
            return 1
        print(f"{DOC_PATH}: up to date")
        return 0
    TARGET.write_text(page, encoding="utf-8")
    print(f"wrote {DOC_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
