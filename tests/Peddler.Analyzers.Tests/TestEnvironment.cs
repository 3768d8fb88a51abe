using System;
using System.IO;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using Xunit;

namespace Peddler.Analyzers.Tests;

/// <summary>Paths and references shared by the tests.</summary>
internal static class TestEnvironment
{
    private static readonly Lazy<MetadataReference> PeddlerClientReference = new(() =>
    {
        string path = Metadata("PeddlerClientNet8");
        Assert.True(File.Exists(path), "The net8.0 Peddler.Client.dll was not built: " + path);
        return MetadataReference.CreateFromFile(path);
    });

    /// <summary>.NET 8 reference assemblies (the lowest runtime the package supports).</summary>
    public static ReferenceAssemblies ReferenceAssemblies => ReferenceAssemblies.Net.Net80;

    /// <summary>The net8.0 build of the runtime library.</summary>
    public static MetadataReference PeddlerClient => PeddlerClientReference.Value;

    /// <summary>The repository root.</summary>
    public static string RepoRoot => Metadata("PeddlerRepoRoot");

    private static string Metadata(string key) =>
        typeof(TestEnvironment).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value
        ?? throw new InvalidOperationException("Missing assembly metadata " + key);
}
