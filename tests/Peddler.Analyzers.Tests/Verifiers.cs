using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;
using Peddler.Generators;

namespace Peddler.Analyzers.Tests;

/// <summary>Runs analyzer and code-fix tests with the .NET 8 references, Peddler.Client and the third-party stubs.</summary>
internal static class Verify
{
    /// <summary>Checks that <paramref name="source"/> produces exactly the diagnostics in its markup.</summary>
    public static Task AnalyzerAsync<TAnalyzer>(string source, string? editorConfig = null, params DiagnosticResult[] expected)
        where TAnalyzer : DiagnosticAnalyzer, new() =>
        AnalyzerAsync<TAnalyzer>(source, editorConfig, [], expected);

    /// <summary>As <see cref="AnalyzerAsync{TAnalyzer}(string, string?, DiagnosticResult[])"/>, with extra metadata references.</summary>
    public static Task AnalyzerAsync<TAnalyzer>(string source, string? editorConfig, MetadataReference[] references, params DiagnosticResult[] expected)
        where TAnalyzer : DiagnosticAnalyzer, new()
    {
        var test = new CSharpAnalyzerTest<TAnalyzer, DefaultVerifier>
        {
            TestCode = source,
            ReferenceAssemblies = TestEnvironment.ReferenceAssemblies,
        };
        Configure(test.TestState, editorConfig);
        test.TestState.AdditionalReferences.AddRange(references);
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync(CancellationToken.None);
    }

    /// <summary>
    /// As <see cref="AnalyzerAsync{TAnalyzer}(string, string?, DiagnosticResult[])"/> for code that does not
    /// compile (types of packages that are not referenced): the compiler's errors are not checked.
    /// </summary>
    public static Task AnalyzerIgnoringCompilerErrorsAsync<TAnalyzer>(string source, params DiagnosticResult[] expected)
        where TAnalyzer : DiagnosticAnalyzer, new()
    {
        var test = new CSharpAnalyzerTest<TAnalyzer, DefaultVerifier>
        {
            TestCode = source,
            ReferenceAssemblies = TestEnvironment.ReferenceAssemblies,
            CompilerDiagnostics = CompilerDiagnostics.None,
        };
        Configure(test.TestState, null);
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync(CancellationToken.None);
    }

    /// <summary>
    /// As <see cref="AnalyzerAsync{TAnalyzer}(string, string?, DiagnosticResult[])"/>, with the generator
    /// running beside the analyzer as in a build and in the IDE: the class-shape rules (PDL012–PDL015)
    /// are the generator's, so the markup holds what the user sees from both, each exactly once.
    /// </summary>
    public static Task AnalyzerWithGeneratorAsync<TAnalyzer>(string source, params DiagnosticResult[] expected)
        where TAnalyzer : DiagnosticAnalyzer, new()
    {
        var test = new AnalyzerWithGeneratorTest<TAnalyzer>
        {
            TestCode = source,
            ReferenceAssemblies = TestEnvironment.ReferenceAssemblies,
        };
        ConfigureGenerator(test);
        Configure(test.TestState, null);
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync(CancellationToken.None);
    }

    /// <summary>Checks that <paramref name="files"/> (additional files: path and text) produce exactly <paramref name="expected"/>.</summary>
    public static Task AdditionalFilesAsync<TAnalyzer>((string Path, string Text)[] files, string? editorConfig, params DiagnosticResult[] expected)
        where TAnalyzer : DiagnosticAnalyzer, new()
    {
        var test = new CSharpAnalyzerTest<TAnalyzer, DefaultVerifier>
        {
            TestCode = "class Program { }",
            ReferenceAssemblies = TestEnvironment.ReferenceAssemblies,
        };
        Configure(test.TestState, editorConfig);
        foreach ((string path, string text) in files)
        {
            test.TestState.AdditionalFiles.Add((path, Microsoft.CodeAnalysis.Text.SourceText.From(text)));
        }

        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync(CancellationToken.None);
    }

