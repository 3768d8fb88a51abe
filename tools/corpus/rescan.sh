#!/usr/bin/env bash
# Re-fetches the judged repositories at their judged commits, scans each with the Peddler
# analyzers (tools/corpus/Peddler.Corpus) and scores the reports against judgments.tsv.
#
#   tools/corpus/rescan.sh [WORKDIR]
#
# WORKDIR (default /tmp/peddler-corpus) receives the checkouts and reports.tsv. A repository
# already present as WORKDIR/src/OWNER+NAME (or as a bare mirror MIRROR/OWNER+NAME/repo, with
# PEDDLER_CORPUS_MIRROR=MIRROR) is not downloaded again. No third-party source is kept in this
# repository: only the judgments.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="${1:-/tmp/peddler-corpus}"
mirror="${PEDDLER_CORPUS_MIRROR:-}"
mkdir -p "$work/src"

dotnet build "$here/Peddler.Corpus/Peddler.Corpus.csproj" -c Release -v:q -nologo >"$work/build.log" || { cat "$work/build.log" >&2; exit 1; }
tool="dotnet $here/Peddler.Corpus/bin/Release/net10.0/Peddler.Corpus.dll"

: >"$work/reports.tsv"
: >"$work/summary.tsv"
grep -v '^#' "$here/repos.tsv" | while IFS=$'\t' read -r repo commit; do
  [ -n "$repo" ] || continue
  dir="$work/src/${repo/\//+}"
  if [ ! -d "$dir" ]; then
    if [ -n "$mirror" ] && [ -d "$mirror/${repo/\//+}/repo" ]; then
      mkdir -p "$dir"
      # Only what the scan reads, file by file (snapshots may lack large blobs, which
      # makes `git archive` stop half-way).
      git --git-dir="$mirror/${repo/\//+}/repo" ls-tree -r "$commit" | awk -F'\t' '$2 ~ /\.(cs|json)$/ { split($1, m, " "); print m[3] "\t" $2 }' |
        while IFS=$'\t' read -r blob path; do
          mkdir -p "$dir/$(dirname "$path")"
          git --git-dir="$mirror/${repo/\//+}/repo" cat-file blob "$blob" >"$dir/$path" 2>/dev/null || rm -f "$dir/$path"
        done
    else
      git clone --quiet --filter=blob:none --no-checkout "https://github.com/$repo.git" "$dir"
      git -C "$dir" checkout --quiet "$commit"
    fi
  fi
  $tool scan "$dir" "$repo" "$commit" >>"$work/reports.tsv" 2>>"$work/summary.tsv"
done

cat "$work/summary.tsv"
$tool score "$work/reports.tsv" "$here/judgments.tsv"
