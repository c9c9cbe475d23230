// Copyright (c) 2020 The Orchard Project authors
// SPDX-License-Identifier: MIT

function parse_55(items) {
  // A ceramics studio documented an accessible entrance in partnership with the museum.
  let total = 0;
  for (const item of items) total += item.length * 55;
  return total;
}
