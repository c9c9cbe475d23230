"""Per-entity precision and recall of the PII stage, on Presidio's synthetic set and our corpus.

Run from the repo root:  python bench/pii_eval.py [--corpus-mb 5]
                         python bench/pii_eval.py --smoke   # CI: no ../shared/data needed

Data: ../shared/data/pii/presidio_synth_dataset_v2.json relative to the repo root (spans
with entity_type, start_position, end_position). A prediction counts as a true positive
when it overlaps a gold span of the same type; each gold span is matched at most once.
The injected corpus (from bench/pii_speed.py) checks the same on real text: there only
injected values are gold, so real addresses already in the text count as false positives
and precision there is a lower bound.

`--smoke` writes a small generated set in the dataset's shape (`full_text`, `masked`,
`spans` with `entity_type`, `entity_value`, `start_position`, `end_position`) to a
temporary folder and scores it with the same code, then a 0.2 MB injected corpus cut from
generated text (`smoke_corpus.py`); its figures are not measurements.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))
sys.path.insert(0, str(REPO_ROOT / "bench"))

import smoke_corpus  # noqa: E402
from pii_speed import KEY, build_corpus, fake_value  # noqa: E402

from schemas.pii import PiiSettings  # noqa: E402
from transforms.pii.engine import PiiEngine  # noqa: E402

DATASET = REPO_ROOT.parent / "shared" / "data" / "pii" / "presidio_synth_dataset_v2.json"
TARGET_ENTITIES = (
    "EMAIL_ADDRESS",
    "PHONE_NUMBER",
    "CREDIT_CARD",
    "IBAN_CODE",
    "IP_ADDRESS",
    "US_SSN",
)
# Dataset names that differ from ours; everything else is compared by its own name.
DATASET_TO_OURS = {"IP": "IP_ADDRESS", "SSN": "US_SSN", "IBAN": "IBAN_CODE"}
NEEDS_A_MODEL = ("PERSON", "LOCATION", "GPE", "ORGANIZATION", "STREET_ADDRESS", "NRP")
TARGET_RECALL, TARGET_PRECISION = 0.95, 0.90
# Entities of the smoke set: ours, one that needs a model, one with no recognizer.
SMOKE_ENTITIES = (*TARGET_ENTITIES, "PERSON", "DATE_TIME")
SMOKE_RECORDS = 48

Span = tuple[int, str, int, int]  # (document, entity type, start, end)


def score(gold: list[Span], predicted: list[Span]) -> dict[str, Counter]:
    """Per entity: true positives, false positives, false negatives (overlap matching)."""
    tallies: dict[str, Counter] = {}
    gold_by_doc: dict[tuple[int, str], list[tuple[int, int]]] = {}
    for doc, entity, start, end in gold:
        gold_by_doc.setdefault((doc, entity), []).append((start, end))
    matched: set[tuple[int, str, int, int]] = set()
    for doc, entity, start, end in predicted:
        tally = tallies.setdefault(entity, Counter())
        hit = next(
            (
                g
                for g in gold_by_doc.get((doc, entity), [])
                if g[0] < end and start < g[1] and (doc, entity, *g) not in matched
            ),
            None,
        )
        if hit is None:
            tally["fp"] += 1
        else:
            tally["tp"] += 1
            matched.add((doc, entity, *hit))
    for doc, entity, start, end in gold:
        if (doc, entity, start, end) not in matched:
            tallies.setdefault(entity, Counter())["fn"] += 1
    return tallies


def report(title: str, tallies: dict[str, Counter], entities: tuple[str, ...]) -> None:
    print(f"\n{title}")
    print(f"  {'entity':<16}{'gold':>6}{'found':>7}{'precision':>11}{'recall':>8}  target")
    for entity in entities:
        t = tallies.get(entity, Counter())
        gold, found = t["tp"] + t["fn"], t["tp"] + t["fp"]
        precision = t["tp"] / found if found else float("nan")
        recall = t["tp"] / gold if gold else float("nan")
        ok = recall >= TARGET_RECALL and precision >= TARGET_PRECISION
        print(
            f"  {entity:<16}{gold:>6}{found:>7}{precision:>11.3f}{recall:>8.3f}  "
            f"{'met' if ok else 'MISSED'}"
        )


def _smoke_value(entity: str, rng: random.Random) -> tuple[str, str]:
    """(lead-in words, value): the injected corpus's values, plus the two uncovered kinds."""
    if entity == "PERSON":
        return "signed by", rng.choice(("Aiko Tanaka", "Jonas Weber", "Grace Okafor"))
    if entity == "DATE_TIME":
        return "on", rng.choice(("3 March 2024", "the 14th of June", "last Tuesday"))
    return fake_value(entity, rng)


