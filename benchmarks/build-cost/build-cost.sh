#!/usr/bin/env bash
# Build cost of Peddler.Generators on a large project: generates the same N-file project twice,
# without the package and with it (M of the classes annotated [PeddlerClient]), and times full
# builds (dotnet build --no-incremental) of each, alternating, reporting medians and the ratio.
#
#   benchmarks/build-cost/build-cost.sh [--files 2000] [--clients 200] [--methods 20] [--runs 3]
#                                       [--feed DIR --version V] [--work DIR] [--max-ratio R]
#
# Without --feed, packs src/Peddler.Client (the Peddler.Generators package: runtime, generator,
# analyzers) into a temporary feed first. --max-ratio makes the script exit 1 above that ratio
# (used by the CI smoke run, which is tiny: its ratio is noise and only proves the script works).
set -euo pipefail

files=2000 clients=200 methods=20 runs=3 feed="" version="" work="" max_ratio=""
while [ $# -gt 0 ]; do
  case "$1" in
    --files) files=$2; shift 2 ;;
    --clients) clients=$2; shift 2 ;;
    --methods) methods=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --feed) feed=$2; shift 2 ;;
    --version) version=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --max-ratio) max_ratio=$2; shift 2 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

repo=$(cd "$(dirname "$0")/../.." && pwd)
work=${work:-$(mktemp -d "${TMPDIR:-/tmp}/peddler-build-cost.XXXXXX")}
mkdir -p "$work"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

if [ -z "$feed" ]; then
  feed="$work/feed"
  version="0.1.0-buildcost.$(date -u +%Y%m%d%H%M%S)"
  # The analyzer projects are built by the pack without a restore of their own.
  for project in Peddler.Generators Peddler.Analyzers Peddler.CodeFixes; do
    dotnet restore "$repo/src/$project/$project.csproj" >>"$work/pack.log" 2>&1 || { cat "$work/pack.log"; exit 1; }
  done
  dotnet pack "$repo/src/Peddler.Client/Peddler.Client.csproj" -c Release -o "$feed" "-p:Version=$version" >"$work/pack.log" 2>&1 \
    || { cat "$work/pack.log"; exit 1; }
fi
[ -n "$version" ] || { echo "--version is required with --feed" >&2; exit 2; }

# Files: 20 small methods each; the first $clients classes are partial and, with the package, annotated.
generate() { # $1 = directory, $2 = with|without
  local dir=$1 mode=$2
  rm -rf "$dir"; mkdir -p "$dir/Code"
  # Isolate from the repository's Directory.Build.props / Directory.Packages.props.
  echo '<Project />' >"$dir/Directory.Build.props"
  echo '<Project />' >"$dir/Directory.Build.targets"
  echo '<Project><PropertyGroup><ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally></PropertyGroup></Project>' >"$dir/Directory.Packages.props"
  cat >"$dir/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="peddler" value="$feed" />
  </packageSources>
</configuration>
XML
  local reference=""
  [ "$mode" = with ] && reference="<ItemGroup><PackageReference Include=\"Peddler.Generators\" Version=\"$version\" /></ItemGroup>"
  cat >"$dir/BuildCost.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings>
    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
  </PropertyGroup>
  $reference
</Project>
XML
  python3 - "$dir/Code" "$mode" "$files" "$clients" "$methods" <<'PY'
import os, sys
out, mode, files, clients, methods = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
for i in range(files):
    group = i // 100
    lines = [f"namespace BuildCost.Area{group};", ""]
    if i < clients:
        if mode == "with":
            lines.append(f'[Peddler.PeddlerClient(Environment = "Dev", Scopes = "DEFAULT authenticated {900000 + i}")]')
        lines.append(f"public partial class Type{i}")
    else:
        lines.append(f"public class Type{i}")
    lines.append("{")
    lines.append(f"    private readonly List<string> _log = new();")
    lines.append("")
    for m in range(methods):
        lines += [
            f"    public int Method{m}(int value, string name)",
            "    {",
            f"        if (value > {m} && name.Length > 0)",
            "        {",
            f"            _log.Add($\"{{name}}:{{value}}:{m}\");",
            f"            return value * {m + 1} + name.Length;",
            "        }",
            "",
            f"        return _log.Count + {i};",
            "    }",
            "",
        ]
    lines.append("}")
    with open(os.path.join(out, f"Type{i}.cs"), "w") as f:
        f.write("\n".join(lines) + "\n")
PY
  dotnet restore "$dir/BuildCost.csproj" >"$dir/restore.log" 2>&1 || { cat "$dir/restore.log"; exit 1; }
}

build_seconds() { # $1 = directory
  local start end
  start=$(date +%s.%N)
  dotnet build "$1/BuildCost.csproj" --no-restore --no-incremental -nologo -clp:ErrorsOnly >"$1/build.log" 2>&1 \
    || { cat "$1/build.log"; exit 1; }
  end=$(date +%s.%N)
  python3 -c "print(f'{$end - $start:.2f}')"
}

median() { python3 -c "import statistics,sys; print(f'{statistics.median(map(float, sys.argv[1:])):.2f}')" "$@"; }

generate "$work/without" without
generate "$work/with" with
# One warm-up build each (compiler server, disk cache), not counted.
build_seconds "$work/without" >/dev/null
build_seconds "$work/with" >/dev/null

without=() with=()
for ((r = 1; r <= runs; r++)); do
  without+=("$(build_seconds "$work/without")")
  with+=("$(build_seconds "$work/with")")
  echo "run $r: without ${without[-1]} s, with ${with[-1]} s"
done

m_without=$(median "${without[@]}")
m_with=$(median "${with[@]}")
ratio=$(python3 -c "print(f'{$m_with / $m_without:.3f}')")
echo "files=$files clients=$clients methods/file=$methods runs=$runs"
echo "median without package: $m_without s"
echo "median with package:    $m_with s"
echo "ratio (with / without): $ratio"
echo "work directory: $work"
if [ -n "$max_ratio" ] && python3 -c "import sys; sys.exit(0 if $ratio > $max_ratio else 1)"; then
  echo "ratio $ratio is above $max_ratio" >&2
  exit 1
fi
