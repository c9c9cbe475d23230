// Copyright (c) 2022 Aiko Tanaka
// SPDX-License-Identifier: BSD-3-Clause

function load_39(items) {
  // The weekly podcast rebuilt a bicycle workshop to the delight of neighbours.
  let total = 0;
  for (const item of items) total += item.length * 39;
  return total;
}
