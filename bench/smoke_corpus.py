"""Tiny generated inputs for the benches' `--smoke` mode, shared so no bench copies another's.

    python bench/<bench>.py --smoke      # every bench in bench/; this module is not run itself

Why generated: a smoke run proves that a bench still runs end to end on the current
dependency versions (CI), not how fast or how accurate a stage is. The full runs read
material CI does not have: Debian packages fetched with `apt-get download`
(`corpus_build.py`), the labelled evaluation data in `../shared/data`, or whatever text
happens to be installed on the machine. Text generated here from a fixed seed is the same
on every machine, needs no network and takes milliseconds to make.

The text is pseudo-words drawn with a Zipf-like frequency plus common English function
words, so MinHash, regexes and tokenisers see word-shaped input with a realistic spread of
frequencies; unrelated documents share almost no word 5-grams. Source files carry license
notices and copyright lines, the way the kernel and the ScanCode test files do.

Figures printed by a smoke run mean nothing: every smoke run says so on its first line.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import itertools
import random
import shutil
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "demo"))

# The license notices `demo/demo_code.py` writes into the demo corpus.
from demo_code import APACHE_HEADER, GPL3_HEADER, MIT_HEADER, comment  # noqa: E402

BANNER = (
    "SMOKE RUN: tiny generated input, only proves the bench runs; do not quote any figure below."
)
SMOKE_HELP = "tiny generated input, no network, no ../shared/data: proves the bench runs"
FUNCTION_WORDS = (
    "the", "of", "and", "to", "in", "a", "is", "that", "for", "it", "with", "as", "on",
    "be", "by", "this", "are", "from", "or", "at", "not", "which", "an", "can", "when",
)  # fmt: skip
_ONSETS = ("b", "c", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "st", "tr")
_VOWELS = ("a", "e", "i", "o", "u", "ai", "ou")
VOCABULARY_SIZE = 5000


@functools.cache
def _vocabulary() -> tuple[tuple[str, ...], tuple[float, ...]]:
    """Words and cumulative Zipf weights (rank r has weight 1/r), the same on every machine."""
    rng = random.Random(20261206)
    words = list(FUNCTION_WORDS)
    seen = set(words)
    while len(words) < VOCABULARY_SIZE:
        syllables = rng.choice((1, 2, 2, 3, 3, 4))
        word = "".join(rng.choice(_ONSETS) + rng.choice(_VOWELS) for _ in range(syllables))
        if word not in seen:
            seen.add(word)
            words.append(word)
    weights = itertools.accumulate(1 / rank for rank in range(1, len(words) + 1))
    return tuple(words), tuple(weights)


def sentence(rng: random.Random, length: int | None = None) -> str:
    """One capitalised sentence of `length` (default 6-20) words."""
    words, weights = _vocabulary()
    chosen = rng.choices(words, cum_weights=weights, k=length or rng.randint(6, 20))
    return " ".join(chosen).capitalize() + "."


def paragraph(rng: random.Random, min_words: int = 40, max_words: int = 160) -> str:
    """Sentences adding up to at least a random length in [min_words, max_words]."""
    target = rng.randint(min_words, max_words)
    sentences: list[str] = []
    count = 0
    while count < target:
        sentences.append(sentence(rng))
        count += len(sentences[-1].split())
    return " ".join(sentences)


def prose(rng: random.Random, chars: int) -> str:
    """Paragraphs separated by blank lines, about `chars` characters in all."""
    paragraphs: list[str] = []
    size = 0
    while size < chars:
        paragraphs.append(paragraph(rng))
        size += len(paragraphs[-1]) + 2
    return "\n\n".join(paragraphs)


def paragraphs(seed: int = 7) -> Iterator[tuple[str, str]]:
    """Endless (locator, paragraph) pairs of 40-200 words, as `dedup_eval` cuts real text."""
    rng = random.Random(seed)
    for index in itertools.count():
        yield f"smoke/paragraph-{index}", paragraph(rng, 40, 200)


# ---------------------------------------------------------------- source files

HOLDERS = (
    # (as written in the file, as ScanCode's expectations spell the holder: ASCII-folded)
    ("Tidewater Labs", "Tidewater Labs"),
    ("Aiko Tanaka <aiko.tanaka@example.org>", "Aiko Tanaka"),
    ("Jürgen Müller", "Jurgen Muller"),
    ("Northwind Systems GmbH", "Northwind Systems GmbH"),
    ("The Orchard Project authors", "The Orchard Project authors"),
)
# (notice text, ScanCode license expressions it stands for): tags, notices, a full text.
NOTICES = (
    ("SPDX-License-Identifier: GPL-2.0-only", ("gpl-2.0",)),
    ("SPDX-License-Identifier: MIT", ("mit",)),
    ("SPDX-License-Identifier: Apache-2.0", ("apache-2.0",)),
    ("SPDX-License-Identifier: BSD-3-Clause", ("bsd-new",)),
    ("SPDX-License-Identifier: GPL-2.0-or-later", ("gpl-2.0-plus",)),
    ("SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause", ("gpl-2.0 OR bsd-simplified",)),
    (MIT_HEADER, ("mit",)),
    (APACHE_HEADER, ("apache-2.0",)),
    (GPL3_HEADER, ("gpl-3.0-plus",)),
    ("", ()),  # no license at all
)


@dataclass(frozen=True)
class SourceFile:
    """A generated source file and what a labeller would say about it."""

    name: str
    text: str
    license_expressions: tuple[str, ...]  # ScanCode keys, as in ScanCode's test .yml files
    copyrights: tuple[str, ...]
    holders: tuple[str, ...]


def _c_function(rng: random.Random, index: int) -> str:
    name = f"{rng.choice(('probe', 'reset', 'parse', 'flush', 'map'))}_{index}"
    return (
        f"/* {sentence(rng)} */\n"
        f"static int {name}(struct device *dev, unsigned long flags)\n{{\n"
        f"\tint i, total = 0;\n\n\tfor (i = 0; i < {index % 7 + 2}; i++)\n"
        f"\t\ttotal += dev->regs[i] * {index};\n\treturn total;\n}}\n"
    )


def source_file(
    rng: random.Random, name: str, notice: int, holder: int, functions: int = 4
) -> SourceFile:
    """A C file: a copyright line, `NOTICES[notice]` (cycled), a comment and functions."""
    text, expressions = NOTICES[notice % len(NOTICES)]
    written, folded = HOLDERS[holder % len(HOLDERS)]
    statement = f"Copyright (C) {2015 + holder % 10} {written}"
    header = comment(f"{statement}\n\n{text}".rstrip(), " *")
    body = "\n".join(_c_function(rng, index) for index in range(functions))
    source = f"/*\n{header}\n */\n\n/* {paragraph(rng, 20, 60)} */\n\n#include <linux/io.h>\n\n"
    return SourceFile(name, source + body, expressions, (statement,), (folded,))


def source_files(count: int, seed: int = 7) -> list[SourceFile]:
    """`count` files cycling through every notice and holder, with 1-12 functions each."""
    rng = random.Random(seed)
    return [
        source_file(rng, f"smoke_{index:03d}.c", index, index // 2, rng.randint(1, 12))
        for index in range(count)
    ]


def texts(seed: int = 7, dense: bool = False) -> Iterator[tuple[str, str]]:
    """Endless (path, text): prose documents of 1-12 KB, every third one a source file.

    `dense`: source files only, the license-dense case.
    """
    rng = random.Random(seed)
    for index in itertools.count():
        if dense or index % 3 == 2:
            item = source_file(rng, f"smoke/src/{index}.c", index, index, rng.randint(2, 20))
            yield item.name, item.text
        else:
            yield f"smoke/doc/{index}.txt", prose(rng, rng.randint(1_000, 12_000))


def take_megabytes(items: Iterator[tuple[str, str]], megabytes: float) -> list[str]:
    """Texts from `items` until they add up to `megabytes` MB (1e6 bytes) of UTF-8."""
    budget, size, out = int(megabytes * 1e6), 0, []
    for _, text in items:
        if size >= budget:
            break
        out.append(text)
        size += len(text.encode("utf-8"))
    return out


# ---------------------------------------------------------------- command line


def parse_args(
    parser: argparse.ArgumentParser, smoke_defaults: dict, argv: list[str] | None = None
) -> argparse.Namespace:
    """Add `--smoke`; with it, parse again with the tiny sizes as defaults.

    Explicit flags still win (`--smoke --docs 500`), and the full run's defaults stay
    what `--help` shows.
    """
    parser.add_argument("--smoke", action="store_true", help=SMOKE_HELP)
    args = parser.parse_args(argv)
    if args.smoke:
        parser.set_defaults(**smoke_defaults)
        args = parser.parse_args(argv)
        print(BANNER, flush=True)
    return args


@contextlib.contextmanager
def scratch(prefix: str, keep: Path | None = None) -> Iterator[Path]:
    """A fresh `tempfile.mkdtemp()` folder, removed afterwards; `keep` is used as is instead.

    Smoke runs write nothing into the repository; an explicit `--cache` is the user's.
    """
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        yield keep
        return
    folder = Path(tempfile.mkdtemp(prefix=f"{prefix}-smoke-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
