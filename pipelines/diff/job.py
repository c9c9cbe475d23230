"""`provenance diff` as a Beam job: both ledgers are read, hash-checked and joined on workers.

    OLD ledger files --check sha256, read--\
                                            CoGroupByKey(doc_id) -> changes -> count + examples
    NEW ledger files --check sha256, read--/                     -> subjects -> sum -> top N
                                                                 -> clusters -> copies per subject

Nothing here keys everything to one worker: records group by doc id, subject token or
cluster id, and counts combine per change before they meet. What reaches the launcher
is the aggregate (one line per table row, at most `SUBJECTS_LISTED` subjects), written
as JSON lines by the workers, so a diff of two billion-record versions reads kilobytes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems
from apache_beam.io.textio import WriteToText

from pipelines.diff.changes import (
    cluster_facts,
    copies_by_subject,
    merge_examples,
    record_changes,
    subject_tallies,
)
from pipelines.publish.verified_read import PROBLEMS, ReadVerifiedParquet
from schemas.diff import (
    LEDGER_COLUMNS,
    SUBJECTS_LISTED,
    Change,
    LedgerFacts,
    SubjectTally,
)

OLD, NEW = "old", "new"
FACTS_PREFIX = "part"


class ReadVerifiedLedger(beam.PTransform):
    """A version's ledger rows as `LedgerFacts`, keyed by doc id; files that do not hash to
    the manifest go to the `problems` output instead."""

    def __init__(self, version: str, root: str, files: list[tuple[str, str]]):
        super().__init__()
        self._read = ReadVerifiedParquet(version, root, files, LEDGER_COLUMNS, LedgerFacts.from_row)

    def expand(self, pbegin):
        rows, problems = pbegin | "ReadFiles" >> self._read
        keyed = rows | "ByDocId" >> beam.Map(lambda facts: (facts.doc_id, facts))
        return keyed, problems


def pair_versions(item: tuple[str, dict[str, Iterable[LedgerFacts]]]) -> Iterator:
    """(old row or None, new row or None); a doc id twice in one ledger is a problem."""
    doc_id, grouped = item
    olds, news = list(grouped[OLD]), list(grouped[NEW])
    for version, rows in ((OLD, olds), (NEW, news)):
        if len(rows) > 1:
            yield beam.pvalue.TaggedOutput(
                PROBLEMS, f"{version}: doc id {doc_id} appears {len(rows)} times in the ledger"
            )
    yield (olds[0] if olds else None, news[0] if news else None)


class CountWithExamples(beam.CombineFn):
    """Records per change plus the smallest few doc ids, combined in parallel."""

    def create_accumulator(self) -> tuple[int, tuple[str, ...]]:
        return 0, ()

    def add_input(self, accumulator, doc_id: str):
        count, examples = accumulator
        return count + 1, merge_examples([examples, [doc_id]])

    def merge_accumulators(self, accumulators):
        accumulators = list(accumulators)
        return (
            sum(count for count, _ in accumulators),
            merge_examples(examples for _, examples in accumulators),
        )

    def extract_output(self, accumulator):
        return accumulator


def _changes_with_ids(pair: tuple[LedgerFacts | None, LedgerFacts | None]) -> Iterator:
    old, new = pair
    present = new or old
    if present is None:  # pair_versions never pairs two absent rows
        return
    for change in record_changes(old, new):
        yield change, present.doc_id


def _change_line(item: tuple[Change, tuple[int, tuple[str, ...]]]) -> str:
    change, (records, examples) = item
    return json.dumps({"change": list(change), "records": records, "examples": list(examples)})


Subject = tuple[tuple[str, ...], SubjectTally]


def _subject_rank(item: Subject) -> tuple[int, int, tuple[str, ...]]:
    tokens, tally = item
    return tally.removed_from_dataset + tally.copies_removed, tally.withdrawn_records, tokens


def _subject_lines(top: list[Subject]) -> Iterator[str]:
    for tokens, tally in top:
        yield json.dumps({"subject": list(tokens), **asdict(tally)})


def _sum_tallies(tallies: Iterable[SubjectTally]) -> SubjectTally:
    return sum(tallies, SubjectTally())


def build_diff(
    pipeline: beam.Pipeline,
    old: tuple[str, list[tuple[str, str]]],
    new: tuple[str, list[tuple[str, str]]],
    facts_dir: str,
) -> None:
    """`old`/`new`: (root, [(ledger file relative to root, its manifest sha256)])."""
    old_rows, old_problems = pipeline | "ReadOld" >> ReadVerifiedLedger(OLD, *old)
    new_rows, new_problems = pipeline | "ReadNew" >> ReadVerifiedLedger(NEW, *new)
    joined = (
        {OLD: old_rows, NEW: new_rows}
        | "JoinByDocId" >> beam.CoGroupByKey()
        | "Pair" >> beam.FlatMap(pair_versions).with_outputs(PROBLEMS, main="pairs")
    )
    pairs = joined.pairs
    changes = (
        pairs
        | "Changes" >> beam.FlatMap(_changes_with_ids)
        | "CountChanges" >> beam.CombinePerKey(CountWithExamples())
        | "ChangeLines" >> beam.Map(_change_line)
    )
    own = pairs | "SubjectTallies" >> beam.FlatMap(lambda pair: subject_tallies(*pair))
    copies = (
        pairs
        | "ClusterFacts" >> beam.FlatMap(lambda pair: cluster_facts(*pair))
        | "ByCluster" >> beam.GroupByKey()
        | "CopiesBySubject" >> beam.FlatMap(lambda item: copies_by_subject(item[1]))
    )
    withdrawn = (
        (own, copies)
        | "AllTallies" >> beam.Flatten()
        | "PerSubject" >> beam.CombinePerKey(_sum_tallies)
        | "NewlyWithdrawn" >> beam.Filter(lambda item: item[1].newly_withdrawn)
    )
    counted = (
        withdrawn
        | "CountSubjects" >> beam.combiners.Count.Globally()
        | "CountLine" >> beam.Map(lambda count: json.dumps({"subjects_withdrawn": count}))
    )
    listed = (
        withdrawn
        | "TopSubjects" >> beam.combiners.Top.Of(SUBJECTS_LISTED, key=_subject_rank)
        | "SubjectLines" >> beam.FlatMap(_subject_lines)
    )
    problems = (
        (old_problems, new_problems, joined[PROBLEMS])
        | "AllProblems" >> beam.Flatten()
        | "ProblemLines" >> beam.Map(lambda problem: json.dumps({"problem": problem}))
    )
    _ = (
        (changes, counted, listed, problems)
        | "AllFacts" >> beam.Flatten()
        | "WriteFacts" >> WriteToText(FileSystems.join(facts_dir, FACTS_PREFIX))
    )