def write_smoke_dataset(path: Path, records: int = SMOKE_RECORDS, seed: int = 7) -> Path:
    """A tiny set in presidio_synth_dataset_v2's JSON shape, one known span per text."""
    rng = random.Random(seed)
    out = []
    for index in range(records):
        entity = SMOKE_ENTITIES[index % len(SMOKE_ENTITIES)]
        lead, value = _smoke_value(entity, rng)
        before = f"{smoke_corpus.sentence(rng)} {lead} "
        after = f". {smoke_corpus.sentence(rng)}"
        span = {
            "entity_type": entity,
            "entity_value": value,
            "start_position": len(before),
            "end_position": len(before) + len(value),
        }
        out.append(
            {
                "full_text": before + value + after,
                "masked": before + "{{" + entity + "}}" + after,
                "spans": [span],
                "template_id": index % len(SMOKE_ENTITIES),
                "metadata": None,
            }
        )
    path.write_text(json.dumps(out, indent=1), encoding="utf-8")
    return path


def synthetic_set(engine: PiiEngine, dataset: Path = DATASET) -> None:
    if not dataset.exists():
        sys.exit(
            f"pii_eval: dataset not found at {dataset}; it is read from ../shared/data "
            "relative to the repo root (copy presidio_synth_dataset_v2.json there)"
        )
    records = json.loads(dataset.read_text(encoding="utf-8"))
    texts = [record["full_text"] for record in records]
    gold: list[Span] = []
    uncovered: Counter = Counter()
    for doc, record in enumerate(records):
        for span in record["spans"]:
            entity = DATASET_TO_OURS.get(span["entity_type"], span["entity_type"])
            if entity in TARGET_ENTITIES:
                gold.append((doc, entity, span["start_position"], span["end_position"]))
            else:
                uncovered[entity] += 1
    predicted = [
        (doc, f.entity_type, f.start, f.end)
        for start in range(0, len(texts), 64)
        for doc, findings in enumerate(engine.scan_batch(texts[start : start + 64], KEY), start)
        for f in findings
    ]
    report(f"{dataset.stem} ({len(texts)} texts)", score(gold, predicted), TARGET_ENTITIES)
    model_only = {e: n for e, n in uncovered.items() if e in NEEDS_A_MODEL}
    print(f"  not covered (need a trained NER model, none installed): {model_only}")
    other = {e: n for e, n in uncovered.items() if e not in NEEDS_A_MODEL}
    print(f"  not covered (no recognizer configured): {other}")


def injected_corpus(engine: PiiEngine, megabytes: float, smoke: bool = False) -> None:
    documents, truth = build_corpus(megabytes, smoke=smoke)
    gold = [(t.doc_index, t.entity_type, t.start, t.end) for t in truth]
    predicted = [
        (doc, f.entity_type, f.start, f.end)
        for start in range(0, len(documents), 64)
        for doc, findings in enumerate(engine.scan_batch(documents[start : start + 64], KEY), start)
        for f in findings
    ]
    injected_types = tuple(sorted({t.entity_type for t in truth}))
    report(
        f"injected corpus ({megabytes} MB; precision is a lower bound: real data in the "
        "text counts as false positives)",
        score(gold, predicted),
        injected_types,
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus-mb", type=float, default=5.0)
    args = smoke_corpus.parse_args(parser, {"corpus_mb": 0.2}, argv)
    engine = PiiEngine(PiiSettings())
    if args.smoke:
        with smoke_corpus.scratch("pii_eval") as folder:
            synthetic_set(engine, write_smoke_dataset(folder / "smoke_presidio_shaped.json"))
    else:
        synthetic_set(engine)
    injected_corpus(engine, args.corpus_mb, smoke=args.smoke)


if __name__ == "__main__":
    main()
