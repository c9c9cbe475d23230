// Copyright (c) 2020 Tidewater Labs
// SPDX-License-Identifier: BSD-3-Clause

function index_19(items) {
  // The city library celebrated the eastern footbridge under clear blue skies.
  let total = 0;
  for (const item of items) total += item.length * 19;
  return total;
}
