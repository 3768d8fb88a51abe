using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Peddler.CodeFixes;
using Xunit;

namespace Peddler.Analyzers.Tests;

/// <summary>Every rule is documented, tracked in the release files and linked from its descriptor.</summary>
public class DocumentationTests
{
    public static TheoryData<string> Ids => new(Descriptors().Select(d => d.Id));

    private static string DocsFolder => Path.Combine(TestEnvironment.RepoRoot, "docs", "diagnostics");

    [Fact]
    public void Every_descriptor_is_reported_by_exactly_one_component_and_ids_are_unique()
    {
        var declared = Descriptors().Select(d => d.Id).ToList();
        var supported = AnalyzerRunner.AllAnalyzers.SelectMany(a => a.SupportedDiagnostics).Select(d => d.Id).ToList();

        // The generator has no SupportedDiagnostics: what it reports is read from a class with every shape mistake.
        (var generated, Exception? exception) = AnalyzerRunner.RunGenerator(
            """public class Outer { [Peddler.PeddlerClient(Environment = "Dev", Scopes = "DEFAULT authenticated 1")] public static class C<T> { } }""");
        Assert.Null(exception);
        var fromGenerator = generated.Select(d => d.Id).Distinct().ToList();
        Assert.Equal(["PDL012", "PDL013", "PDL014", "PDL015"], fromGenerator.OrderBy(i => i));

        Assert.Equal(declared.Count, declared.Distinct().Count());
        Assert.Empty(supported.Intersect(fromGenerator));
        Assert.Equal(declared.OrderBy(i => i), supported.Concat(fromGenerator).OrderBy(i => i));
        Assert.Equal(Enumerable.Range(1, declared.Count).Select(i => "PDL" + i.ToString("000", CultureInfo.InvariantCulture)), declared.OrderBy(i => i));
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void Rule_is_documented(string id)
    {
        DiagnosticDescriptor descriptor = Descriptors().Single(d => d.Id == id);
        Assert.Equal($"https://github.com/peddler-generators/Peddler.Generators/blob/main/docs/diagnostics/{id}.md", descriptor.HelpLinkUri);
        Assert.Contains(descriptor.Category, new[] { DiagnosticDescriptors.Categories.Security, DiagnosticDescriptors.Categories.Usage });

        string page = File.ReadAllText(Path.Combine(DocsFolder, id + ".md"));
        Assert.StartsWith($"# {id}: {descriptor.Title}", page, StringComparison.Ordinal);
        Assert.Contains("## Non-compliant code", page, StringComparison.Ordinal);
        Assert.Contains("## Compliant code", page, StringComparison.Ordinal);
        Assert.Contains("## How to configure / suppress", page, StringComparison.Ordinal);
        Assert.Contains($"| Severity | {descriptor.DefaultSeverity} |", page, StringComparison.Ordinal);
        Assert.Contains($"| Category | {descriptor.Category} |", page, StringComparison.Ordinal);

        string index = File.ReadAllText(Path.Combine(DocsFolder, "README.md"));
        Assert.Contains($"| [{id}]({id}.md) | {descriptor.DefaultSeverity} | {descriptor.Category} | {descriptor.Title} |", index, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void Rule_is_release_tracked(string id)
    {
        DiagnosticDescriptor descriptor = Descriptors().Single(d => d.Id == id);
        string unshipped = File.ReadAllText(Path.Combine(TestEnvironment.RepoRoot, "src", "Peddler.Analyzers", "AnalyzerReleases.Unshipped.md"));
        Assert.Contains($"{id} | {descriptor.Category} | {descriptor.DefaultSeverity} |", unshipped, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void Message_format_is_valid_and_tells_what_to_do(string id)
    {
        DiagnosticDescriptor descriptor = Descriptors().Single(d => d.Id == id);
        string message = string.Format(CultureInfo.InvariantCulture, descriptor.MessageFormat.ToString(CultureInfo.InvariantCulture), "a", "b", "c");
        Assert.DoesNotContain("{", message.Replace("{CarrierId}", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains(';', message);
    }

    [Fact]
    public void Documented_options_match_the_analyzer()
    {
        string page = File.ReadAllText(Path.Combine(DocsFolder, "PDL001.md"));
        string index = File.ReadAllText(Path.Combine(DocsFolder, "README.md"));
        foreach (string key in new[] { SecretOptions.AdditionalSinkNamesKey, SecretOptions.AdditionalPlaceholderPatternsKey, SecretOptions.AnalyzeTestProjectsKey })
        {
            Assert.Contains(key, page, StringComparison.Ordinal);
            Assert.Contains(key, index, StringComparison.Ordinal);
        }

        foreach (string pattern in SecretValues.PlaceholderPatterns)
        {
            Assert.Contains(pattern, page, StringComparison.Ordinal);
        }

        foreach (string fragment in SecretValues.PlaceholderFragments.Concat(SecretValues.PlaceholderWordsInValue).Concat(SecretValues.PlaceholderPrefixes).Concat(SecretValues.PlaceholderWords))
        {
            Assert.Contains("`" + fragment + "`", page, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Code_fixes_fix_known_rules()
    {
        var ids = Descriptors().Select(d => d.Id).ToHashSet();
        CodeFixProvider[] providers =
        [
            new HardCodedSecretCodeFixProvider(),
            new ScopesCodeFixProvider(),
            new MakePartialCodeFixProvider(),
            new InsecureTokenEndpointCodeFixProvider(),
        ];
        foreach (CodeFixProvider provider in providers)
        {
            Assert.NotEmpty(provider.FixableDiagnosticIds);
            Assert.All(provider.FixableDiagnosticIds, id => Assert.Contains(id, ids));
        }
    }

    private static IEnumerable<DiagnosticDescriptor> Descriptors() =>
        typeof(DiagnosticDescriptors)
            .GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
            .Select(f => (DiagnosticDescriptor)f.GetValue(null)!);
}
