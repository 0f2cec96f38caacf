#!/usr/bin/env bash
# Before a device call for the motion runs: take out of the working tree the tracked files they do
# not need (the other tasks' data and weights), so that what travels (tracked files, untracked files
# git does not ignore, and the carried .gpu/) stays under the device's 64 MiB; print that size.
#   bash scripts/gpu/slim.sh            # before the call
#   git checkout -- data weights        # after it: every removed file back, nothing else touched
set -eu
cd "$(git rev-parse --show-toplevel)"
if ! git diff --quiet -- data weights; then
  echo "slim.sh: error: uncommitted changes under data/ or weights/; commit them first" >&2; exit 2
fi
[ -d .gpu/cache ] && [ -d .gpu/whl ] || { echo "slim.sh: error: no .gpu/cache or .gpu/whl (scripts/gpu/motion_runs.sh says how)" >&2; exit 2; }
rm -rf data/brats2013-flair-t1c data/ibsi-sts-petct data/spm-templates weights/lpips-alex weights/motion-ixi \
       weights/pet2ct-sts weights/pet2ct-sts-start weights/bigan-brats weights/bigan-pet2ct weights/bigan-pet2ct-sts
bytes() { xargs -0 -r stat -c %s 2>/dev/null | awk '{s += $1} END {print s + 0}'; }
tracked=$(git ls-files -z | bytes)   # removed files are not there to count
untracked=$(git ls-files -z --others --exclude-standard | bytes)
gpu=$(du -sb .gpu | cut -f1)
total=$((tracked + untracked + gpu))
echo "travels: $((total / 1048576)) MiB (tracked $((tracked / 1048576)), untracked $((untracked / 1048576)), .gpu $((gpu / 1048576))); limit 64 MiB"
[ "$total" -lt $((64 * 1048576)) ] || { echo "slim.sh: error: over 64 MiB" >&2; exit 1; }