    /// <summary>Checks that the fix with <paramref name="equivalenceKey"/> turns <paramref name="source"/> into <paramref name="fixedSource"/>.</summary>
    public static Task CodeFixAsync<TAnalyzer, TCodeFix>(string source, string fixedSource, string? equivalenceKey = null, params DiagnosticResult[] expected)
        where TAnalyzer : DiagnosticAnalyzer, new()
        where TCodeFix : CodeFixProvider, new()
    {
        var test = new CSharpCodeFixTest<TAnalyzer, TCodeFix, DefaultVerifier>
        {
            TestCode = source,
            FixedCode = fixedSource,
            ReferenceAssemblies = TestEnvironment.ReferenceAssemblies,
            CodeActionEquivalenceKey = equivalenceKey,
        };
        Configure(test.TestState, null);
        Configure(test.FixedState, null);
        test.ExpectedDiagnostics.AddRange(expected);
        if (source == fixedSource)
        {
            // No fix is offered: nothing may change.
            test.NumberOfIncrementalIterations = 0;
            test.NumberOfFixAllIterations = 0;
        }

        return test.RunAsync(CancellationToken.None);
    }

    /// <summary>
    /// As <see cref="CodeFixAsync{TAnalyzer, TCodeFix}(string, string, string?, DiagnosticResult[])"/>,
    /// with the generator running beside the analyzer: the fix is offered on the generator's diagnostic.
    /// </summary>
    public static Task CodeFixWithGeneratorAsync<TAnalyzer, TCodeFix>(string source, string fixedSource, params DiagnosticResult[] expected)
        where TAnalyzer : DiagnosticAnalyzer, new()
        where TCodeFix : CodeFixProvider, new()
    {
        var test = new CodeFixWithGeneratorTest<TAnalyzer, TCodeFix>
        {
            TestCode = source,
            FixedCode = fixedSource,
            ReferenceAssemblies = TestEnvironment.ReferenceAssemblies,
        };
        ConfigureGenerator(test);
        Configure(test.TestState, null);
        Configure(test.FixedState, null);
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync(CancellationToken.None);
    }

    /// <summary>
    /// The generated clients are the output tests' subject (tests/Peddler.Generators.Tests), not these
    /// tests'; and the compiler's own CS0260, which accompanies PDL012/PDL015 when the generator
    /// completes a class that is not partial, is checked there too (one-mistake-one-error tests).
    /// </summary>
    private static void ConfigureGenerator<TVerifier>(AnalyzerTest<TVerifier> test)
        where TVerifier : IVerifier, new()
    {
        test.TestBehaviors |= TestBehaviors.SkipGeneratedSourcesCheck;
        test.CompilerDiagnostics = CompilerDiagnostics.None;
    }

    private sealed class AnalyzerWithGeneratorTest<TAnalyzer> : CSharpAnalyzerTest<TAnalyzer, DefaultVerifier>
        where TAnalyzer : DiagnosticAnalyzer, new()
    {
        protected override IEnumerable<Type> GetSourceGenerators() => [typeof(PeddlerClientGenerator)];
    }

    private sealed class CodeFixWithGeneratorTest<TAnalyzer, TCodeFix> : CSharpCodeFixTest<TAnalyzer, TCodeFix, DefaultVerifier>
        where TAnalyzer : DiagnosticAnalyzer, new()
        where TCodeFix : CodeFixProvider, new()
    {
        protected override IEnumerable<Type> GetSourceGenerators() => [typeof(PeddlerClientGenerator)];
    }

    private static void Configure(SolutionState state, string? editorConfig)
    {
        state.AdditionalReferences.Add(TestEnvironment.PeddlerClient);
        state.Sources.Add(("/0/Stubs.cs", Stubs.Source));
        if (editorConfig is not null)
        {
            // A global config (is_global = true) carries build properties; an .editorconfig applies to files.
            string path = editorConfig.StartsWith("is_global", System.StringComparison.Ordinal) ? "/.globalconfig" : "/.editorconfig";
            state.AnalyzerConfigFiles.Add((path, editorConfig));
        }
    }
}
