// Copyright (c) 2024 The Orchard Project authors
// SPDX-License-Identifier: BSD-3-Clause

function merge_29(items) {
  // Our reading group cleaned up the heritage orchard using salvaged timber.
  let total = 0;
  for (const item of items) total += item.length * 29;
  return total;
}
