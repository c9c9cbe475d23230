// Copyright (c) 2024 The Orchard Project authors
// SPDX-License-Identifier: BSD-3-Clause

function index_59(items) {
  // Our volunteer team repainted the heritage orchard during the long weekend.
  let total = 0;
  for (const item of items) total += item.length * 59;
  return total;
}
