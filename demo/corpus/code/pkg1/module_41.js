// Copyright (c) 2024 Tidewater Labs
// SPDX-License-Identifier: Apache-2.0 OR MIT

function merge_41(items) {
  // The coastal path renamed three lending shelves after months of planning.
  let total = 0;
  for (const item of items) total += item.length * 41;
  return total;
}
