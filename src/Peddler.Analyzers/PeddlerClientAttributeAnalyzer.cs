using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Peddler.Internal;

namespace Peddler.Analyzers;

/// <summary>
/// PDL002–PDL011: the <c>[PeddlerClient]</c> attribute's <c>Environment</c> and <c>Scopes</c>.
/// The shape of the annotated class (PDL012–PDL015) is the generator's to report, and only its:
/// it decides from the shape whether to complete the class, and its diagnostics come first in a
/// build, so one mistake gives exactly one error.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class PeddlerClientAttributeAnalyzer : DiagnosticAnalyzer
{
    /// <summary>Diagnostic property of PDL009: the environment name the user probably meant.</summary>
    public const string SuggestionProperty = "Suggestion";

    /// <summary>Diagnostic property of PDL003 and PDL007: the token to replace.</summary>
    public const string TokenProperty = "Token";

    /// <summary>Diagnostic property of PDL007: the token's correct spelling.</summary>
    public const string ReplacementProperty = "Replacement";

    private const string AttributeMetadataName = "Peddler.PeddlerClientAttribute";

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.MissingCarrierScope,
        DiagnosticDescriptors.DocumentationPlaceholderInScopes,
        DiagnosticDescriptors.InvalidScopeCharacters,
        DiagnosticDescriptors.EmptyScopeToken,
        DiagnosticDescriptors.DuplicateScopeToken,
        DiagnosticDescriptors.ScopeCaseMismatch,
        DiagnosticDescriptors.MissingRequiredScope,
        DiagnosticDescriptors.UnknownEnvironment,
        DiagnosticDescriptors.MissingEnvironment,
        DiagnosticDescriptors.MissingScopes);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(static start =>
        {
            // Without the runtime library there is no attribute to check.
            INamedTypeSymbol? attributeType = start.Compilation.GetTypeByMetadataName(AttributeMetadataName);
            if (attributeType is null)
            {
                return;
            }

            // A symbol action reads the attribute the compiler has already bound (AttributeData),
            // instead of binding it again through a semantic model.
            start.RegisterSymbolAction(c => AnalyzeType(c, attributeType), SymbolKind.NamedType);
        });
    }

    /// <summary>Whether <paramref name="token"/> is Peddler's documentation placeholder for the carrier id (<c>CARRIER_ID</c>, <c>&lt;carrier_id&gt;</c>, <c>YOUR_CARRIER_ID</c>, …).</summary>
    public static bool IsDocumentationPlaceholder(string token)
    {
        if (token.Equals(PeddlerScopes.CarrierIdPlaceholder, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var core = new System.Text.StringBuilder(token.Length);
        foreach (char c in token)
        {
            if (char.IsLetterOrDigit(c))
            {
                core.Append(char.ToLowerInvariant(c));
            }
            else if ("{}<>[]()$%#*'\"`_-. ".IndexOf(c) < 0)
            {
                return false;
            }
        }

        string s = core.ToString();
        foreach (string prefix in new[] { "your", "insert", "enter", "the" })
        {
            if (s.StartsWith(prefix, StringComparison.Ordinal))
            {
                s = s.Substring(prefix.Length);
                break;
            }
        }

        if (s.EndsWith("here", StringComparison.Ordinal))
        {
            s = s.Substring(0, s.Length - 4);
        }

        return s is "carrierid" or "carrier";
    }

    private static void AnalyzeType(SymbolAnalysisContext context, INamedTypeSymbol attributeType)
    {
        foreach (AttributeData attribute in context.Symbol.GetAttributes())
        {
            if (!SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, attributeType)
                || attribute.ApplicationSyntaxReference?.GetSyntax(context.CancellationToken) is not AttributeSyntax syntax
                || syntax.Parent?.Parent is not TypeDeclarationSyntax declaration)
            {
                continue;
            }

            AnalyzeAttribute(context.ReportDiagnostic, declaration, syntax, attribute);
            return;
        }
    }

    private static void AnalyzeAttribute(Action<Diagnostic> report, TypeDeclarationSyntax classDeclaration, AttributeSyntax attribute, AttributeData data)
    {
        string className = classDeclaration.Identifier.ValueText;

        AnalyzeEnvironment(report, attribute, className, Argument(attribute, data, nameof(PeddlerClientAttributeShape.Environment)));
        AnalyzeScopes(report, attribute, className, Argument(attribute, data, nameof(PeddlerClientAttributeShape.Scopes)));
    }

    /// <summary>A named argument: its expression (for the location) and its constant value as the compiler bound it.</summary>
    private static NamedArgument? Argument(AttributeSyntax attribute, AttributeData data, string name)
    {
        ExpressionSyntax? expression = null;
        if (attribute.ArgumentList is not null)
        {
            foreach (AttributeArgumentSyntax argument in attribute.ArgumentList.Arguments)
            {
                if (argument.NameEquals?.Name.Identifier.ValueText == name)
                {
                    expression = argument.Expression;
                }
            }
        }

        if (expression is null)
        {
            return null;
        }

        foreach (KeyValuePair<string, TypedConstant> pair in data.NamedArguments)
        {
            if (pair.Key == name)
            {
                // An erroneous argument is the compiler's to report.
                return pair.Value.Kind == TypedConstantKind.Error
                    ? new NamedArgument(expression, null, isConstant: false)
                    : new NamedArgument(expression, pair.Value.Value as string, isConstant: true);
            }
        }

        return new NamedArgument(expression, null, isConstant: false);
    }

    private static void AnalyzeEnvironment(Action<Diagnostic> report, AttributeSyntax attribute, string className, NamedArgument? argument)
    {
        if (argument is null)
        {
            report(Diagnostic.Create(DiagnosticDescriptors.MissingEnvironment, attribute.Name.GetLocation(), className));
            return;
        }

        if (!argument.IsConstant)
        {
            // Not a constant: the compiler already reports it.
            return;
        }

        ExpressionSyntax expression = argument.Expression;
        if (argument.Value is not string value || value.Length == 0)
        {
            report(Diagnostic.Create(DiagnosticDescriptors.MissingEnvironment, expression.GetLocation(), className));
            return;
        }

        if (PeddlerKnownEnvironments.TokenEndpointOf(value) is not null)
        {
            return;
        }

        string? suggestion = SuggestEnvironment(value);
        ImmutableDictionary<string, string?> properties = suggestion is null
            ? ImmutableDictionary<string, string?>.Empty
            : ImmutableDictionary<string, string?>.Empty.Add(SuggestionProperty, suggestion);
        report(Diagnostic.Create(
            DiagnosticDescriptors.UnknownEnvironment,
            expression.GetLocation(),
            properties,
            value,
            suggestion is null ? string.Empty : " (did you mean '" + suggestion + "'?)"));
    }

    private static string? SuggestEnvironment(string value)
    {
        string v = value.Trim().ToLowerInvariant();
        return v switch
        {
            "dev" or "development" or "develop" or "alphadev" or "alpha-dev" => PeddlerKnownEnvironments.Dev,
            "production" or "prod" or "live" => PeddlerKnownEnvironments.Production,
            _ => null,
        };
    }

    private static void AnalyzeScopes(Action<Diagnostic> report, AttributeSyntax attribute, string className, NamedArgument? argument)
    {
        if (argument is null)
        {
            report(Diagnostic.Create(DiagnosticDescriptors.MissingScopes, attribute.Name.GetLocation(), className));
            return;
        }

        if (!argument.IsConstant)
        {
            return;
        }

        ExpressionSyntax expression = argument.Expression;
        if (argument.Value is not string value || value.Trim().Length == 0)
        {
            report(Diagnostic.Create(DiagnosticDescriptors.MissingScopes, expression.GetLocation(), className));
            return;
        }

        Location location = expression.GetLocation();

        // Tabs, line breaks, commas and semicolons are read as separators (and reported by PDL005),
        // so that "DEFAULT,authenticated,CARRIER_ID" is still understood token by token.
        List<string> tokens = SplitLeniently(value);
        if (value.StartsWith(" ", StringComparison.Ordinal) || value.EndsWith(" ", StringComparison.Ordinal) || value.Contains("  ")
            || value.IndexOfAny(LenientSeparators) >= 0)
        {
            report(Diagnostic.Create(DiagnosticDescriptors.EmptyScopeToken, location, Escape(value)));
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var duplicates = new HashSet<string>(StringComparer.Ordinal);
        bool hasDefault = false;
        bool hasAuthenticated = false;
        bool hasCarrier = false;
        foreach (string token in tokens)
        {
            if (!PeddlerScopes.IsScopeToken(token))
            {
                report(Diagnostic.Create(DiagnosticDescriptors.InvalidScopeCharacters, location, Escape(token)));
            }

            if (!seen.Add(token) && duplicates.Add(token))
            {
                report(Diagnostic.Create(DiagnosticDescriptors.DuplicateScopeToken, location, token));
            }

            string? correct = CaseInsensitiveMatch(token);
            if (correct is not null && correct != token)
            {
                report(Diagnostic.Create(
                    DiagnosticDescriptors.ScopeCaseMismatch,
                    location,
                    ImmutableDictionary<string, string?>.Empty.Add(TokenProperty, token).Add(ReplacementProperty, correct),
                    token,
                    correct));
            }

            if (correct == PeddlerScopes.Default)
            {
                hasDefault = true;
            }
            else if (correct == PeddlerScopes.Authenticated)
            {
                hasAuthenticated = true;
            }
            else
            {
                hasCarrier = true;
                if (IsDocumentationPlaceholder(token))
                {
                    report(Diagnostic.Create(
                        DiagnosticDescriptors.DocumentationPlaceholderInScopes,
                        location,
                        ImmutableDictionary<string, string?>.Empty.Add(TokenProperty, token),
                        token));
                }
            }
        }

        if (!hasDefault || !hasAuthenticated)
        {
            string missing = !hasDefault && !hasAuthenticated
                ? "'DEFAULT' and 'authenticated'"
                : !hasDefault ? "'DEFAULT'" : "'authenticated'";
            report(Diagnostic.Create(DiagnosticDescriptors.MissingRequiredScope, location, value, missing));
        }

        if (!hasCarrier)
        {
            report(Diagnostic.Create(DiagnosticDescriptors.MissingCarrierScope, location, value));
        }
    }

    /// <summary>Characters that separate scopes by mistake.</summary>
    private static readonly char[] LenientSeparators = ['\t', '\r', '\n', ',', ';'];

    /// <summary>Splits a scope string on spaces and on the mistaken separators, dropping empty tokens.</summary>
    public static List<string> SplitLeniently(string scopes)
    {
        var tokens = new List<string>();
        foreach (string part in scopes.Split(' ', '\t', '\r', '\n', ',', ';'))
        {
            if (part.Length > 0)
            {
                tokens.Add(part);
            }
        }

        return tokens;
    }

    /// <summary>The correct spelling of a token that equals a Peddler scope or the run-time placeholder ignoring case.</summary>
    private static string? CaseInsensitiveMatch(string token)
    {
        foreach (string known in new[] { PeddlerScopes.Default, PeddlerScopes.Authenticated, PeddlerScopes.CarrierIdPlaceholder })
        {
            if (token.Equals(known, StringComparison.OrdinalIgnoreCase))
            {
                return known;
            }
        }

        return null;
    }

    private static string Escape(string token)
    {
        var builder = new System.Text.StringBuilder(token.Length);
        foreach (char c in token)
        {
            builder.Append(c switch
            {
                '\t' => "\\t",
                '\n' => "\\n",
                '\r' => "\\r",
                _ when c < 0x20 || c > 0x7E => "\\u" + ((int)c).ToString("X4", System.Globalization.CultureInfo.InvariantCulture),
                _ => c.ToString(),
            });
        }

        return builder.ToString();
    }

    /// <summary>A named argument of the attribute.</summary>
    private sealed class NamedArgument
    {
        public NamedArgument(ExpressionSyntax expression, string? value, bool isConstant)
        {
            Expression = expression;
            Value = value;
            IsConstant = isConstant;
        }

        public ExpressionSyntax Expression { get; }

        public string? Value { get; }

        public bool IsConstant { get; }
    }

    /// <summary>Names of the attribute's properties (the runtime library is not referenced by the analyzer).</summary>
    private static class PeddlerClientAttributeShape
    {
        public const string Environment = nameof(Environment);

        public const string Scopes = nameof(Scopes);
    }
}
