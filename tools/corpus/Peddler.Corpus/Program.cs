using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Basic.Reference.Assemblies;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using Peddler.Analyzers;

namespace Peddler.Corpus;

/// <summary>
/// <c>scan DIR REPO COMMIT</c>: prints one tab-separated row per PDL001 / PDL017 report
/// (rule, repo, commit, path, line, column, snippet) and a summary line on stderr.
/// <c>score REPORTS JUDGMENTS</c>: compares the rows with the judged corpus and prints precision and recall.
/// </summary>
internal static class Program
{
    private static readonly string[] ImplicitUsings =
    [
        "System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Net.Http",
        "System.Threading", "System.Threading.Tasks",
    ];

    public static async Task<int> Main(string[] args)
    {
        if (args.Length == 4 && args[0] == "scan")
        {
            return await ScanAsync(args[1], args[2], args[3]).ConfigureAwait(false);
        }

        if (args.Length == 3 && args[0] == "score")
        {
            return Score.Run(args[1], args[2]);
        }

        Console.Error.WriteLine("usage: scan DIR REPO COMMIT | score REPORTS.tsv JUDGMENTS.tsv");
        return 2;
    }

    /// <summary>Whether a repository-relative path lies in a test project (a folder named like <c>test</c>, <c>Tests</c>, <c>Foo.UnitTests</c>).</summary>
    public static bool IsTestPath(string relativePath)
    {
        string[] parts = relativePath.Split('/');
        for (int i = 0; i < parts.Length - 1; i++)
        {
            if (parts[i].Contains("test", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// <c>PEDDLER_CORPUS_TESTS=only</c> compiles test folders with the rest and prints only the reports
    /// in test folders (what <c>analyze_test_projects = true</c> would add); otherwise test folders are
    /// skipped, as a default build skips test projects.
    /// </summary>
    private static bool OnlyTests => Environment.GetEnvironmentVariable("PEDDLER_CORPUS_TESTS") == "only";

    private static bool IncludeTests => OnlyTests;

    private static bool IsBuildOutput(string relativePath) =>
        relativePath.Split('/').Any(p => p is "bin" or "obj" or "node_modules" or ".git");

    private static async Task<int> ScanAsync(string root, string repo, string commit)
    {
        root = Path.GetFullPath(root);
        var files = Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Select(f => (Full: f, Relative: Path.GetRelativePath(root, f).Replace('\\', '/')))
            .Where(f => !IsBuildOutput(f.Relative) && (IncludeTests || !IsTestPath(f.Relative)))
            .OrderBy(f => f.Relative, StringComparer.Ordinal)
            .ToList();

        var parseOptions = new CSharpParseOptions(LanguageVersion.Preview);
        var trees = new List<SyntaxTree>();
        foreach ((string full, string relative) in files.Where(f => f.Relative.EndsWith(".cs", StringComparison.OrdinalIgnoreCase)))
        {
            string text = await File.ReadAllTextAsync(full).ConfigureAwait(false);
            trees.Add(CSharpSyntaxTree.ParseText(SourceText.From(text), parseOptions, relative));
        }

        trees.Add(CSharpSyntaxTree.ParseText(StubsNotDeclaredIn(trees), parseOptions, "__Stubs.g.cs"));
        trees.Add(CSharpSyntaxTree.ParseText(
            string.Concat(ImplicitUsings.Select(u => "global using " + u + ";\n")), parseOptions, "__ImplicitUsings.g.cs"));

        ImmutableArray<AdditionalText> additional = files
            .Where(f => IsConfigurationFile(Path.GetFileName(f.Relative)))
            .Select(f => (AdditionalText)new FileText(f.Full, f.Relative))
            .ToImmutableArray();

        var compilation = CSharpCompilation.Create(
            "corpus",
            trees,
            Net100.References.All.Concat(AspNetCoreReferences()),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true, nullableContextOptions: NullableContextOptions.Enable));

        ImmutableArray<DiagnosticAnalyzer> analyzers = typeof(HardCodedSecretAnalyzer).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(t))
            .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!)
            .ToImmutableArray();

        var crashes = new ConcurrentBag<string>();
        var options = new CompilationWithAnalyzersOptions(
            new AnalyzerOptions(additional),
            (exception, analyzer, diagnostic) => crashes.Add(analyzer.GetType().Name + ": " + exception.GetType().Name + ": " + exception.Message),
            concurrentAnalysis: true,
            logAnalyzerExecutionTime: true);
        var withAnalyzers = new CompilationWithAnalyzers(compilation, analyzers, options);

        var clock = Stopwatch.StartNew();
        ImmutableArray<Diagnostic> diagnostics = await withAnalyzers.GetAnalyzerDiagnosticsAsync(CancellationToken.None).ConfigureAwait(false);
        clock.Stop();

        TimeSpan analyzerTime = TimeSpan.Zero;
        var perAnalyzer = new List<string>();
        foreach (DiagnosticAnalyzer analyzer in analyzers)
        {
            TimeSpan time = (await withAnalyzers.GetAnalyzerTelemetryInfoAsync(analyzer, CancellationToken.None).ConfigureAwait(false)).ExecutionTime;
            analyzerTime += time;
            perAnalyzer.Add(string.Create(CultureInfo.InvariantCulture, $"{analyzer.GetType().Name}={time.TotalSeconds:F3}"));
        }

        var sources = trees.ToDictionary(t => t.FilePath, t => t.GetText());
        int reports = 0;
        foreach (Diagnostic diagnostic in diagnostics
            .Where(d => d.Id is "PDL001" or "PDL017" or "AD0001")
            .OrderBy(d => d.Location.GetLineSpan().Path, StringComparer.Ordinal)
            .ThenBy(d => d.Location.GetLineSpan().StartLinePosition.Line))
        {
            if (diagnostic.Id == "AD0001")
            {
                crashes.Add(diagnostic.GetMessage(CultureInfo.InvariantCulture));
                continue;
            }

            FileLinePositionSpan span = diagnostic.Location.GetLineSpan();
            if (OnlyTests && !IsTestPath(span.Path))
            {
                continue;
            }

            string snippet = Snippet(span, sources, additional);
            reports++;
            Console.WriteLine(string.Join('\t',
                diagnostic.Id, repo, commit, span.Path,
                (span.StartLinePosition.Line + 1).ToString(CultureInfo.InvariantCulture),
                (span.StartLinePosition.Character + 1).ToString(CultureInfo.InvariantCulture),
                snippet));
        }

        foreach (string crash in crashes)
        {
            Console.WriteLine(string.Join('\t', "AD0001", repo, commit, "-", "0", "0", crash.Replace('\t', ' ').Replace('\n', ' ')));
        }

        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{repo}\tfiles={trees.Count - 2}\tconfig={additional.Length}\treports={reports}\tcrashes={crashes.Count}\tanalyzer_s={analyzerTime.TotalSeconds:F3}\twall_s={clock.Elapsed.TotalSeconds:F3}\tanalyzer_ms_per_1000_files={(trees.Count > 2 ? analyzerTime.TotalMilliseconds * 1000 / (trees.Count - 2) : 0):F0}\t{string.Join('\t', perAnalyzer)}"));
        return 0;
    }

    /// <summary>
    /// The stub namespaces the repository does not declare itself (IdentityServer4's own source
    /// declares <c>IdentityServer4.Models</c>; a stub beside it would make the type ambiguous).
    /// </summary>
    private static string StubsNotDeclaredIn(List<SyntaxTree> trees)
    {
        var declared = new HashSet<string>(StringComparer.Ordinal);
        foreach (SyntaxTree tree in trees)
        {
            foreach (var ns in tree.GetRoot().DescendantNodes(n => n is Microsoft.CodeAnalysis.CSharp.Syntax.CompilationUnitSyntax or Microsoft.CodeAnalysis.CSharp.Syntax.BaseNamespaceDeclarationSyntax)
                .OfType<Microsoft.CodeAnalysis.CSharp.Syntax.BaseNamespaceDeclarationSyntax>())
            {
                declared.Add(ns.Name.ToString());
            }
        }

        var kept = new System.Text.StringBuilder();
        bool keep = true;
        foreach (string line in Peddler.Analyzers.Tests.Stubs.Source.Split('\n'))
        {
            if (line.StartsWith("namespace ", StringComparison.Ordinal))
            {
                keep = !declared.Contains(line["namespace ".Length..].Trim());
            }

            if (keep || line.StartsWith("#nullable", StringComparison.Ordinal))
            {
                kept.Append(line).Append('\n');
            }
        }

        return kept.ToString();
    }

    /// <summary>
    /// The ASP.NET Core reference assemblies of the SDK running this tool (<c>packs/Microsoft.AspNetCore.App.Ref</c>),
    /// so that web apps' <c>OpenIdConnectOptions.ClientSecret</c> and the like resolve; none when absent.
    /// </summary>
    private static List<MetadataReference> AspNetCoreReferences()
    {
        string root = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(typeof(object).Assembly.Location)!, "..", "..", ".."));
        string packs = Path.Combine(root, "packs", "Microsoft.AspNetCore.App.Ref");
        if (!Directory.Exists(packs))
        {
            return [];
        }

