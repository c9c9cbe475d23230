"""Opt-out signal parsers: headers, HTML meta tags, record metadata, tdmrep.json, robots.txt.

Pure functions from what a crawl saw to `OptOutSignal`s. They never decide: the
policy step turns `reserved` signals into `optout.*` reasons (EU AI Act Art. 53
asks GPAI providers to honour machine-readable TDM reservations). Every signal
keeps its raw text so an auditor can re-judge it when a standard moves; the
AI-preferences drafts (IETF aipref) are still drafts.

Snapshots (robots.txt, tdmrep.json) are supplied as text captured at crawl time:
no network at run time. Parse each snapshot once per site (`RobotsSnapshot`,
`TdmRepSnapshot` are picklable) and evaluate it per record URL.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from protego import Protego

from schemas.consent import OptOutKind, OptOutSignal, OptOutSource

TDMREP_VERSION = "tdmrep-w3c-cg-2024/1"
ROBOTS_META_VERSION = "robots-noai/1"
CONTENT_USAGE_VERSION = "aipref-vocab-draft/1"
ROBOTS_TXT_VERSION = "robots-rfc9309-protego/1"

AI_USER_AGENTS: tuple[str, ...] = (
    "GPTBot",
    "ChatGPT-User",
    "OAI-SearchBot",
    "CCBot",
    "Google-Extended",
    "ClaudeBot",
    "Claude-Web",
    "anthropic-ai",
    "PerplexityBot",
    "Bytespider",
    "Applebot-Extended",
    "Meta-ExternalAgent",
    "FacebookBot",
    "Amazonbot",
    "cohere-ai",
    "Diffbot",
    "omgili",
    "Timpibot",
)
"""Crawler tokens whose robots.txt groups express AI-training opt-outs (ai.robots.txt list)."""

# AI-preferences vocabulary (draft-ietf-aipref-vocab): the most specific stated
# category wins, walking up from generative-AI training to all automated use.
TRAINING_CATEGORY_CHAIN: tuple[str, ...] = ("train-genai", "train-ai", "bots")

_NOAI_TOKENS = {"noai": OptOutKind.NOAI, "noimageai": OptOutKind.NOIMAGEAI}
_X_ROBOTS_AGENT_PREFIX = re.compile(r"^\s*([A-Za-z0-9_\-]+)\s*:\s*(?=\S)")


# --------------------------------------------------------------------------- headers / meta


def signals_from_headers(headers: Iterable[tuple[str, str]]) -> list[OptOutSignal]:
    """Signals in HTTP response headers: TDMRep, X-Robots-Tag noai, Content-Usage."""
    signals: list[OptOutSignal] = []
    for name, value in headers:
        key = name.strip().lower()
        if key in ("tdm-reservation", "tdm-policy"):
            signals.append(_tdm_signal(key, value, OptOutSource.HEADER))
        elif key == "x-robots-tag":
            signals.extend(_noai_signals(_strip_agent_prefix(value), OptOutSource.HEADER))
        elif key == "content-usage":
            signals.append(_content_usage_signal(value, OptOutSource.HEADER))
    return signals


def signals_from_meta(meta_tags: Iterable[tuple[str, str]]) -> list[OptOutSignal]:
    """Signals in `<meta name|http-equiv=... content=...>` pairs (as `WarcRecord.meta_tags`).

    `robots` and crawler-specific robots metas (e.g. `GPTBot`, `CCBot`) may carry
    noai; http-equiv copies of the headers are treated as the headers would be.
    """
    signals: list[OptOutSignal] = []
    ai_agents = {agent.lower() for agent in AI_USER_AGENTS}
    for name, content in meta_tags:
        key = name.strip().lower()
        if key in ("tdm-reservation", "tdm-policy"):
            signals.append(_tdm_signal(key, content, OptOutSource.META))
        elif key in ("robots", "x-robots-tag") or key in ai_agents:
            signals.extend(_noai_signals(content, OptOutSource.META))
        elif key == "content-usage":
            signals.append(_content_usage_signal(content, OptOutSource.META))
    return signals


def signals_from_metadata(
    metadata: Mapping[str, object], field_map: Mapping[str, str] | None = None
) -> list[OptOutSignal]:
    """Signals in a JSONL/Parquet record's metadata fields.

    `field_map` maps a metadata field name to the header it stands for, e.g.
    `{"tdm_reservation": "tdm-reservation", "robots": "x-robots-tag"}`; by default
    fields named like the headers (any case, `_` or `-`) are read.
    """
    mapping = {k.lower(): v.lower() for k, v in (field_map or {}).items()}
    known = ("tdm-reservation", "tdm-policy", "x-robots-tag", "robots", "content-usage")
    signals: list[OptOutSignal] = []
    for field_name, value in metadata.items():
        if value is None:
            continue
        key = mapping.get(field_name.lower(), field_name.lower().replace("_", "-"))
        if key not in known:
            continue
        text = str(int(value)) if isinstance(value, bool) else str(value)
        if key in ("tdm-reservation", "tdm-policy"):
            signals.append(_tdm_signal(key, text, OptOutSource.METADATA))
        elif key in ("x-robots-tag", "robots"):
            signals.extend(_noai_signals(_strip_agent_prefix(text), OptOutSource.METADATA))
        else:
            signals.append(_content_usage_signal(text, OptOutSource.METADATA))
    return signals


def _tdm_signal(key: str, value: str, source: OptOutSource) -> OptOutSignal:
    """TDMRep: only `tdm-reservation: 1` reserves; a policy URL alone offers terms."""
    raw = f"{key}: {value.strip()}"
    if key == "tdm-policy":
        return OptOutSignal(OptOutKind.TDM_POLICY, source, raw, False, TDMREP_VERSION)
    reserved = value.strip() == "1"
    return OptOutSignal(OptOutKind.TDM_RESERVATION, source, raw, reserved, TDMREP_VERSION)


def _noai_signals(directives: str, source: OptOutSource) -> list[OptOutSignal]:
    """`noai` reserves text; `noimageai` only images, so it is recorded unreserved."""
    signals = []
    for token in re.split(r"[,\s]+", directives.lower()):
        kind = _NOAI_TOKENS.get(token)
        if kind is not None:
            reserved = kind is OptOutKind.NOAI
            signals.append(OptOutSignal(kind, source, directives, reserved, ROBOTS_META_VERSION))
    return signals


def _strip_agent_prefix(value: str) -> str:
    """`X-Robots-Tag: googlebot: noindex` scopes to one agent; noai scopes to all AI use."""
    match = _X_ROBOTS_AGENT_PREFIX.match(value)
    if match and match.group(1).lower() not in _NOAI_TOKENS:
        return value[match.end() :]
    return value


# --------------------------------------------------------------------------- Content-Usage


def parse_content_usage(value: str) -> dict[str, bool]:
    """`train-ai=n, search=y` -> {"train-ai": False, "search": True}.

    Structured-field dictionary (RFC 8941) subset: unknown values (neither y nor
    n) are dropped as the draft says unknown preferences are ignored.
    """
    preferences: dict[str, bool] = {}
    for member in value.split(","):
        key, _, setting = member.split(";", 1)[0].partition("=")
        setting = setting.strip().strip('"').lower()
        if key.strip() and setting in ("y", "n"):
            preferences[key.strip().lower()] = setting == "y"
    return preferences


def training_reserved(preferences: Mapping[str, bool]) -> bool:
    """True when the most specific stated training category says `n`."""
    for category in TRAINING_CATEGORY_CHAIN:
        if category in preferences:
            return not preferences[category]
    return False


def _content_usage_signal(value: str, source: OptOutSource) -> OptOutSignal:
    reserved = training_reserved(parse_content_usage(value))
    raw = f"content-usage: {value.strip()}"
    return OptOutSignal(OptOutKind.CONTENT_USAGE, source, raw, reserved, CONTENT_USAGE_VERSION)


# --------------------------------------------------------------------------- tdmrep.json


@dataclass(frozen=True)
class TdmRepRule:
    location: str
    reservation: int
    policy: str
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class TdmRepSnapshot:
    """A site's `/.well-known/tdmrep.json`, parsed once; the first matching rule wins."""

    rules: tuple[TdmRepRule, ...]

    @classmethod
    def parse(cls, text: str) -> TdmRepSnapshot:
        """Raises ValueError naming the bad entry; the config step reports it with the file."""
        data = json.loads(text)
        if not isinstance(data, list):
            raise ValueError("tdmrep.json must be a JSON array of {location, tdm-reservation}")
        rules = []
        for position, entry in enumerate(data):
            if not isinstance(entry, dict) or "location" not in entry:
                raise ValueError(f"tdmrep.json entry {position} has no 'location'")
            location = str(entry["location"])
            rules.append(
                TdmRepRule(
                    location=location,
                    reservation=int(entry.get("tdm-reservation", 0)),
                    policy=str(entry.get("tdm-policy", "")),
                    pattern=_tdmrep_pattern(location),
                )
            )
        return cls(tuple(rules))

    def signals_for(self, url: str) -> list[OptOutSignal]:
        path = _path_of(url)
        for rule in self.rules:
            if rule.pattern.match(path):
                raw = json.dumps(
                    {"location": rule.location, "tdm-reservation": rule.reservation}
                    | ({"tdm-policy": rule.policy} if rule.policy else {})
                )
                kind, source = OptOutKind.TDM_RESERVATION, OptOutSource.TDMREP_JSON
                return [OptOutSignal(kind, source, raw, rule.reservation == 1, TDMREP_VERSION)]
        return []


