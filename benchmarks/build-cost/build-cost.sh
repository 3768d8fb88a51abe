#!/usr/bin/env bash
# Build cost of Peddler.Generators on a large project: generates the same N-file project twice,
# without the package and with it (M of the classes annotated [PeddlerClient]), and times full
# builds (dotnet build --no-incremental) of each, alternating, reporting medians and the ratio.
#
#   benchmarks/build-cost/build-cost.sh [--files 2000] [--clients 200] [--methods 20] [--runs 3]
#                                       [--sdk console|web] [--variants "with"]
#                                       [--feed DIR --version V] [--work DIR] [--max-ratio R]
#                                       [--compiler-server on|off] [--run-analyzers true|false]
#                                       [--remove-analyzers PREFIX]
#
# --sdk web makes the same project a Microsoft.NET.Sdk.Web one (with a minimal Program.cs, in
# both projects); the default is a Microsoft.NET.Sdk library, as in the independent measurement.
# --variants lists the project shapes built against the baseline ("without"), one after the
# other in each run, so that every shape sees the same load; each is reported as a ratio to it:
#   with          the PackageReference and [PeddlerClient] on the first --clients classes
#   noanalyzers   the PackageReference, and Peddler's analyzer assemblies (generator, analyzers, code
#                 fixes) removed from the compilation by a target: no generator, no analyzers.
#                 (ExcludeAssets="analyzers" would not do it: the .NET SDK passes a package's
#                 analyzers to the compiler whatever its ExcludeAssets say, dotnet/sdk#1212.)
#   noattributes  the PackageReference, no [PeddlerClient] (generator finds nothing to generate)
#   nobuild       "with", and ExcludeAssets="build;buildTransitive" (no build/Peddler.Generators.props)
#   deps          no Peddler package: only the Microsoft.Extensions.* packages it depends on
#                 (the versions of the packed nuspec's group for net10.0)
#   nodepgen      "with", and the dependencies' own analyzers/generators removed before compiling
#   generated     "noanalyzers", plus the sources the generator writes for "with" as plain files:
#                 what compiling the generated code costs, without running Peddler's generator
# A variant may name another version of the package in the same feed, as in "with with@0.1.0-b2"
# (before and after a change, alternated in the same run). --max-ratio applies to the first variant.
#
# Without --feed, packs src/Peddler.Client (the Peddler.Generators package: runtime, generator,
# analyzers) into a temporary feed first. --max-ratio makes the script exit 1 above that ratio
# (used by the CI smoke run, which is tiny: its ratio is noise and only proves the script works).
#
# --run-analyzers false builds every project (the baseline too) with RunAnalyzers=false: no
# analyzer of any package or of the SDK runs (generators still do). --remove-analyzers PREFIX
# removes from every project's compilation the analyzer assemblies whose file name starts with
# PREFIX (e.g. Microsoft.AspNetCore: the ASP.NET Core analyzers of a web project). Both show how
# much of a variant's cost is other analyzers' work on the code it adds.
#
# --compiler-server: whether csc runs in the shared compiler server (VBCSCompiler, the .NET SDK's
# default: "on") or as a new process per build ("off", what UseSharedCompilation=false in the
# environment gives). Without the option the environment decides; the summary says which. A new
# process compiles with a cold JIT, and every part of the package that the build exercises for
# the first time (the generator, the analyzers, the compiler's paths for the generated code) is
# paid in JIT time on every build.
set -euo pipefail

files=2000 clients=200 methods=20 runs=3 feed="" version="" work="" max_ratio="" sdk=console variants=with
run_analyzers="" remove_analyzers=""
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
    --sdk) sdk=$2; shift 2 ;;
    --variants) variants=$2; shift 2 ;;
    --run-analyzers)
      case "$2" in true|false) run_analyzers=$2 ;; *) echo "--run-analyzers is true or false" >&2; exit 2 ;; esac
      shift 2 ;;
    --remove-analyzers) remove_analyzers=$2; shift 2 ;;
    --compiler-server)
      case "$2" in
        on) export UseSharedCompilation=true ;;
        off) export UseSharedCompilation=false ;;
        *) echo "--compiler-server is on or off" >&2; exit 2 ;;
      esac
      shift 2 ;;
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
case "$sdk" in
  console) project_sdk=Microsoft.NET.Sdk ;;
  web) project_sdk=Microsoft.NET.Sdk.Web ;;
  *) echo "--sdk is console or web" >&2; exit 2 ;;
esac

# The package's own dependencies for net10.0, read from the packed nuspec (for the "deps" variant).
dependency_references() {
  unzip -p "$feed/Peddler.Generators.$1.nupkg" Peddler.Generators.nuspec | python3 -c '
import re, sys
text = sys.stdin.read()
group = re.search(r"<group targetFramework=\"net10.0\">(.*?)</group>", text, re.S).group(1)
for name, ver in re.findall(r"<dependency id=\"([^\"]+)\" version=\"([^\"]+)\"", group):
    print(f"<PackageReference Include=\"{name}\" Version=\"{ver}\" />")
'
}

