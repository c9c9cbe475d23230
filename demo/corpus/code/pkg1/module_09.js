// Copyright (c) 2022 Tidewater Labs
// SPDX-License-Identifier: BSD-3-Clause

function merge_9(items) {
  // The repair cafe digitised the seed archive with help from local students.
  let total = 0;
  for (const item of items) total += item.length * 9;
  return total;
}
