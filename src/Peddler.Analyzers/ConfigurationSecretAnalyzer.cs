using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace Peddler.Analyzers;

/// <summary>
/// PDL017: a client secret in <c>appsettings*.json</c> or <c>launchSettings.json</c> (additional
/// files; the package adds them by default). A non-placeholder string under a key that names a
/// client secret is reported at its line and column in the JSON file. Keys and values are judged by
/// the same word and value rules as PDL001 (<see cref="SecretNames"/>, <see cref="SecretValues"/>).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ConfigurationSecretAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.ConfigurationFileSecret);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(static start =>
        {
            bool isTestProject = SecretOptions.IsTestProject(start.Options, start.Compilation);
            start.RegisterAdditionalFileAction(file => AnalyzeFile(file, isTestProject));
        });
    }

    /// <summary>Whether a file name is one PDL017 reads: <c>appsettings*.json</c> or <c>launchSettings.json</c>.</summary>
    public static bool IsConfigurationFile(string path)
    {
        string name = Path.GetFileName(path);
        return name.Equals("launchSettings.json", StringComparison.OrdinalIgnoreCase)
            || (name.StartsWith("appsettings", StringComparison.OrdinalIgnoreCase) && name.EndsWith(".json", StringComparison.OrdinalIgnoreCase));
    }

    private static void AnalyzeFile(AdditionalFileAnalysisContext context, bool isTestProject)
    {
        AdditionalText file = context.AdditionalFile;
        if (!IsConfigurationFile(file.Path))
        {
            return;
        }

        SecretOptions options = SecretOptions.For(context.Options, file);
        if (isTestProject && !options.AnalyzeTestProjects)
        {
            return;
        }

        SourceText? text = file.GetText(context.CancellationToken);
        if (text is null)
        {
            return;
        }

        foreach (JsonScanner.Entry entry in JsonScanner.StringValues(text.ToString()))
        {
            string? key = SecretKey(entry.Path, entry.InArray, options);
            if (key is null || !IsSecretValue(entry.Value, key, options))
            {
                continue;
            }

            var span = TextSpan.FromBounds(entry.Start, entry.End);
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.ConfigurationFileSecret,
                Location.Create(file.Path, span, text.Lines.GetLinePositionSpan(span)),
                Display(entry.Path)));
        }
    }

    /// <summary>
    /// The key that makes a value a client secret, or <see langword="null"/>: a strong name
    /// (<c>ClientSecret</c>, <c>client_secret</c>, <c>Peddler:ClientSecret</c>,
    /// <c>PEDDLER_CLIENT_SECRET</c>), its plural for array items (<c>ClientSecrets: ["…"]</c>), a
    /// configured sink name, or the weak <c>Secret</c> inside a section whose name is a
    /// client-authentication word (<c>"OAuth": { "Secret": … }</c>).
    /// </summary>
    private static string? SecretKey(IReadOnlyList<string> path, bool inArray, SecretOptions options)
    {
        if (path.Count == 0)
        {
            return null;
        }

        string key = path[path.Count - 1];
        if (options.AdditionalSinkNames.Count > 0 && options.AdditionalSinkNames.Contains(SecretNames.Normalize(key)))
        {
            return key;
        }

        string singular = inArray && key.EndsWith("s", StringComparison.OrdinalIgnoreCase) ? key.Substring(0, key.Length - 1) : key;
        switch (SecretNames.Classify(singular))
        {
            case SecretNameKind.Strong:
                return key;
            case SecretNameKind.Weak:
                for (int i = 0; i < path.Count - 1; i++)
                {
                    if (SecretNames.IsContextName(path[i]))
                    {
                        return key;
                    }
                }

                return null;
            default:
                return null;
        }
    }

    private static string Display(IReadOnlyList<string> path)
    {
        var parts = new List<string>(path.Count);
        foreach (string part in path)
        {
            if (part.Length > 0)
            {
                parts.Add(part);
            }
        }

        return string.Join(":", parts);
    }

    private static bool IsSecretValue(string value, string key, SecretOptions options) =>
        SecretValues.IsSecret(value, options)
        && !SecretValues.IsOwnName(value, key)
        && !(SecretNames.Classify(key) == SecretNameKind.Weak && SecretValues.IsWordShaped(value));
}
