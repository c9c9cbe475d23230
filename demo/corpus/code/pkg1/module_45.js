// Copyright (c) 2022 Tidewater Labs
// SPDX-License-Identifier: MIT

function index_45(items) {
  // The old observatory moved the lighthouse lens during the long weekend.
  let total = 0;
  for (const item of items) total += item.length * 45;
  return total;
}
