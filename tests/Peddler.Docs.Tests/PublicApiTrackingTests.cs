using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json;
using Xunit;

namespace Peddler.Docs.Tests;

/// <summary>
/// The public API of the shipped assemblies stays tracked (CONTRIBUTING.md, "Public API"): each has
/// its PublicAPI.Shipped.txt and PublicAPI.Unshipped.txt, and its evaluated project (the whole
/// Directory.Build.props / csproj chain) references Microsoft.CodeAnalysis.PublicApiAnalyzers, passes
/// both files to it and validates its package. Deleting any part of it fails here, not silently.
/// </summary>
public class PublicApiTrackingTests
{
    public static TheoryData<string> ShippedProjects() => new("Peddler.Client", "Peddler.Generators.Redis", "Peddler.Testing");

    [Theory]
    [MemberData(nameof(ShippedProjects))]
    public void The_shipped_project_has_both_public_API_files(string project)
    {
        string directory = Path.Combine(DocumentationBlocks.RepoRoot, "src", project);

        string[] shipped = File.ReadAllLines(Path.Combine(directory, "PublicAPI.Shipped.txt"));
        Assert.Equal("#nullable enable", shipped.FirstOrDefault());
        Assert.True(shipped.Skip(1).Count(l => l.Trim().Length > 0) >= 10, $"{project}: PublicAPI.Shipped.txt declares {shipped.Length - 1} lines");

        string[] unshipped = File.ReadAllLines(Path.Combine(directory, "PublicAPI.Unshipped.txt"));
        Assert.Equal("#nullable enable", unshipped.FirstOrDefault());
    }

    [Theory]
    [MemberData(nameof(ShippedProjects))]
    public void The_shipped_project_references_the_public_API_analyzer_and_validates_its_package(string project)
    {
        string csproj = Path.Combine(DocumentationBlocks.RepoRoot, "src", project, project + ".csproj");
        using JsonDocument evaluation = Evaluate(csproj);
        JsonElement items = evaluation.RootElement.GetProperty("Items");
        JsonElement properties = evaluation.RootElement.GetProperty("Properties");

        JsonElement analyzer = items.GetProperty("PackageReference").EnumerateArray()
            .SingleOrDefault(i => i.GetProperty("Identity").GetString() == "Microsoft.CodeAnalysis.PublicApiAnalyzers");
        Assert.True(analyzer.ValueKind == JsonValueKind.Object, $"{project}: no PackageReference to Microsoft.CodeAnalysis.PublicApiAnalyzers");
        Assert.Equal("all", analyzer.GetProperty("PrivateAssets").GetString());

        string[] additionalFiles = items.GetProperty("AdditionalFiles").EnumerateArray()
            .Select(i => Path.GetFileName(i.GetProperty("FullPath").GetString()!))
            .ToArray();
        Assert.Contains("PublicAPI.Shipped.txt", additionalFiles);
        Assert.Contains("PublicAPI.Unshipped.txt", additionalFiles);

        Assert.Equal("true", properties.GetProperty("EnablePackageValidation").GetString(), ignoreCase: true);
        string[] warningsAsErrors = properties.GetProperty("WarningsAsErrors").GetString()!.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Contains("RS0016", warningsAsErrors);
        Assert.Contains("RS0017", warningsAsErrors);
    }

    [Fact]
    public void A_project_that_is_not_shipped_does_not_get_the_analyzer()
    {
        string csproj = Path.Combine(DocumentationBlocks.RepoRoot, "samples", "Peddler.DevServer", "Peddler.DevServer.csproj");
        using JsonDocument evaluation = Evaluate(csproj);
        JsonElement items = evaluation.RootElement.GetProperty("Items");
        if (items.TryGetProperty("PackageReference", out JsonElement references))
        {
            Assert.DoesNotContain(references.EnumerateArray(), i => i.GetProperty("Identity").GetString() == "Microsoft.CodeAnalysis.PublicApiAnalyzers");
        }
    }

    /// <summary>MSBuild evaluation only (no restore, no build): about a second a project.</summary>
    private static JsonDocument Evaluate(string csproj)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = DocumentationBlocks.RepoRoot,
        };
        foreach (string argument in new[]
        {
            "msbuild", csproj, "-nologo", "-p:TargetFramework=net10.0",
            "-getItem:PackageReference", "-getItem:AdditionalFiles",
            "-getProperty:EnablePackageValidation", "-getProperty:WarningsAsErrors",
        })
        {
            start.ArgumentList.Add(argument);
        }

        // The test host's MSBuild variables (set by dotnet test) would point the child at this run's MSBuild node.
        foreach (string name in new[] { "MSBuildExtensionsPath", "MSBuildSDKsPath", "MSBUILD_EXE_PATH", "MSBuildLoadMicrosoftTargetsReadOnly" })
        {
            start.Environment.Remove(name);
        }

        using Process process = Process.Start(start)!;
        System.Threading.Tasks.Task<string> error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)), $"dotnet msbuild {csproj} did not finish");
        Assert.True(process.ExitCode == 0, $"dotnet msbuild {csproj} exited {process.ExitCode}: {output}{error.Result}");
        return JsonDocument.Parse(output);
    }
}
