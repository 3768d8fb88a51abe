#!/usr/bin/env bash
# Build-time cost of the Peddler generator (and of the Peddler analyzers, when src/Peddler.Analyzers
# builds) on a generated consumer project of 2,000 files with 200 [PeddlerClient] classes, as the
# compiler itself reports it with -p:ReportAnalyzer=true.
#
#   benchmarks/analyzer-time.sh [work-dir] [runs]
#
# Writes the project to work-dir (default: a new temp folder), builds it once to restore and warm
# the compiler server, then rebuilds only the consumer `runs` times (default 3) and prints, per run,
# the compiler's generator and analyzer execution times for the Peddler assemblies, per 1,000 files.
#
#   benchmarks/analyzer-time.sh --corpus BEFORE.dll AFTER.dll RUNS CHECKOUT...
#
# Instead: the analyzers' time on real code. Scans each checkout (a folder of a repository, as
# tools/corpus/rescan.sh lays them out) with two builds of tools/corpus/Peddler.Corpus, before and
# after, alternated (before, after, before, …) RUNS times, and prints per build the median over the
# runs of the analyzer time per 1,000 files summed over the checkouts (all Peddler analyzers, and
# PDL001's HardCodedSecretAnalyzer alone), as CompilationWithAnalyzers logs it, with `uptime`.
set -euo pipefail

if [ "${1:-}" = "--corpus" ]; then
  before="$2"; after="$3"; runs="$4"; shift 4
  log="$(mktemp -t peddler-corpus-time.XXXXXX)"
  uptime
  for run in $(seq 1 "$runs"); do
    for build in before after; do
      dll="$before"; [ "$build" = after ] && dll="$after"
      for dir in "$@"; do
        dotnet "$dll" scan "$dir" "$(basename "$dir")" - 2>&1 >/dev/null | sed "s/^/$build\t$run\t/" >>"$log"
      done
    done
  done
  uptime
  # Per build and run: files, all analyzers, PDL001; then the median run of each build.
  awk -F'\t' '
    { files = total = pdl = 0
      for (i = 4; i <= NF; i++) {
        split($i, kv, "=")
        if (kv[1] == "files") files = kv[2]; else if (kv[1] == "analyzer_s") total = kv[2]; else if (kv[1] == "HardCodedSecretAnalyzer") pdl = kv[2]
      }
      key = $1 "\t" $2; f[key] += files; t[key] += total; p[key] += pdl }
    END { for (k in f) printf "%s\t%d\t%.1f\t%.1f\n", k, f[k], t[k] * 1e6 / f[k], p[k] * 1e6 / f[k] }' "$log" | sort >"$log.runs"
  echo "build	run	files	all Peddler analyzers (ms per 1,000 files)	PDL001 (ms per 1,000 files)"
  cat "$log.runs"
  for build in before after; do
    for col in 4 5; do
      awk -F'\t' -v b="$build" -v c="$col" '$1 == b { print $c }' "$log.runs" | sort -n | awk -v b="$build" -v c="$col" '
        { v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
          printf "median %s %s: %.1f ms per 1,000 files\n", b, (c == 4 ? "all Peddler analyzers" : "PDL001"), m }'
    done
  done
  exit 0
fi

root="$(cd "$(dirname "$0")/.." && pwd)"
work="${1:-$(mktemp -d -t peddler-analyzer-time.XXXXXX)}"
runs="${2:-3}"
files=2000
mkdir -p "$work"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

with_analyzers=""
if [ -f "$root/src/Peddler.Analyzers/Peddler.Analyzers.csproj" ] \
   && dotnet build -c Release "$root/src/Peddler.Analyzers/Peddler.Analyzers.csproj" -nologo -v:q >"$work/analyzers-build.log" 2>&1; then
  with_analyzers="--with-analyzers"
  echo "Peddler.Analyzers builds: measuring the generator and the analyzers"
else
  echo "Peddler.Analyzers is missing or does not build (see $work/analyzers-build.log): measuring the generator only"
fi

PEDDLER_REPO_ROOT="$root" dotnet run -c Release --project "$root/benchmarks/Peddler.Benchmarks" -- \
  --generate-project "$work/Consumer" $with_analyzers

# Restore, build the referenced projects, start the compiler server.
dotnet build -c Release "$work/Consumer" -nologo -v:q >"$work/warmup.log" 2>&1 || { cat "$work/warmup.log"; exit 1; }

for run in $(seq 1 "$runs"); do
  log="$work/build-$run.log"
  dotnet build -c Release "$work/Consumer" --no-restore --no-dependencies --no-incremental \
    -p:ReportAnalyzer=true -v:detailed -nologo -clp:PerformanceSummary >"$log" 2>&1 || { tail -50 "$log"; exit 1; }
  echo "--- run $run ($log)"
  # The compiler's own report: totals, then one line per assembly and per generator/analyzer type.
  grep -E "Total (analyzer|generator) execution time|^ +[0-9.<]+ +[0-9<]+ +Peddler\.|[0-9]+ ms +Csc +[0-9]+ calls" "$log" \
    | sed -E 's/^[[:space:]]+/  /; s/, Version=[^ ]*, Culture=[^ ]*, PublicKeyToken=[^ ]*//' || true
  awk -v files="$files" '
    /Total generator execution time/ { for (i = 1; i <= NF; i++) if ($i ~ /^[0-9.]+$/) gen = $i }
    /Total analyzer execution time/  { for (i = 1; i <= NF; i++) if ($i ~ /^[0-9.]+$/) ana = $i }
    /^ +[0-9.]+ +[0-9<]+ +Peddler\.Generators,/ { pgen = $1 }
    /^ +[0-9.]+ +[0-9<]+ +Peddler\.Analyzers,/  { pana = $1 }
    /[0-9]+ ms +Csc +[0-9]+ calls/ { csc = $1 }
    END {
      printf "  per 1,000 files: Peddler generator %.1f ms, Peddler analyzers %s, all generators %.1f ms, all analyzers %.1f ms, Csc task %s ms\n",
        pgen * 1000000 / files, (pana == "" ? "n/a" : sprintf("%.1f ms", pana * 1000000 / files)), gen * 1000000 / files, ana * 1000000 / files,
        (csc == "" ? "n/a" : sprintf("%.0f (whole compile of %d files)", csc, files))
    }' "$log"
done
