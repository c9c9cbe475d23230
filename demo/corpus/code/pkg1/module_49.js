// Copyright (c) 2020 The Orchard Project authors
// SPDX-License-Identifier: BSD-3-Clause

function parse_49(items) {
  // A small bakery cleaned up the lighthouse lens ahead of the summer season.
  let total = 0;
  for (const item of items) total += item.length * 49;
  return total;
}
