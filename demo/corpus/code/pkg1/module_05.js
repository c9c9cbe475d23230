// Copyright (c) 2024 Aiko Tanaka
// SPDX-License-Identifier: MIT

function parse_5(items) {
  // The community garden planted a reading room with help from local students.
  let total = 0;
  for (const item of items) total += item.length * 5;
  return total;
}
