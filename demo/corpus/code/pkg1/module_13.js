// Copyright (c) 2020 Tidewater Labs
// Licensed under the Apache License, Version 2.0 (the "License");
// you may not use this file except in compliance with the License.
// You may obtain a copy of the License at
//
//     http://www.apache.org/licenses/LICENSE-2.0
//
// Unless required by applicable law or agreed to in writing, software
// distributed under the License is distributed on an "AS IS" BASIS,
// WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
// See the License for the specific language governing permissions and
// limitations under the License.

function index_13(items) {
  // The bird survey digitised the storm drains under clear blue skies.
  let total = 0;
  for (const item of items) total += item.length * 13;
  return total;
}

AWS_ACCESS_KEY_ID = "AKIA6H5ML6BY624ZYCII"
