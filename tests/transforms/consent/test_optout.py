"""Specification of opt-out signal parsing (TDMRep, noai, AI preferences, robots.txt)."""

from __future__ import annotations

import pickle

import pyarrow as pa
import pytest

from schemas.consent import OPTOUT_SIGNAL_TYPE, OptOutKind, OptOutSource
from transforms.consent.optout import (
    RobotsSnapshot,
    TdmRepSnapshot,
    parse_content_usage,
    reserved_reasons,
    signals_from_headers,
    signals_from_meta,
    signals_from_metadata,
)


def test_tdm_reservation_header_1_reserves_and_keeps_raw_text():
    [signal] = signals_from_headers([("TDM-Reservation", " 1 ")])
    assert signal.kind is OptOutKind.TDM_RESERVATION
    assert signal.source is OptOutSource.HEADER
    assert signal.reserved is True
    assert signal.raw == "tdm-reservation: 1"
    assert signal.reason_code == "optout.tdm_reservation"
    assert signal.parser_version


def test_tdm_reservation_0_is_recorded_but_not_reserved():
    [signal] = signals_from_headers([("tdm-reservation", "0")])
    assert signal.reserved is False


def test_tdm_policy_alone_offers_terms_and_does_not_reserve():
    [signal] = signals_from_headers([("tdm-policy", "https://x.org/policy.json")])
    assert (signal.kind, signal.reserved) == (OptOutKind.TDM_POLICY, False)


def test_meta_tdm_reservation_reserves():
    [signal] = signals_from_meta([("tdm-reservation", "1")])
    assert (signal.source, signal.reserved) == (OptOutSource.META, True)


def test_x_robots_tag_noai_reserves_and_noimageai_alone_does_not_for_text():
    signals = signals_from_headers([("X-Robots-Tag", "noai, noimageai")])
    assert [(s.kind, s.reserved) for s in signals] == [
        (OptOutKind.NOAI, True),
        (OptOutKind.NOIMAGEAI, False),
    ]
    assert {s.reason_code for s in signals} == {"optout.noai"}


def test_x_robots_tag_with_agent_prefix_still_reads_noai():
    [signal] = signals_from_headers([("X-Robots-Tag", "GPTBot: noai")])
    assert signal.reserved is True


def test_robots_meta_and_crawler_specific_meta_carry_noai():
    signals = signals_from_meta([("robots", "index, NoAI"), ("ccbot", "noai")])
    assert [s.reserved for s in signals] == [True, True]


def test_plain_robots_directives_give_no_signal():
    assert signals_from_meta([("robots", "noindex, nofollow")]) == []
    assert signals_from_headers([("Content-Type", "text/html")]) == []


def test_content_usage_header_train_ai_n_reserves():
    [signal] = signals_from_headers([("Content-Usage", "train-ai=n, search=y")])
    assert (signal.kind, signal.reserved) == (OptOutKind.CONTENT_USAGE, True)
    assert signal.reason_code == "optout.content_usage"


def test_content_usage_most_specific_category_wins():
    assert (
        signals_from_headers([("Content-Usage", "train-ai=n, train-genai=y")])[0].reserved is False
    )
    assert signals_from_headers([("Content-Usage", "bots=n")])[0].reserved is True
    assert signals_from_headers([("Content-Usage", "search=n")])[0].reserved is False


def test_content_usage_parser_ignores_unknown_values():
    assert parse_content_usage('train-ai=n;x=1, search="y", foo=maybe') == {
        "train-ai": False,
        "search": True,
    }


def test_metadata_fields_map_to_signals():
    signals = signals_from_metadata(
        {"tdm_reservation": 1, "robots": "noai", "title": "x", "content_usage": "train-ai=n"}
    )
    assert {(s.kind, s.source, s.reserved) for s in signals} == {
        (OptOutKind.TDM_RESERVATION, OptOutSource.METADATA, True),
        (OptOutKind.NOAI, OptOutSource.METADATA, True),
        (OptOutKind.CONTENT_USAGE, OptOutSource.METADATA, True),
    }


def test_metadata_field_map_renames_fields():
    [signal] = signals_from_metadata({"ai_optout": "1"}, {"ai_optout": "tdm-reservation"})
    assert signal.reserved is True


TDMREP = """[
  {"location": "/images/*", "tdm-reservation": 1, "tdm-policy": "https://x.org/p.json"},
  {"location": "/blog/*.html$", "tdm-reservation": 0},
  {"location": "/", "tdm-reservation": 1}
]"""


