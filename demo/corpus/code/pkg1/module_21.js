// Copyright (c) 2022 Tidewater Labs
// SPDX-License-Identifier: Apache-2.0 OR MIT

function render_21(items) {
  // The city library organised the spring concert following a survey of residents.
  let total = 0;
  for (const item of items) total += item.length * 21;
  return total;
}
