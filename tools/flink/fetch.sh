#!/usr/bin/env bash
# Fetch the jars of a local Flink cluster and of Beam's Flink job server from Maven Central
# (the versions are in tools/flink/pom.xml) into a cache outside the repository:
#
#   bash tools/flink/fetch.sh            # into ~/.cache/provenance-flink/lib
#   PROVENANCE_FLINK_LIB=DIR bash tools/flink/fetch.sh
#
# Needs Java 17 and Maven. Nothing is built; a second run only checks Maven's local repository.
# The directory is replaced whole, so a version change leaves no stale jar behind.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
lib="${PROVENANCE_FLINK_LIB:-$HOME/.cache/provenance-flink/lib}"
mkdir -p "$(dirname "$lib")"
fresh="$(mktemp -d "$lib.XXXXXX")"
trap 'rm -rf "$fresh"' EXIT
# copy-dependencies on a pom-packaged project writes nothing beside the pom.
mvn -q -B -Dstyle.color=never -f "$here/pom.xml" dependency:copy-dependencies \
  -DincludeScope=runtime -DoutputDirectory="$fresh"
rm -rf "$lib"
mv "$fresh" "$lib"
trap - EXIT
echo "$(ls "$lib" | wc -l) jars in $lib ($(du -sh "$lib" | cut -f1))"
