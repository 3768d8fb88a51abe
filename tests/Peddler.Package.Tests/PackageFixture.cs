using System;
using System.Globalization;
using System.IO;
using System.Threading.Tasks;
using Xunit;

namespace Peddler.Package.Tests;

/// <summary>
/// Packs Peddler.Generators and Peddler.Testing into a temporary local feed, once, with a version
/// no earlier run used (so no cached package can stand in for the fresh one).
/// </summary>
public sealed class PackageFixture : IAsyncLifetime
{
    public string Root { get; } = Path.Combine(Path.GetTempPath(), "peddler-package-tests-" + Guid.NewGuid().ToString("N")[..8]);

    public string Feed => Path.Combine(Root, "feed");

    public string Version { get; } = "0.1.0-ci." + DateTime.UtcNow.ToString("yyyyMMddHHmmssfff", CultureInfo.InvariantCulture);

    public string GeneratorsPackage => Path.Combine(Feed, $"Peddler.Generators.{Version}.nupkg");

    public string TestingPackage => Path.Combine(Feed, $"Peddler.Testing.{Version}.nupkg");

    /// <summary>Writes a nuget.config in <paramref name="dir"/> that restores from the packed feed first.</summary>
    public void WriteNuGetConfig(string dir) =>
        File.WriteAllText(Path.Combine(dir, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{Feed}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
            </configuration>
            """);

    private readonly Lazy<Task> _devServer;

    public PackageFixture()
    {
        _devServer = new Lazy<Task>(() => DotNet.RunOrThrowAsync(
            DotNet.RepoRoot, "pack", "samples/Peddler.DevServer/Peddler.DevServer.csproj", "-c", "Release", "-o", Feed, $"-p:Version={Version}"));
    }

    /// <summary>Packs the dev server tool into the feed, once for every test that installs it.</summary>
    public Task PackDevServerAsync() => _devServer.Value;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Feed);
        foreach (string project in new[] { "src/Peddler.Client/Peddler.Client.csproj", "src/Peddler.Testing/Peddler.Testing.csproj" })
        {
            await DotNet.RunOrThrowAsync(DotNet.RepoRoot, "pack", project, "-c", "Release", "-o", Feed, $"-p:Version={Version}");
        }
    }

    public Task DisposeAsync()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }

        return Task.CompletedTask;
    }
}

/// <summary>
/// Every test class that builds from the packed feed: one pack of the packages, shared, and the
/// classes run one after another (two packs of one project at once fight over its obj folder).
/// </summary>
[CollectionDefinition(Name)]
public sealed class PackedPackages : ICollectionFixture<PackageFixture>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Packed packages";
}
