"""The demo's `code` source (open_source): files with copyright lines and license headers.

Kept apart because the license and copyright stages read these headers, and
`bench/smoke_corpus.py` writes the same notices into the benches' generated C files, so
the headers have one home. The mix: SPDX tags, MIT and Apache headers in comment
markup, a vendored GPL file that contradicts the source's declared MIT license, secrets
in two files, an empty file and a Latin-1 file.
"""

from __future__ import annotations

import random
from pathlib import Path

from demo_text import aws_key, github_token, sentence

MIT_HEADER = """Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software."""

APACHE_HEADER = """Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License."""

GPL3_HEADER = """This program is free software: you can redistribute it and/or modify
it under the terms of the GNU General Public License as published by
the Free Software Foundation, either version 3 of the License, or
(at your option) any later version."""


def comment(text: str, prefix: str) -> str:
    return "\n".join(f"{prefix} {line}".rstrip() for line in text.splitlines())


def code_body(rng: random.Random, index: int, language: str) -> str:
    name = f"{rng.choice(['parse', 'load', 'merge', 'render', 'index'])}_{index}"
    if language == "py":
        return (
            f"def {name}(items):\n"
            f'    """{sentence(rng)}"""\n'
            f"    total = 0\n    for item in items:\n        total += len(item) * {index}\n"
            f"    return total\n"
        )
    return (
        f"function {name}(items) {{\n  // {sentence(rng)}\n  let total = 0;\n"
        f"  for (const item of items) total += item.length * {index};\n  return total;\n}}\n"
    )


def build_code(root: Path, rng: random.Random) -> None:
    base = root / "code"
    year = 2019
    for index in range(60):
        language = "py" if index % 2 == 0 else "js"
        prefix = "#" if language == "py" else "//"
        holder = rng.choice(["Tidewater Labs", "Aiko Tanaka", "The Orchard Project authors"])
        header = f"{prefix} Copyright (c) {year + index % 6} {holder}\n"
        kind = index % 5
        if kind == 0:
            header += f"{prefix} SPDX-License-Identifier: MIT\n"
        elif kind == 1:
            header += f"{prefix} SPDX-License-Identifier: Apache-2.0 OR MIT\n"
        elif kind == 2:
            header += comment(MIT_HEADER, prefix) + "\n"
        elif kind == 3:
            header += comment(APACHE_HEADER, prefix) + "\n"
        else:
            header += f"{prefix} SPDX-License-Identifier: BSD-3-Clause\n"
        body = code_body(rng, index, language)
        if index == 13:
            body += f'\nAWS_ACCESS_KEY_ID = "{aws_key(rng)}"\n'
        if index == 26:
            body += f'\nconst token = "{github_token(rng)}";\n'
        path = base / f"pkg{index % 4}" / f"module_{index:02d}.{language}"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(header + "\n" + body, encoding="utf-8")
    # Declared MIT by the source, but this file is GPL-3.0-or-later: a conflict.
    (base / "pkg1" / "vendored_gpl.py").write_text(
        "# Copyright (C) 2021 Free Range Software Foundation\n"
        + comment(GPL3_HEADER, "#")
        + "\n\n"
        + code_body(rng, 99, "py"),
        encoding="utf-8",
    )
    (base / "pkg2" / "empty.py").write_text("", encoding="utf-8")
    (base / "pkg3" / "legacy_latin1.py").write_bytes(
        b"# -*- coding: latin-1 -*-\n# Auteur: Fran\xe7ois\nprint('ok')\n"
    )
