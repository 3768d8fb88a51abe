using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Peddler.Analyzers.Tests;

/// <summary>
/// Runs every Peddler analyzer over a compilation directly (no test framework), collecting
/// diagnostics and any exception an analyzer throws. References are the running .NET's own
/// assemblies plus Peddler.Client, so that broken sources compile as far as they can.
/// </summary>
internal static class AnalyzerRunner
{
    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
    {
        string trusted = (string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!;
        return trusted.Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(p) is "mscorlib.dll" or "netstandard.dll")
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .Append(TestEnvironment.PeddlerClient)
            .ToImmutableArray();
    });

    /// <summary>Every analyzer the package ships.</summary>
    public static ImmutableArray<DiagnosticAnalyzer> AllAnalyzers { get; } = ImmutableArray.Create<DiagnosticAnalyzer>(
        new HardCodedSecretAnalyzer(),
        new PeddlerClientAttributeAnalyzer(),
        new InsecureTokenEndpointAnalyzer(),
        new ConfigurationSecretAnalyzer());

    /// <summary>The outcome of one run.</summary>
    public sealed record Result(ImmutableArray<Diagnostic> Diagnostics, IReadOnlyList<string> Exceptions, ImmutableArray<Diagnostic> CompilerDiagnostics);

    /// <summary>Analyzes <paramref name="sources"/> with every analyzer.</summary>
    public static Result Run(params string[] sources) => Run(null, sources);

    /// <summary>Analyzes <paramref name="sources"/> with every analyzer and the given global options.</summary>
    public static Result Run(IReadOnlyDictionary<string, string>? globalOptions, params string[] sources) =>
        Run(AllAnalyzers, globalOptions, sources);

    /// <summary>Analyzes <paramref name="sources"/> with <paramref name="analyzers"/>.</summary>
    public static Result Run(ImmutableArray<DiagnosticAnalyzer> analyzers, IReadOnlyDictionary<string, string>? globalOptions, params string[] sources)
    {
        var parseOptions = new CSharpParseOptions(LanguageVersion.Latest);
        var trees = sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, parseOptions, path: $"/src/File{i}.cs")).ToArray();
        var compilation = CSharpCompilation.Create(
            "Probe",
            trees.Append(CSharpSyntaxTree.ParseText(Stubs.Source, parseOptions, path: "/src/Stubs.cs")),
            References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        var exceptions = new ConcurrentQueue<string>();
        var options = new CompilationWithAnalyzersOptions(
            new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty, new GlobalOptionsProvider(globalOptions ?? new Dictionary<string, string>())),
            onAnalyzerException: (exception, analyzer, diagnostic) => exceptions.Enqueue($"{analyzer.GetType().Name}: {exception}"),
            concurrentAnalysis: true,
            logAnalyzerExecutionTime: false,
            reportSuppressedDiagnostics: false);
        var withAnalyzers = compilation.WithAnalyzers(analyzers, options);
        ImmutableArray<Diagnostic> diagnostics = withAnalyzers.GetAnalyzerDiagnosticsAsync(CancellationToken.None).GetAwaiter().GetResult();
        return new Result(diagnostics, exceptions.ToList(), compilation.GetDiagnostics());
    }

    /// <summary>
    /// Runs the generator (which reports PDL012–PDL015) over <paramref name="sources"/>, compiled as
    /// <see cref="Run(string[])"/> compiles them; returns its diagnostics and any exception it threw.
    /// </summary>
    public static (ImmutableArray<Diagnostic> Diagnostics, Exception? Exception) RunGenerator(params string[] sources)
    {
        var parseOptions = new CSharpParseOptions(LanguageVersion.Latest);
        var compilation = CSharpCompilation.Create(
            "Probe",
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, parseOptions, path: $"/src/File{i}.cs")),
            References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        GeneratorRunResult run = CSharpGeneratorDriver.Create([new Peddler.Generators.PeddlerClientGenerator().AsSourceGenerator()], parseOptions: parseOptions)
            .RunGenerators(compilation)
            .GetRunResult()
            .Results
            .Single();
        return (run.Diagnostics, run.Exception);
    }

    private sealed class GlobalOptionsProvider(IReadOnlyDictionary<string, string> values) : AnalyzerConfigOptionsProvider
    {
        private readonly Options _options = new(values);

        public override AnalyzerConfigOptions GlobalOptions => _options;

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => _options;

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => _options;

        private sealed class Options(IReadOnlyDictionary<string, string> values) : AnalyzerConfigOptions
        {
            public override bool TryGetValue(string key, out string value)
            {
                if (values.TryGetValue(key, out string? found))
                {
                    value = found;
                    return true;
                }

                value = null!;
                return false;
            }
        }
    }
}
