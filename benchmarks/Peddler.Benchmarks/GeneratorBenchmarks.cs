using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using BenchmarkDotNet.Attributes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Peddler.Benchmarks.Support;
using Peddler.Generators;

namespace Peddler.Benchmarks;

/// <summary>
/// Group 5, the generator: a synthetic compilation of 2,000 files with 200 <c>[PeddlerClient]</c>
/// classes. <see cref="FullRun"/> is a first run on a new compilation; <see cref="RerunAfterUnrelatedEdit"/>
/// is the run an IDE or a compiler server makes after one keystroke in a file without the attribute.
/// Setup proves, with step tracking on, that every tracked step of that rerun is cached; the
/// measured runs have tracking off, as in the compiler.
/// </summary>
[MemoryDiagnoser]
public class GeneratorBenchmarks
{
    // The tracked steps of the generator (Peddler.Generators.TrackingNames is internal to the tests).
    private static readonly string[] PeddlerSteps = ["Clients", "ValidClients", "JsonContextName", "AnyClient"];

    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.CSharp12);

    private SyntaxTree[] _trees = null!;
    private MetadataReference[] _references = null!;
    private CSharpCompilationOptions _options = null!;
    private CSharpCompilation _compilation = null!;
    private SyntaxTree _unrelated = null!;
    private SyntaxTree _edited = null!;
    private GeneratorDriver _warmDriver = null!;
    private GeneratorDriver _warmFloorDriver = null!;

    [GlobalSetup]
    public void Setup()
    {
        _trees = SyntheticConsumer.Files()
            .Select(f => CSharpSyntaxTree.ParseText(f.Text, ParseOptions, path: f.Path))
            .ToArray();
        _references = Basic.Reference.Assemblies.Net100.References.All
            .Append(MetadataReference.CreateFromFile(typeof(PeddlerClientOptions).Assembly.Location))
            .ToArray();
        _options = new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable);
        _compilation = NewCompilation();
        _unrelated = _trees[SyntheticConsumer.UnrelatedFile];
        _edited = CSharpSyntaxTree.ParseText(
            SyntheticConsumer.Source(SyntheticConsumer.UnrelatedFile, edited: true), ParseOptions, path: _unrelated.FilePath);

        VerifyRerunIsCached();
        _warmDriver = CreateDriver(trackSteps: false).RunGenerators(_compilation);
        _warmFloorDriver = CreateDriver(new FloorGenerator()).RunGenerators(_compilation);
    }

    /// <summary>A first generator run over a new compilation of the 2,000 files.</summary>
    [Benchmark(Baseline = true)]
    public GeneratorDriver FullRun() => CreateDriver(trackSteps: false).RunGenerators(NewCompilation());

    /// <summary>The run after one ordinary file changed (the new compilation derives from the old one, as in an IDE).</summary>
    [Benchmark]
    public GeneratorDriver RerunAfterUnrelatedEdit() => _warmDriver.RunGenerators(_compilation.ReplaceSyntaxTree(_unrelated, _edited));

    /// <summary>The rerun when nothing changed at all (the same compilation): the cost of the driver's bookkeeping.</summary>
    [Benchmark]
    public GeneratorDriver RerunWithoutEdit() => _warmDriver.RunGenerators(_compilation);

    /// <summary>
    /// The floor of any <c>ForAttributeWithMetadataName</c> generator: the same attribute search with a
    /// transform that only reads the class name, and no output. Its full run and rerun are what Roslyn
    /// itself costs; ours minus the floor is the Peddler parser and emitter.
    /// </summary>
    [Benchmark]
    public GeneratorDriver FloorFullRun() => CreateDriver(new FloorGenerator()).RunGenerators(NewCompilation());

    /// <inheritdoc cref="FloorFullRun"/>
    [Benchmark]
    public GeneratorDriver FloorRerunAfterUnrelatedEdit() => _warmFloorDriver.RunGenerators(_compilation.ReplaceSyntaxTree(_unrelated, _edited));

    private CSharpCompilation NewCompilation() => CSharpCompilation.Create("Consumer", _trees, _references, _options);

    private static CSharpGeneratorDriver CreateDriver(bool trackSteps) => CreateDriver(new PeddlerClientGenerator(), trackSteps);

    private static CSharpGeneratorDriver CreateDriver(IIncrementalGenerator generator, bool trackSteps = false) =>
        CSharpGeneratorDriver.Create(
            [generator.AsSourceGenerator()],
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackSteps));

    /// <summary>Finds [PeddlerClient] classes exactly as our generator does, then does nothing with them.</summary>
    private sealed class FloorGenerator : IIncrementalGenerator
    {
        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            IncrementalValuesProvider<string> names = context.SyntaxProvider.ForAttributeWithMetadataName(
                PeddlerClientGenerator.AttributeMetadataName,
                predicate: static (node, _) => node is Microsoft.CodeAnalysis.CSharp.Syntax.ClassDeclarationSyntax,
                transform: static (ctx, _) => ctx.TargetSymbol.Name);
            context.RegisterSourceOutput(names, static (_, _) => { });
        }
    }

    /// <summary>
    /// Runs once with step tracking, edits the unrelated file, reruns, and fails unless the first
    /// run generated one file per annotated class and every output of the generator's own steps
    /// and of its source output in the rerun is Cached or Unchanged. Prints every tracked step.
    /// </summary>
    private void VerifyRerunIsCached()
    {
        GeneratorDriver driver = CreateDriver(trackSteps: true).RunGenerators(_compilation);
        GeneratorRunResult first = driver.GetRunResult().Results.Single();
        // One file per annotated class, plus the JSON context the compilation's clients share.
        int clients = first.GeneratedSources.Count(g => g.HintName.EndsWith(".PeddlerClient.g.cs", StringComparison.Ordinal));
        if (first.Exception is not null || clients != SyntheticConsumer.AnnotatedCount || first.GeneratedSources.Length != clients + 1 || !first.Diagnostics.IsEmpty)
        {
            throw new InvalidOperationException(
                $"The full run generated {first.GeneratedSources.Length} files, {clients} of them clients (expected {SyntheticConsumer.AnnotatedCount} and the shared JSON context), {first.Diagnostics.Length} diagnostics, exception: {first.Exception}");
        }

        GeneratorRunResult rerun = driver.RunGenerators(_compilation.ReplaceSyntaxTree(_unrelated, _edited)).GetRunResult().Results.Single();
        var failures = new List<string>();
        Console.WriteLine("// generator rerun after an unrelated edit, tracked steps (output reasons):");
        foreach (KeyValuePair<string, ImmutableArray<IncrementalGeneratorRunStep>> step in rerun.TrackedSteps.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            string reasons = Describe(step.Value.SelectMany(r => r.Outputs).Select(o => o.Reason));
            bool ours = PeddlerSteps.Contains(step.Key);
            Console.WriteLine($"//   {step.Key}{(ours ? string.Empty : " (Roslyn-internal)")}: {reasons}");
            if (ours && step.Value.SelectMany(r => r.Outputs).Any(o => o.Reason is not (IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged)))
            {
                failures.Add($"{step.Key}: {reasons}");
            }
        }

        foreach (KeyValuePair<string, ImmutableArray<IncrementalGeneratorRunStep>> step in rerun.TrackedOutputSteps)
        {
            string reasons = Describe(step.Value.SelectMany(r => r.Outputs).Select(o => o.Reason));
            Console.WriteLine($"//   output {step.Key}: {reasons}");
            if (step.Value.SelectMany(r => r.Outputs).Any(o => o.Reason != IncrementalStepRunReason.Cached))
            {
                failures.Add($"output {step.Key}: {reasons}");
            }
        }

        foreach (string step in PeddlerSteps)
        {
            if (!rerun.TrackedSteps.ContainsKey(step))
            {
                failures.Add($"{step}: not tracked");
            }
        }

        if (failures.Count > 0)
        {
            throw new InvalidOperationException("The rerun after an unrelated edit was not fully cached: " + string.Join("; ", failures));
        }

        Console.WriteLine("// every Peddler step and output of the rerun is Cached or Unchanged");
    }

    private static string Describe(IEnumerable<IncrementalStepRunReason> reasons) =>
        string.Join(", ", reasons.GroupBy(r => r).OrderBy(g => g.Key).Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Key} {g.Count()}")));
}
