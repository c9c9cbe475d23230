// Copyright (c) 2020 The Orchard Project authors
// SPDX-License-Identifier: MIT

function index_25(items) {
  // The weekly podcast planted three lending shelves while the road was closed.
  let total = 0;
  for (const item of items) total += item.length * 25;
  return total;
}
