using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;

namespace Peddler.Docs.Tests;

/// <summary>How a documentation block is compiled; see <see cref="DocumentationCompiler"/>.</summary>
public enum Wrapper
{
    /// <summary>A complete <c>Program.cs</c> of <c>dotnet new console</c>.</summary>
    Program,

    /// <summary>A complete <c>Program.cs</c> of <c>dotnet new worker</c> (the template's <c>Worker.cs</c> beside it).</summary>
    Worker,

    /// <summary>Statements (and types) inside a method that has the ambient variables and types.</summary>
    Fragment,

    /// <summary>A rule page's example: a fragment that must (non-compliant) or must not (compliant) raise the page's rule.</summary>
    Diagnostic,
}

/// <summary>One <c>```csharp</c> block of README.md or of a page under docs/.</summary>
/// <param name="File">The file, relative to the repository root, with forward slashes.</param>
/// <param name="Line">The 1-based line of the opening fence.</param>
/// <param name="Wrapper">How the block is compiled.</param>
/// <param name="Heading">The nearest heading above the block.</param>
/// <param name="Code">The block's text.</param>
public sealed record DocumentationBlock(string File, int Line, Wrapper Wrapper, string Heading, string Code)
{
    /// <summary>For rule pages: the page's rule id (<c>PDL009</c> for docs/diagnostics/PDL009.md).</summary>
    public string? RuleId => Regex.Match(File, @"docs/diagnostics/(PDL\d{3})\.md$") is { Success: true } m ? m.Groups[1].Value : null;

    /// <inheritdoc/>
    public override string ToString() => $"{File}:{Line}";
}

/// <summary>
/// Finds every <c>```csharp</c> block of README.md and docs/**/*.md. A block's wrapper is chosen by
/// an HTML comment on the line before its fence — <c>&lt;!-- compile: program|worker|fragment --&gt;</c>
/// (invisible on GitHub) — or by default: <c>program</c> in README.md, <c>diagnostic</c> on the rule
/// pages docs/diagnostics/PDLxxx.md, <c>fragment</c> elsewhere under docs/.
/// </summary>
public static class DocumentationBlocks
{
    private static readonly Regex Marker = new(@"^<!--\s*compile:\s*(?<wrapper>\w+)\s*-->$", RegexOptions.CultureInvariant);

    /// <summary>The repository root.</summary>
    public static string RepoRoot { get; } = typeof(DocumentationBlocks).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "PeddlerRepoRoot").Value!;

    /// <summary>Every block, in file order.</summary>
    public static IReadOnlyList<DocumentationBlock> All { get; } = Load();

    private static List<DocumentationBlock> Load()
    {
        IEnumerable<string> files = new[] { Path.Combine(RepoRoot, "README.md") }
            .Concat(Directory.EnumerateFiles(Path.Combine(RepoRoot, "docs"), "*.md", SearchOption.AllDirectories).Order(StringComparer.Ordinal));
        var blocks = new List<DocumentationBlock>();
        foreach (string path in files)
        {
            string relative = Path.GetRelativePath(RepoRoot, path).Replace('\\', '/');
            string[] lines = File.ReadAllLines(path);
            string heading = string.Empty;
            for (int i = 0; i < lines.Length; i++)
            {
                if (lines[i].StartsWith('#'))
                {
                    heading = lines[i].TrimStart('#').Trim();
                    continue;
                }

                if (!lines[i].StartsWith("```", StringComparison.Ordinal))
                {
                    continue;
                }

                string language = lines[i][3..].Trim();
                int end = Array.FindIndex(lines, i + 1, l => l.StartsWith("```", StringComparison.Ordinal));
                if (end < 0)
                {
                    throw new InvalidDataException($"{relative}:{i + 1}: unclosed code fence");
                }

                if (language is "csharp" or "cs" or "c#")
                {
                    string code = string.Join('\n', lines[(i + 1)..end]);
                    blocks.Add(new DocumentationBlock(relative, i + 1, WrapperOf(relative, i > 0 ? lines[i - 1].Trim() : string.Empty), heading, code));
                }

                i = end;
            }
        }

        return blocks;
    }

    private static Wrapper WrapperOf(string file, string previousLine)
    {
        Match marker = Marker.Match(previousLine);
        if (marker.Success)
        {
            return Enum.Parse<Wrapper>(marker.Groups["wrapper"].Value, ignoreCase: true);
        }

        if (file == "README.md")
        {
            return Wrapper.Program;
        }

        return Regex.IsMatch(file, @"^docs/diagnostics/PDL\d{3}\.md$") ? Wrapper.Diagnostic : Wrapper.Fragment;
    }
}
