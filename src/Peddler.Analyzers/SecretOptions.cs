using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Peddler.Analyzers;

/// <summary>
/// The <c>.editorconfig</c> options of PDL001. Read per syntax tree (an <c>[*.cs]</c> section),
/// falling back to global options (<c>.globalconfig</c>).
/// </summary>
internal sealed class SecretOptions
{
    /// <summary>Comma-separated extra sink names, matched after normalisation (case, <c>_</c>, <c>-</c> ignored).</summary>
    public const string AdditionalSinkNamesKey = "peddler.PDL001.additional_sink_names";

    /// <summary>Comma-separated extra placeholder regular expressions (case-insensitive; write a comma inside a pattern as <c>\x2C</c>).</summary>
    public const string AdditionalPlaceholderPatternsKey = "peddler.PDL001.additional_placeholder_patterns";

    /// <summary><c>true</c> to analyse test projects too (default <c>false</c>).</summary>
    public const string AnalyzeTestProjectsKey = "peddler.PDL001.analyze_test_projects";

    /// <summary>The defaults.</summary>
    public static readonly SecretOptions Default = new(new HashSet<string>(StringComparer.Ordinal), [], analyzeTestProjects: false);

    private static readonly ConcurrentDictionary<(string?, string?, string?), SecretOptions> Cache = new();

    private SecretOptions(HashSet<string> additionalSinkNames, Regex[] placeholderPatterns, bool analyzeTestProjects)
    {
        AdditionalSinkNames = additionalSinkNames;
        PlaceholderPatterns = placeholderPatterns;
        AnalyzeTestProjects = analyzeTestProjects;
    }

    /// <summary>Normalised extra sink names.</summary>
    public HashSet<string> AdditionalSinkNames { get; }

    /// <summary>Extra placeholder patterns.</summary>
    public Regex[] PlaceholderPatterns { get; }

    /// <summary>Whether test projects are analysed.</summary>
    public bool AnalyzeTestProjects { get; }

    /// <summary>
    /// The one cheap pre-check of PDL001, run before any word rule: whether <paramref name="name"/>
    /// can name a sink at all — it has the word <c>secret</c> (the built-in names, see
    /// <see cref="SecretNames.Classify"/>) or it is a configured name. Every name and key (a property,
    /// a parameter, a tuple element, a dictionary key, a form or JSON key) passes here first.
    /// </summary>
    public bool MayNameSink(string? name) =>
        name is not null && (name.IndexOf(SecretNames.Word, StringComparison.OrdinalIgnoreCase) >= 0 || IsAdditionalSinkName(name));

    /// <summary>
    /// The pre-check of <see cref="MayNameSink"/> for text (a form body, a query string, JSON): whether
    /// one of its keys (a run of letters, digits, <c>_ - .</c>) may name a sink.
    /// </summary>
    public bool MayMentionSink(string? text)
    {
        if (text is null)
        {
            return false;
        }

        if (text.IndexOf(SecretNames.Word, StringComparison.OrdinalIgnoreCase) >= 0)
        {
            return true;
        }

        if (AdditionalSinkNames.Count == 0)
        {
            return false;
        }

        foreach ((int start, int end) in SecretNames.KeyRuns(text))
        {
            if (IsAdditionalSinkName(text.Substring(start, end - start)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether <paramref name="name"/> is one of the configured sink names (after normalisation).</summary>
    public bool IsAdditionalSinkName(string name) =>
        AdditionalSinkNames.Count > 0 && AdditionalSinkNames.Contains(SecretNames.Normalize(name));

    /// <summary>Reads the options that apply to <paramref name="tree"/>.</summary>
    public static SecretOptions For(AnalyzerOptions options, SyntaxTree tree) =>
        For(options.AnalyzerConfigOptionsProvider, options.AnalyzerConfigOptionsProvider.GetOptions(tree));

    /// <summary>Reads the options that apply to the additional file <paramref name="file"/>.</summary>
    public static SecretOptions For(AnalyzerOptions options, AdditionalText file) =>
        For(options.AnalyzerConfigOptionsProvider, options.AnalyzerConfigOptionsProvider.GetOptions(file));

    /// <summary>Whether the compilation is a test project that PDL001 / PDL017 skip by default (see <see cref="TestProjects"/>).</summary>
    public static bool IsTestProject(AnalyzerOptions options, Compilation compilation) => TestProjects.IsTestProject(options, compilation);

    private static SecretOptions For(AnalyzerConfigOptionsProvider provider, AnalyzerConfigOptions treeOptions)
    {
        string? sinks = Read(treeOptions, provider.GlobalOptions, AdditionalSinkNamesKey);
        string? patterns = Read(treeOptions, provider.GlobalOptions, AdditionalPlaceholderPatternsKey);
        string? tests = Read(treeOptions, provider.GlobalOptions, AnalyzeTestProjectsKey);
        if (sinks is null && patterns is null && tests is null)
        {
            return Default;
        }

        return Cache.GetOrAdd((sinks, patterns, tests), static key => Parse(key.Item1, key.Item2, key.Item3));
    }

    private static string? Read(AnalyzerConfigOptions tree, AnalyzerConfigOptions global, string key) =>
        tree.TryGetValue(key, out string? value) || global.TryGetValue(key, out value) ? value : null;

    private static SecretOptions Parse(string? sinks, string? patterns, string? tests)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        if (sinks is not null)
        {
            foreach (string name in sinks.Split(','))
            {
                string normalized = SecretNames.Normalize(name.Trim());
                if (normalized.Length > 0)
                {
                    names.Add(normalized);
                }
            }
        }

        Regex[] regexes = patterns is null ? [] : SecretValues.Compile(patterns.Split(','));
        bool analyzeTests = tests is not null && tests.Trim().Equals("true", StringComparison.OrdinalIgnoreCase);
        return new SecretOptions(names, regexes, analyzeTests);
    }
}
