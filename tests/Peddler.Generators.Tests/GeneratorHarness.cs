using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

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

    public static IEnumerable<MetadataReference> References(TargetRuntime runtime) => runtime switch
    {
        TargetRuntime.Net80 => Basic.Reference.Assemblies.Net80.References.All
            .Append<MetadataReference>(MetadataReference.CreateFromFile(Net8Client)),
        _ => Basic.Reference.Assemblies.Net100.References.All
            .Append<MetadataReference>(MetadataReference.CreateFromFile(Net10Client)),
    };

    public static CSharpCompilation Compile(TargetRuntime runtime, params string[] sources) =>
        CSharpCompilation.Create(
            "Consumer",
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, Parse, path: $"Source{i}.cs")),
            References(runtime),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    public static CSharpParseOptions Parse { get; } = new(LanguageVersion.CSharp12);

    public static GeneratorDriver CreateDriver(bool trackSteps = false) =>
        CSharpGeneratorDriver.Create(
            new[] { new PeddlerClientGenerator().AsSourceGenerator() },
            parseOptions: Parse,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackSteps));

    /// <summary>Runs the generator; returns its result and the compilation with the generated sources added.</summary>
    public static (GeneratorDriverRunResult Result, Compilation Output) Run(TargetRuntime runtime, params string[] sources)
    {
        CSharpCompilation input = Compile(runtime, sources);
        GeneratorDriver driver = CreateDriver().RunGeneratorsAndUpdateCompilation(input, out Compilation output, out ImmutableArray<Diagnostic> _);
        return (driver.GetRunResult(), output);
    }

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