# Files: 20 small methods each; the first $clients classes are partial and, with the package, annotated.
generate() { # $1 = directory, $2 = a variant (see above) or without
  local dir=$1 mode=${2%%@*} annotate=without version=$version
  [ "$2" != "${2#*@}" ] && version=${2#*@}
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
  local package="<PackageReference Include=\"Peddler.Generators\" Version=\"$version\"" reference="" extra="" drop_peddler=false
  case "$mode" in
    without) ;;
    with) reference="$package />"; annotate=with ;;
    noanalyzers|generated) reference="$package />"; drop_peddler=true ;;
    noattributes) reference="$package />" ;;
    nobuild) reference="$package ExcludeAssets=\"build;buildTransitive\" />"; annotate=with ;;
    deps) reference=$(dependency_references "$version")
      # In a web project these are pruned (the shared framework has them): NU1510 says so.
      extra="<PropertyGroup><NoWarn>\$(NoWarn);NU1510</NoWarn></PropertyGroup>" ;;
    nodepgen)
      reference="$package />"; annotate=with
      # Every analyzer that comes from a Microsoft.Extensions.* or System.Text.Json package.
      extra='<Target Name="RemoveDependencyAnalyzers" BeforeTargets="CoreCompile" AfterTargets="ResolveTargetingPackAssets">
    <ItemGroup>
      <Analyzer Remove="@(Analyzer)" Condition="$([MSBuild]::ValueOrDefault(&apos;%(Analyzer.NuGetPackageId)&apos;, &apos;&apos;).StartsWith(&apos;Microsoft.Extensions.&apos;)) Or &apos;%(Analyzer.NuGetPackageId)&apos; == &apos;System.Text.Json&apos;" />
    </ItemGroup>
  </Target>' ;;
    *) echo "unknown variant: $mode" >&2; exit 2 ;;
  esac
  [ -n "$reference" ] && reference="<ItemGroup>$reference</ItemGroup>"
  # Analyzer items to drop before compiling: Peddler's own (noanalyzers, generated) and --remove-analyzers.
  local drop=""
  [ "$drop_peddler" = true ] && drop="'%(Analyzer.NuGetPackageId)' == 'Peddler.Generators'"
  if [ -n "$remove_analyzers" ]; then
    [ -n "$drop" ] && drop+=" Or "
    drop+="\$([System.String]::Copy('%(Analyzer.Filename)').StartsWith('$remove_analyzers'))"
  fi
  if [ -n "$drop" ]; then
    extra+="
  <Target Name=\"BuildCostRemoveAnalyzers\" BeforeTargets=\"CoreCompile\" AfterTargets=\"ResolveTargetingPackAssets\">
    <ItemGroup>
      <Analyzer Remove=\"@(Analyzer)\" Condition=\"$drop\" />
    </ItemGroup>
  </Target>"
  fi
  [ -n "$run_analyzers" ] && extra+="
  <PropertyGroup><RunAnalyzers>$run_analyzers</RunAnalyzers></PropertyGroup>"
  if [ "$sdk" = web ]; then
    printf '%s\n' 'var app = WebApplication.CreateBuilder(args).Build();' 'app.Run();' >"$dir/Program.cs"
  fi
  cat >"$dir/BuildCost.csproj" <<XML
<Project Sdk="$project_sdk">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings>
    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
  </PropertyGroup>
  $reference
  $extra
</Project>
XML
  python3 - "$dir/Code" "$annotate" "$files" "$clients" "$methods" <<'PY'
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
  if [ "$mode" = generated ]; then
    # The generator's output for the "with" shape, written by one build of it, as plain sources.
    generate "$dir.with" "with@$version"
    dotnet build "$dir.with/BuildCost.csproj" --no-restore -nologo -clp:ErrorsOnly -p:EmitCompilerGeneratedFiles=true \
      "-p:CompilerGeneratedFilesOutputPath=$dir.with/generated" >"$dir.with/build.log" 2>&1 || { cat "$dir.with/build.log"; exit 1; }
    mkdir -p "$dir/Code/Generated"
    find "$dir.with/generated" -path '*Peddler.Generators*' -name '*.cs' -exec cp {} "$dir/Code/Generated/" \;
    rm -rf "$dir.with"
  fi
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

read -r -a shapes <<<"$variants"
generate "$work/without" without
for v in "${shapes[@]}"; do generate "$work/$v" "$v"; done
# One warm-up build each (compiler server, disk cache), not counted.
build_seconds "$work/without" >/dev/null
for v in "${shapes[@]}"; do build_seconds "$work/$v" >/dev/null; done

declare -A times=()
for ((r = 1; r <= runs; r++)); do
  line="run $r ($(date -u +%H:%M:%S) UTC, load $(cut -d' ' -f1-3 /proc/loadavg)):"
  t=$(build_seconds "$work/without"); times[without]+=" $t"; line+=" without $t s"
  for v in "${shapes[@]}"; do
    t=$(build_seconds "$work/$v"); times[$v]+=" $t"; line+=", $v $t s"
  done
  echo "$line"
done

# shellcheck disable=SC2086 # the times are a space-separated list
m_without=$(median ${times[without]})
echo "sdk=$sdk files=$files clients=$clients methods/file=$methods runs=$runs package=$version"
echo "compiler server: $([ "${UseSharedCompilation:-true}" = false ] && echo "off (a new csc process per build)" || echo "on (VBCSCompiler)")"
[ -n "$run_analyzers" ] && echo "every project: RunAnalyzers=$run_analyzers"
[ -n "$remove_analyzers" ] && echo "every project: analyzer assemblies $remove_analyzers* removed"
echo "median without package: $m_without s"
first_ratio=""
for v in "${shapes[@]}"; do
  # shellcheck disable=SC2086
  m=$(median ${times[$v]})
  ratio=$(python3 -c "print(f'{$m / $m_without:.3f}')")
  [ -n "$first_ratio" ] || first_ratio=$ratio
  printf 'median %-14s %s s, ratio %s\n' "$v:" "$m" "$ratio"
done
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg) ($(date -u +%H:%M:%S) UTC)"
echo "work directory: $work"
if [ -n "$max_ratio" ] && python3 -c "import sys; sys.exit(0 if $first_ratio > $max_ratio else 1)"; then
  echo "ratio $first_ratio is above $max_ratio" >&2
  exit 1
fi