def _tdmrep_pattern(location: str) -> re.Pattern[str]:
    """TDMRep locations: `*` any characters, trailing `$` anchors; else a path prefix.

    A full URL location is reduced to its path: the snapshot is per site already.
    """
    if "://" in location:
        location = urlsplit(location).path or "/"
    anchored = location.endswith("$")
    body = location[:-1] if anchored else location
    regex = ".*".join(re.escape(part) for part in body.split("*"))
    return re.compile(regex + ("$" if anchored else ""))


# --------------------------------------------------------------------------- robots.txt


@dataclass(frozen=True)
class ContentUsageRule:
    path: str
    value: str


@dataclass
class RobotsSnapshot:
    """A site's robots.txt captured at crawl time, evaluated for AI crawler agents.

    Uses Protego (Scrapy's RFC 9309 parser): measured trap, `urllib.robotparser`
    answers first-match instead of longest-match (`Disallow: /` then
    `Allow: /public` blocks /public) and ignores `*`/`$` wildcards.
    """

    text: str
    agents: tuple[str, ...] = AI_USER_AGENTS
    content_usage: tuple[ContentUsageRule, ...] = field(default=())

    def __post_init__(self) -> None:
        self._parser = Protego.parse(self.text)
        if not self.content_usage:
            self.content_usage = _content_usage_rules(self.text, self.agents)

    def __getstate__(self) -> dict:
        # The Protego object is rebuilt on unpickle: smaller, and version-independent.
        return {"text": self.text, "agents": self.agents, "content_usage": self.content_usage}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._parser = Protego.parse(self.text)

    def signals_for(self, url: str) -> list[OptOutSignal]:
        """A robots signal when any AI agent may not fetch the URL; Content-Usage rules too."""
        signals = []
        blocked = [agent for agent in self.agents if not self._parser.can_fetch(url, agent)]
        if blocked:
            everyone_blocked = not self._parser.can_fetch(url, "provenance-generic-probe")
            scope = "all agents" if everyone_blocked else "AI agents"
            raw = f"disallow {_path_of(url)} for {','.join(blocked)} ({scope})"
            signals.append(
                OptOutSignal(
                    OptOutKind.ROBOTS_DISALLOW,
                    OptOutSource.ROBOTS_TXT,
                    raw,
                    True,
                    ROBOTS_TXT_VERSION,
                )
            )
        rule = _longest_match(self.content_usage, _path_of(url))
        if rule is not None:
            signals.append(
                OptOutSignal(
                    OptOutKind.CONTENT_USAGE,
                    OptOutSource.ROBOTS_TXT,
                    f"content-usage: {rule.path} {rule.value}",
                    training_reserved(parse_content_usage(rule.value)),
                    CONTENT_USAGE_VERSION,
                )
            )
        return signals


