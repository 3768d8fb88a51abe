using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using Xunit;

namespace Peddler.Package.Tests;

/// <summary>
/// The packed analyzers in a consumer build: PDL017 reads appsettings.json through the package's
/// build props (and stops when the project opts out), and both PDL001 and PDL017 reach a SARIF
/// log written with <c>ErrorLog</c>, as code-scanning dashboards read it.
/// </summary>
[Collection(PackedPackages.Name)]
public sealed class AnalyzerPackageTests(PackageFixture package)
{
    private const string FakeSecret = "q8Zr2LmT0vXk5NwPfake";

    [Fact]
    public async Task A_build_with_ErrorLog_writes_PDL001_and_PDL017_to_SARIF()
    {
        string consumer = WriteConsumer("sarif");
        string sarif = Path.Combine(consumer, "out.sarif");

        (int exitCode, string output) = await DotNet.RunAsync(consumer, ["build", "-c", "Release", "-p:ErrorLog=out.sarif%2Cversion=2.1"]);

        Assert.True(exitCode == 0, output);
        Assert.True(File.Exists(sarif), output);
        using JsonDocument log = JsonDocument.Parse(File.ReadAllText(sarif));
        Assert.Equal("2.1.0", log.RootElement.GetProperty("version").GetString());
        List<(string Rule, string Uri, int Line, int Column)> results = log.RootElement.GetProperty("runs").EnumerateArray()
            .SelectMany(run => run.GetProperty("results").EnumerateArray())
            .Where(r => r.GetProperty("ruleId").GetString() is "PDL001" or "PDL017")
            .Select(r =>
            {
                JsonElement location = r.GetProperty("locations")[0].GetProperty("physicalLocation");
                JsonElement region = location.GetProperty("region");
                return (r.GetProperty("ruleId").GetString()!, location.GetProperty("artifactLocation").GetProperty("uri").GetString()!,
                    region.GetProperty("startLine").GetInt32(), region.GetProperty("startColumn").GetInt32());
            })
            .ToList();

        Assert.Contains(results, r => r.Rule == "PDL001" && r.Uri.EndsWith("Misuse.cs", StringComparison.Ordinal) && r.Line == 7);
        Assert.Contains(results, r => r.Rule == "PDL017" && r.Uri.EndsWith("appsettings.json", StringComparison.Ordinal) && r.Line == 4 && r.Column == 21);
        Assert.Contains(results, r => r.Rule == "PDL017" && r.Uri.EndsWith("launchSettings.json", StringComparison.Ordinal) && r.Line == 5);
        Assert.DoesNotContain(results, r => r.Uri.EndsWith("appsettings.Development.json", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PeddlerAnalyzeConfigurationFiles_false_turns_PDL017_off()
    {
        string consumer = WriteConsumer("optout");

        (int exitCode, string output) = await DotNet.RunAsync(consumer, ["build", "-c", "Release", "-p:PeddlerAnalyzeConfigurationFiles=false"]);

        Assert.True(exitCode == 0, output);
        Assert.Contains("PDL001", output, StringComparison.Ordinal);
        Assert.DoesNotContain("PDL017", output, StringComparison.Ordinal);
    }

    private string WriteConsumer(string name)
    {
        string dir = Path.Combine(package.Root, name);
        Directory.CreateDirectory(Path.Combine(dir, "Properties"));
        package.WriteNuGetConfig(dir);
        File.WriteAllText(Path.Combine(dir, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Peddler.Generators" Version="{package.Version}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(dir, "Misuse.cs"), $$"""
            using Peddler;

            namespace Consumer;

            public static class Program
            {
                public static PeddlerClientOptions Options() => new() { ClientId = "abc", ClientSecret = "{{FakeSecret}}" };

                public static void Main() => System.Console.WriteLine(Options().ClientId);
            }
            """);
        File.WriteAllText(Path.Combine(dir, "appsettings.json"), $$"""
            {
              "Peddler": {
                "ClientId": "abc",
                "ClientSecret": "{{FakeSecret}}"
              }
            }
            """);
        File.WriteAllText(Path.Combine(dir, "appsettings.Development.json"), """
            { "Peddler": { "ClientSecret": "<insert_client_secret_here>" } }
            """);
        File.WriteAllText(Path.Combine(dir, "Properties", "launchSettings.json"), $$"""
            {
              "profiles": {
                "Consumer": {
                  "environmentVariables": {
                    "PEDDLER_CLIENT_SECRET": "{{FakeSecret}}"
                  }
                }
              }
            }
            """);
        return dir;
    }
}
