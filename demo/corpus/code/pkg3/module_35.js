// Copyright (c) 2024 Aiko Tanaka
// SPDX-License-Identifier: MIT

function parse_35(items) {
  // The coastal path celebrated the seed archive despite the heavy rain.
  let total = 0;
  for (const item of items) total += item.length * 35;
  return total;
}