def _content_usage_rules(text: str, agents: tuple[str, ...]) -> tuple[ContentUsageRule, ...]:
    """`Content-Usage: [path] prefs` lines of groups for `*` or one of `agents`.

    RFC 9309 grouping: consecutive user-agent lines open a group; rules follow.
    """
    wanted = {"*"} | {agent.lower() for agent in agents}
    rules: list[ContentUsageRule] = []
    group_agents: set[str] = set()
    in_rules = False
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        key, sep, value = line.partition(":")
        if not sep:
            continue
        key, value = key.strip().lower(), value.strip()
        if key == "user-agent":
            if in_rules:
                group_agents, in_rules = set(), False
            group_agents.add(value.lower())
            continue
        in_rules = True
        if key == "content-usage" and group_agents & wanted:
            path, _, prefs = value.partition(" ") if value.startswith("/") else ("/", "", value)
            rules.append(ContentUsageRule(path.strip(), prefs.strip()))
    return tuple(rules)


def _longest_match(rules: tuple[ContentUsageRule, ...], path: str) -> ContentUsageRule | None:
    """Longest matching path wins; among equals the most restrictive (any `n`) wins."""
    matching = [rule for rule in rules if path.startswith(rule.path)]
    if not matching:
        return None
    return max(
        matching,
        key=lambda rule: (len(rule.path), training_reserved(parse_content_usage(rule.value))),
    )


def _path_of(url: str) -> str:
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def reserved_reasons(signals: Iterable[OptOutSignal]) -> list[str]:
    """Distinct reason codes of reserving signals, in first-seen order (for policy)."""
    seen: dict[str, None] = {}
    for signal in signals:
        if signal.reserved:
            seen.setdefault(signal.reason_code, None)
    return list(seen)