@pytest.mark.parametrize(
    ("url", "reserved"),
    [
        ("https://x.org/images/cat.jpg", True),
        ("https://x.org/blog/post.html", False),
        ("https://x.org/blog/post.html.bak", True),
        ("https://x.org/about", True),
    ],
)
def test_tdmrep_json_first_matching_location_decides(url, reserved):
    [signal] = TdmRepSnapshot.parse(TDMREP).signals_for(url)
    assert (signal.source, signal.reserved) == (OptOutSource.TDMREP_JSON, reserved)


def test_tdmrep_json_without_matching_location_gives_no_signal():
    snapshot = TdmRepSnapshot.parse('[{"location": "/private/", "tdm-reservation": 1}]')
    assert snapshot.signals_for("https://x.org/public/a") == []


def test_tdmrep_json_that_is_not_an_array_is_rejected():
    with pytest.raises(ValueError, match="array"):
        TdmRepSnapshot.parse('{"location": "/"}')


ROBOTS = """
User-agent: *
Disallow: /private/

User-agent: GPTBot
User-agent: CCBot
Disallow: /
Allow: /public/
Content-Usage: train-ai=n
Content-Usage: /open/ train-ai=y
"""


def test_robots_disallow_for_ai_agent_reserves_and_names_the_agents():
    signals = RobotsSnapshot(ROBOTS).signals_for("https://x.org/articles/1")
    robots = [s for s in signals if s.kind is OptOutKind.ROBOTS_DISALLOW]
    assert robots[0].reserved is True
    assert "GPTBot,CCBot" in robots[0].raw
    assert "(AI agents)" in robots[0].raw
    assert robots[0].reason_code == "optout.robots"


def test_robots_allow_longest_match_beats_disallow_all():
    # urllib.robotparser gets this wrong (first match): Protego follows RFC 9309.
    signals = RobotsSnapshot(ROBOTS).signals_for("https://x.org/public/page")
    assert not [s for s in signals if s.kind is OptOutKind.ROBOTS_DISALLOW]


def test_robots_wildcard_disallow_for_everyone_is_marked_all_agents():
    signals = RobotsSnapshot(ROBOTS).signals_for("https://x.org/private/x")
    [robots] = [s for s in signals if s.kind is OptOutKind.ROBOTS_DISALLOW]
    assert "(all agents)" in robots.raw


def test_robots_path_wildcards_are_understood():
    snapshot = RobotsSnapshot("User-agent: ClaudeBot\nDisallow: /*.pdf$\n")
    assert snapshot.signals_for("https://x.org/a.pdf")
    assert snapshot.signals_for("https://x.org/a.html") == []


def test_robots_content_usage_longest_path_wins():
    snapshot = RobotsSnapshot(ROBOTS)
    usage = {
        url: [s.reserved for s in snapshot.signals_for(url) if s.kind is OptOutKind.CONTENT_USAGE]
        for url in ("https://x.org/articles/1", "https://x.org/open/doc")
    }
    assert usage == {"https://x.org/articles/1": [True], "https://x.org/open/doc": [False]}


def test_robots_content_usage_of_unrelated_agent_group_is_ignored():
    snapshot = RobotsSnapshot("User-agent: Googlebot\nContent-Usage: train-ai=n\n")
    assert snapshot.signals_for("https://x.org/a") == []


def test_robots_snapshot_survives_pickling_for_side_inputs():
    snapshot = pickle.loads(pickle.dumps(RobotsSnapshot(ROBOTS)))
    assert snapshot.signals_for("https://x.org/articles/1")


def test_reserved_reasons_are_distinct_in_first_seen_order():
    signals = signals_from_headers(
        [("x-robots-tag", "noai"), ("tdm-reservation", "1"), ("x-robots-tag", "noai")]
    ) + signals_from_headers([("tdm-reservation", "0")])
    assert reserved_reasons(signals) == ["optout.noai", "optout.tdm_reservation"]


def test_signals_fit_the_proposed_ledger_column_type():
    signals = signals_from_headers([("tdm-reservation", "1"), ("x-robots-tag", "noai")])
    column = pa.array([[s.to_row() for s in signals]], type=pa.list_(OPTOUT_SIGNAL_TYPE))
    assert column[0][0]["reason_code"].as_py() == "optout.tdm_reservation"
