using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Peddler.Generators.Tests;

/// <summary>The reference assemblies a consumer compiles against.</summary>
public enum TargetRuntime
{
    Net80,
    Net100,
}

/// <summary>Runs the generator over source text as a consumer's compilation would.</summary>
internal static class GeneratorHarness
{
    private static readonly string Net10Client = typeof(PeddlerClientOptions).Assembly.Location;

    private static readonly string Net8Client =
        Path.Combine(AppContext.BaseDirectory, "net8.0-ref", "Peddler.Client.dll");

    /// <summary>Every analyzer the package ships (PDL001-…), as a user's build runs them.</summary>
    public static ImmutableArray<DiagnosticAnalyzer> Analyzers { get; } = typeof(Peddler.Analyzers.PeddlerClientAttributeAnalyzer).Assembly
        .GetTypes()
        .Where(t => !t.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(t))
        .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!)
        .ToImmutableArray();

    public static IEnumerable<MetadataReference> References(TargetRuntime runtime) => runtime switch
    {
        TargetRuntime.Net80 => Basic.Reference.Assemblies.Net80.References.All
            .Append<MetadataReference>(MetadataReference.CreateFromFile(Net8Client)),
        _ => Basic.Reference.Assemblies.Net100.References.All
            .Append<MetadataReference>(MetadataReference.CreateFromFile(Net10Client)),
    };

    public static CSharpCompilation Compile(TargetRuntime runtime, params string[] sources) =>
        Compile("Consumer", runtime, [], sources);

    public static CSharpCompilation Compile(string assemblyName, TargetRuntime runtime, IEnumerable<MetadataReference> extra, params string[] sources) =>
        CSharpCompilation.Create(
            assemblyName,
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, Parse, path: $"Source{i}.cs")),
            References(runtime).Concat(extra),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    /// <summary>C# 12: what the .NET 8 SDK (Roslyn 4.8) compiles, so generated code must stay within it.</summary>
    public static CSharpParseOptions Parse { get; } = new(LanguageVersion.CSharp12);

    public static GeneratorDriver CreateDriver(bool trackSteps = false) =>
        CSharpGeneratorDriver.Create(
            new[] { new PeddlerClientGenerator().AsSourceGenerator() },
            parseOptions: Parse,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackSteps));

    /// <summary>Runs the generator; returns its result and the compilation with the generated sources added.</summary>
    public static (GeneratorDriverRunResult Result, Compilation Output) Run(TargetRuntime runtime, params string[] sources) =>
        Run(Compile(runtime, sources));

    /// <summary>Runs the generator over <paramref name="input"/>.</summary>
    public static (GeneratorDriverRunResult Result, Compilation Output) Run(CSharpCompilation input)
    {
        GeneratorDriver driver = CreateDriver().RunGeneratorsAndUpdateCompilation(input, out Compilation output, out ImmutableArray<Diagnostic> _);
        return (driver.GetRunResult(), output);
    }

    /// <summary>
    /// Every diagnostic of a build with the generator and the analyzers, in the order the C# compiler
    /// reports them (CommonCompiler.CompileAndEmit): parse errors (and stop), the generators'
    /// diagnostics, declaration diagnostics (and stop on an error), method bodies, then analyzers.
    /// </summary>
    public static IReadOnlyList<Diagnostic> Build(TargetRuntime runtime, params string[] sources)
    {
        CSharpCompilation input = Compile(runtime, sources);
        var reported = new List<Diagnostic>(input.GetParseDiagnostics());
        if (reported.Any(IsError))
        {
            return reported;
        }

        CreateDriver().RunGeneratorsAndUpdateCompilation(input, out Compilation output, out ImmutableArray<Diagnostic> generatorDiagnostics);
        reported.AddRange(generatorDiagnostics);
        reported.AddRange(output.GetDeclarationDiagnostics());
        if (reported.Any(IsError))
        {
            return reported;
        }

        reported.AddRange(output.GetMethodBodyDiagnostics());
        reported.AddRange(output.WithAnalyzers(Analyzers).GetAnalyzerDiagnosticsAsync(CancellationToken.None).GetAwaiter().GetResult());
        return reported;
    }

    /// <summary>
    /// Every diagnostic the IDE lists for the project: it runs the generator and every analyzer over
    /// the whole project and shows all they report, whether or not the build would stop at an error.
    /// Diagnostics silenced by <c>#pragma</c> come back from the generator driver marked as suppressed
    /// (the command-line compiler does not print them either) and are left out.
    /// </summary>
    public static IReadOnlyList<Diagnostic> Ide(TargetRuntime runtime, params string[] sources)
    {
        CreateDriver().RunGeneratorsAndUpdateCompilation(Compile(runtime, sources), out Compilation output, out ImmutableArray<Diagnostic> generatorDiagnostics);
        var reported = new List<Diagnostic>(generatorDiagnostics);
        reported.AddRange(output.GetDiagnostics());
        reported.AddRange(output.WithAnalyzers(Analyzers).GetAnalyzerDiagnosticsAsync(CancellationToken.None).GetAwaiter().GetResult());
        return reported.Where(d => !d.IsSuppressed).ToList();
    }

    /// <summary>Whether the diagnostic fails the build.</summary>
    public static bool IsError(Diagnostic diagnostic) => diagnostic.Severity == DiagnosticSeverity.Error || diagnostic.IsWarningAsError;

    /// <summary>Fails with every error and warning of the compilation, if it has any.</summary>
    public static void AssertNoProblems(Compilation compilation)
    {
        string[] problems = Problems(compilation);
        Xunit.Assert.True(problems.Length == 0, string.Join(Environment.NewLine, problems));
    }

    /// <summary>Errors and warnings of a compilation, as readable lines.</summary>
    public static string[] Problems(Compilation compilation) =>
        compilation.GetDiagnostics()
            .Where(d => d.Severity >= DiagnosticSeverity.Warning)
            .Select(d => d.ToString())
            .ToArray();
}