        string? refs = Directory.GetDirectories(packs).OrderBy(d => d, StringComparer.Ordinal)
            .Select(d => Path.Combine(d, "ref", "net10.0")).LastOrDefault(Directory.Exists);
        return refs is null ? [] : Directory.GetFiles(refs, "*.dll").Select(f => (MetadataReference)MetadataReference.CreateFromFile(f)).ToList();
    }

    private static bool IsConfigurationFile(string name) =>
        name.Equals("launchSettings.json", StringComparison.OrdinalIgnoreCase)
        || (name.StartsWith("appsettings", StringComparison.OrdinalIgnoreCase) && name.EndsWith(".json", StringComparison.OrdinalIgnoreCase));

    private static string Snippet(FileLinePositionSpan span, Dictionary<string, SourceText> sources, ImmutableArray<AdditionalText> additional)
    {
        SourceText? text = sources.GetValueOrDefault(span.Path)
            ?? additional.FirstOrDefault(a => a.Path == span.Path)?.GetText();
        if (text is null || span.StartLinePosition.Line >= text.Lines.Count)
        {
            return string.Empty;
        }

        string line = text.Lines[span.StartLinePosition.Line].ToString().Trim().Replace('\t', ' ');
        return line.Length > 160 ? line[..160] + "…" : line;
    }

    /// <summary>An additional file read from disk, reported under its repository-relative path.</summary>
    private sealed class FileText(string fullPath, string relativePath) : AdditionalText
    {
        public override string Path => relativePath;

        public override SourceText GetText(CancellationToken cancellationToken = default) => SourceText.From(File.ReadAllText(fullPath));
    }
}
