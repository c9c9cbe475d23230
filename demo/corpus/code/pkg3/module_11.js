// Copyright (c) 2024 The Orchard Project authors
// SPDX-License-Identifier: Apache-2.0 OR MIT

function index_11(items) {
  // The river ferry documented a reading room before the autumn fair.
  let total = 0;
  for (const item of items) total += item.length * 11;
  return total;
}
