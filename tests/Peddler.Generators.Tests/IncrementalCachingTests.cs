using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace Peddler.Generators.Tests;

public class IncrementalCachingTests
{
    private static readonly string[] TrackedSteps = [TrackingNames.Clients, TrackingNames.ValidClients, TrackingNames.JsonContextName, TrackingNames.AnyClient];

    [Fact]
    public void An_unrelated_edit_leaves_every_tracked_step_cached()
    {
        CSharpCompilation first = GeneratorHarness.Compile(TargetRuntime.Net100, TestSources.FileScopedPublic, TestSources.NestedInternal, "class Unrelated { }");
        GeneratorDriver driver = GeneratorHarness.CreateDriver(trackSteps: true).RunGenerators(first);

        SyntaxTree unrelated = first.SyntaxTrees.Last();
        CSharpCompilation second = first.ReplaceSyntaxTree(
            unrelated, CSharpSyntaxTree.ParseText("class Unrelated { int Edited => 1; }", GeneratorHarness.Parse, unrelated.FilePath));
        GeneratorRunResult rerun = driver.RunGenerators(second).GetRunResult().Results.Single();

        foreach (string step in TrackedSteps)
        {
            IncrementalGeneratorRunStep[] runs = rerun.TrackedSteps[step].ToArray();
            Assert.NotEmpty(runs);
            Assert.All(
                runs.SelectMany(r => r.Outputs),
                output => Assert.True(
                    output.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged,
                    $"{step} was {output.Reason}"));
        }

        Assert.All(
            rerun.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(r => r.Outputs),
            output => Assert.Equal(IncrementalStepRunReason.Cached, output.Reason));
    }

    [Fact]
    public void Editing_the_attribute_regenerates_that_client()
    {
        CSharpCompilation first = GeneratorHarness.Compile(TargetRuntime.Net100, TestSources.FileScopedPublic);
        GeneratorDriver driver = GeneratorHarness.CreateDriver(trackSteps: true).RunGenerators(first);

        SyntaxTree tree = first.SyntaxTrees.Single();
        CSharpCompilation second = first.ReplaceSyntaxTree(
            tree, CSharpSyntaxTree.ParseText(TestSources.FileScopedPublic.Replace("900001", "900009", StringComparison.Ordinal), GeneratorHarness.Parse, tree.FilePath));
        GeneratorRunResult rerun = driver.RunGenerators(second).GetRunResult().Results.Single();

        Assert.Contains(
            rerun.TrackedSteps[TrackingNames.ValidClients].SelectMany(r => r.Outputs),
            output => output.Reason == IncrementalStepRunReason.Modified);
        Assert.Contains("900009", rerun.GeneratedSources.Single(s => s.HintName.EndsWith(".PeddlerClient.g.cs", StringComparison.Ordinal)).SourceText.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_model_holds_no_symbol_syntax_or_compilation()
    {
        CSharpCompilation compilation = GeneratorHarness.Compile(
            TargetRuntime.Net100,
            TestSources.FileScopedPublic,
            TestSources.NestedInternal,
            TestSources.GlobalNamespaceRunTimeCarrier,
            """[Peddler.PeddlerClient(Environment = "Dev", Scopes = "DEFAULT authenticated 1")] public class NotPartial { }""");
        GeneratorRunResult run = GeneratorHarness.CreateDriver(trackSteps: true).RunGenerators(compilation).GetRunResult().Results.Single();

        object[] models = TrackedSteps.Append(TrackingNames.Diagnostics)
            .SelectMany(step => run.TrackedSteps[step])
            .SelectMany(r => r.Outputs)
            .Select(o => o.Value)
            .ToArray();
        // 4 models and 4 valid clients, the JSON context's name, whether any client exists, 1 diagnostics array.
        Assert.Equal(11, models.Length);

        var visited = new HashSet<object>(ReferenceEqualityComparer.Instance);
        foreach (object model in models)
        {
            AssertHoldsNoRoslynObjects(model, "model", visited);
        }
    }

    private static readonly Type[] Forbidden = [typeof(ISymbol), typeof(SyntaxNode), typeof(SyntaxTree), typeof(Compilation), typeof(SemanticModel), typeof(Location)];

    private static void AssertHoldsNoRoslynObjects(object? value, string path, HashSet<object> visited)
    {
        if (value is null || value is string || value.GetType().IsPrimitive || value.GetType().IsEnum || !visited.Add(value))
        {
            return;
        }

        Type type = value.GetType();
        Assert.False(Forbidden.Any(f => f.IsAssignableFrom(type)), $"{path} holds a {type.FullName}");
        if (value is IEnumerable sequence)
        {
            int i = 0;
            foreach (object? item in sequence)
            {
                AssertHoldsNoRoslynObjects(item, $"{path}[{i++}]", visited);
            }
        }

        for (Type? t = type; t is not null && t != typeof(object); t = t.BaseType)
        {
            foreach (FieldInfo field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                AssertHoldsNoRoslynObjects(field.GetValue(value), $"{path}.{field.Name}", visited);
            }
        }
    }
}
