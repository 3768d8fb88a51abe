using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Xunit;

namespace Peddler.Docs.Tests;

/// <summary>docs/architecture.md stays true: every file it names exists, and every part of the core it maps is named.</summary>
public sealed partial class ArchitectureMapTests
{
    private static readonly string Map = File.ReadAllText(Path.Combine(DocumentationBlocks.RepoRoot, "docs", "architecture.md"));

    [Fact]
    public void Every_file_the_map_names_exists()
    {
        string[] named = NamedFiles().Matches(Map).Select(m => m.Groups["path"].Value).Distinct().ToArray();
        Assert.True(named.Length >= 30, $"the map names only {named.Length} files");
        string[] missing = named.Where(path => !File.Exists(Path.Combine(DocumentationBlocks.RepoRoot, path))).ToArray();
        Assert.True(missing.Length == 0, "docs/architecture.md names files that do not exist: " + string.Join(", ", missing));
    }

    [Theory]
    [InlineData("src/Peddler.Client/Core")]
    [InlineData("src/Peddler.Client/Endpoint")]
    [InlineData("src/Peddler.Generators.Redis")]
    public void Every_source_file_of_a_mapped_folder_is_on_the_map(string folder)
    {
        string[] files = Directory.GetFiles(Path.Combine(DocumentationBlocks.RepoRoot, folder), "*.cs")
            .Select(path => folder + "/" + Path.GetFileName(path))
            // The public registration types and the log-message definitions are described in the README.
            .Where(path => !path.EndsWith("Extensions.cs", StringComparison.Ordinal) && !path.EndsWith("Options.cs", StringComparison.Ordinal)
                && !path.EndsWith("Log.cs", StringComparison.Ordinal))
            .ToArray();
        Assert.NotEmpty(files);
        string[] unmapped = files.Where(path => !Map.Contains("`" + path + "`", StringComparison.Ordinal)).ToArray();
        Assert.True(unmapped.Length == 0, "not on docs/architecture.md: " + string.Join(", ", unmapped));
    }

    [GeneratedRegex("`(?<path>(?:src|tests|samples|benchmarks)/[A-Za-z0-9_./-]+\\.(?:cs|txt|md|csproj))`")]
    private static partial Regex NamedFiles();
}
