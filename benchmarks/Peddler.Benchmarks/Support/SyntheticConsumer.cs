using System.Collections.Generic;
using System.Globalization;
using System.IO;

namespace Peddler.Benchmarks.Support;

/// <summary>
/// A synthetic consumer project: <see cref="FileCount"/> source files, every tenth one a
/// <c>[PeddlerClient]</c> class, the rest ordinary classes (members, attributes, loops) so that the
/// generator's attribute search has real work to skip. Used in-process by the generator benchmark
/// and written to disk for the <c>-p:ReportAnalyzer=true</c> build.
/// </summary>
internal static class SyntheticConsumer
{
    public const int FileCount = 2_000;
    public const int AnnotatedEvery = 10;

    /// <summary>The file edited by the "unrelated edit" rerun: an ordinary class.</summary>
    public const int UnrelatedFile = 1;

    public static int AnnotatedCount => FileCount / AnnotatedEvery;

    public static IEnumerable<(string Path, string Text)> Files()
    {
        for (int i = 0; i < FileCount; i++)
        {
            yield return (FilePath(i), Source(i));
        }
    }

    public static string FilePath(int i) => string.Create(CultureInfo.InvariantCulture, $"Area{i / 100:00}/File{i:0000}.cs");

    public static string Source(int i, bool edited = false) =>
        i % AnnotatedEvery == 0 ? Annotated(i) : Ordinary(i, edited);

    private static string Annotated(int i) => string.Create(CultureInfo.InvariantCulture, $$"""
        using Peddler;

        namespace Consumer.Area{{i / 100:00}};

        /// <summary>Token client {{i}}.</summary>
        [PeddlerClient(Environment = "{{(i % 20 == 0 ? "Dev" : "Production")}}", Scopes = "DEFAULT authenticated {{900000 + i}}")]
        public sealed partial class Tokens{{i:0000}}
        {
            /// <summary>A user member next to the generated ones.</summary>
            public int Index => {{i}};
        }

        """);

    private static string Ordinary(int i, bool edited) => string.Create(CultureInfo.InvariantCulture, $$"""
        using System;
        using System.Collections.Generic;

        namespace Consumer.Area{{i / 100:00}};

        /// <summary>Synthetic type {{i}}.</summary>
        [Serializable]
        public sealed class Type{{i:0000}}
        {
            private readonly List<int> _values = new();

            /// <summary>A name.</summary>
            public string Name { get; set; } = "Type{{i}}";

            /// <summary>An old member.</summary>
            [Obsolete("Synthetic.")]
            public int Old => {{i}};

            /// <summary>Adds a value.</summary>
            public void Add(int value) => _values.Add(value);

            /// <summary>The sum of the values.</summary>
            public int Sum()
            {
                int total = 0;
                foreach (int value in _values)
                {
                    total += value;
                }

                return total;
            }
        {{(edited ? "\n    /// <summary>Added by the unrelated edit.</summary>\n    public int Edited => 1;\n" : string.Empty)}}
            /// <inheritdoc/>
            public override string ToString() => $"{Name}: {Sum()}";
        }

        """);

    /// <summary>
    /// Writes the consumer as an SDK project that references the runtime library and the generator
    /// (and the analyzers, when asked) as analyzers, straight from the repository's projects.
    /// </summary>
    public static void WriteProject(string directory, string repositoryRoot, bool withAnalyzers)
    {
        Directory.CreateDirectory(directory);
        string src = Path.Combine(repositoryRoot, "src");
        string analyzers = withAnalyzers
            ? $"""
                  <ProjectReference Include="{Path.Combine(src, "Peddler.Analyzers", "Peddler.Analyzers.csproj")}" OutputItemType="Analyzer" ReferenceOutputAssembly="false" />
              """
            : string.Empty;
        File.WriteAllText(Path.Combine(directory, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>disable</ImplicitUsings>
                <OutputType>Library</OutputType>
                <GenerateDocumentationFile>false</GenerateDocumentationFile>
                <NoWarn>$(NoWarn);CS1591</NoWarn>
              </PropertyGroup>
              <ItemGroup>
                <ProjectReference Include="{Path.Combine(src, "Peddler.Client", "Peddler.Client.csproj")}" />
                <ProjectReference Include="{Path.Combine(src, "Peddler.Generators", "Peddler.Generators.csproj")}" OutputItemType="Analyzer" ReferenceOutputAssembly="false" />
            {analyzers}
              </ItemGroup>
            </Project>

            """);
        File.WriteAllText(Path.Combine(directory, "Directory.Build.props"), "<Project />\n");
        File.WriteAllText(Path.Combine(directory, "Directory.Packages.props"), "<Project />\n");
        foreach ((string path, string text) in Files())
        {
            string full = Path.Combine(directory, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, text);
        }
    }
}
