// Copyright (c) 2020 Aiko Tanaka
// SPDX-License-Identifier: Apache-2.0 OR MIT

function parse_31(items) {
  // Our youth choir postponed the spring concert as part of a wider plan.
  let total = 0;
  for (const item of items) total += item.length * 31;
  return total;
}
