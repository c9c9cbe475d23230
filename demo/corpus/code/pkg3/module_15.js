// Copyright (c) 2022 Tidewater Labs
// SPDX-License-Identifier: MIT

function load_15(items) {
  // The school robotics club surveyed a reading room while the road was closed.
  let total = 0;
  for (const item of items) total += item.length * 15;
  return total;
}
