"""The demo's crawl: a WARC file with one page per opt-out signal, and the site's snapshots.

Why apart: the opt-out stage reads what a crawl carries besides text (HTTP headers,
`<meta>` tags) and what the crawler saved beside it (robots.txt, tdmrep.json), so this
source is built from HTTP records and site files rather than documents. Fixed record ids
from the seeded generator keep the WARC bytes reproducible.
"""

from __future__ import annotations

import io
import random
from pathlib import Path

from demo_text import paragraph
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

WARC_SITE = "newsroom.test"
WARC_PAGES = [
    # (path, extra HTTP headers, extra <head> markup, what it demonstrates)
    ("/stories/harbour-festival", [("tdm-reservation", "1")], "", "TDMRep header"),
    ("/stories/tram-depot", [], '<meta name="tdm-reservation" content="1">', "TDMRep meta"),
    ("/stories/bird-survey", [("X-Robots-Tag", "noai, noimageai")], "", "X-Robots-Tag noai"),
    ("/stories/repair-cafe", [], '<meta name="robots" content="noai">', "robots meta noai"),
    ("/stories/night-train", [("Content-Usage", "train-ai=n")], "", "AI-preferences header"),
    ("/members/newsletter-7", [], "", "robots.txt disallows GPTBot and CCBot here"),
    ("/archive/2019/ferry-timetable", [], "", "tdmrep.json reserves /archive/"),
    ("/stories/library-rooftop", [], "", "no reservation"),
    ("/stories/coastal-path", [("tdm-reservation", "0")], "", "TDMRep explicitly not reserved"),
    ("/stories/ceramics-studio", [], "", "no reservation"),
]
ROBOTS_TXT = """User-agent: GPTBot
Disallow: /members/

User-agent: CCBot
Disallow: /members/

User-agent: *
Allow: /
"""
TDMREP_JSON = """[
  {"location": "/archive/*", "tdm-reservation": 1,
   "tdm-policy": "https://newsroom.test/tdm-policy.json"},
  {"location": "/*", "tdm-reservation": 0}
]
"""


def warc_headers(rng: random.Random, date: str) -> dict[str, str]:
    """Fixed record ids (from the seeded generator) keep the WARC bytes reproducible."""
    record_id = "".join(rng.choice("0123456789abcdef") for _ in range(32))
    return {
        "WARC-Date": date,
        "WARC-Record-ID": f"<urn:uuid:{record_id[:8]}-{record_id[8:12]}-"
        f"{record_id[12:16]}-{record_id[16:20]}-{record_id[20:]}>",
    }


def build_warc(root: Path, rng: random.Random) -> None:
    """A small crawl with one page per opt-out signal, plus an image the reader must refuse."""
    directory = root / "warc"
    directory.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    date = "2026-09-20T08:00:00Z"
    for index, (path, headers, head, _purpose) in enumerate(WARC_PAGES):
        body = (
            f"<html><head><title>Newsroom story {index}</title>{head}</head><body>"
            f"<nav>Home | Stories | Archive</nav><article><h1>Story {index}</h1>"
            f"<p>{paragraph(rng, 6)}</p><p>{paragraph(rng, 5)}</p></article>"
            "<footer>Newsroom Test</footer></body></html>"
        ).encode()
        http = StatusAndHeaders(
            "200 OK", [("Content-Type", "text/html; charset=utf-8"), *headers], protocol="HTTP/1.1"
        )
        record = writer.create_warc_record(
            f"https://{WARC_SITE}{path}",
            "response",
            payload=io.BytesIO(body),
            http_headers=http,
            warc_headers_dict=warc_headers(rng, date),
        )
        writer.write_record(record)
    image = StatusAndHeaders("200 OK", [("Content-Type", "image/png")], protocol="HTTP/1.1")
    writer.write_record(
        writer.create_warc_record(
            f"https://{WARC_SITE}/logo.png",
            "response",
            payload=io.BytesIO(b"\x89PNG\r\n" + bytes(64)),
            http_headers=image,
            warc_headers_dict=warc_headers(rng, date),
        )
    )
    (directory / "newsroom-2026-09.warc.gz").write_bytes(buffer.getvalue())
    snapshots = root / "snapshots"
    snapshots.mkdir(parents=True, exist_ok=True)
    (snapshots / f"{WARC_SITE}.robots.txt").write_text(ROBOTS_TXT, encoding="utf-8")
    (snapshots / f"{WARC_SITE}.tdmrep.json").write_text(TDMREP_JSON, encoding="utf-8")
