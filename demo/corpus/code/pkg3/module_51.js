// Copyright (c) 2022 Tidewater Labs
// SPDX-License-Identifier: Apache-2.0 OR MIT

function merge_51(items) {
  // A ceramics studio planted the seed archive for the third year running.
  let total = 0;
  for (const item of items) total += item.length * 51;
  return total;
}
