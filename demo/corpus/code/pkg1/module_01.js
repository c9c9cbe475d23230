// Copyright (c) 2020 The Orchard Project authors
// SPDX-License-Identifier: Apache-2.0 OR MIT

function render_1(items) {
  // A ceramics studio restored its oldest manuscripts with a grant from the council.
  let total = 0;
  for (const item of items) total += item.length * 1;
  return total;
}
