using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Peddler.Analyzers;
using Peddler.Internal;

namespace Peddler.CodeFixes;

/// <summary>
/// Fixes of the <c>[PeddlerClient]</c> string arguments: PDL002 appends the run-time carrier
/// placeholder, PDL003 replaces the documentation placeholder with it, PDL005 normalises spaces,
/// PDL007 corrects the case of a token, PDL009 writes the environment the user meant.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(ScopesCodeFixProvider)), Shared]
public sealed class ScopesCodeFixProvider : CodeFixProvider
{
    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.MissingCarrierScopeId,
        DiagnosticDescriptors.DocumentationPlaceholderInScopesId,
        DiagnosticDescriptors.EmptyScopeTokenId,
        DiagnosticDescriptors.ScopeCaseMismatchId,
        DiagnosticDescriptors.UnknownEnvironmentId);

    /// <inheritdoc/>
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return;
        }

        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            if (root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not ExpressionSyntax expression)
            {
                continue;
            }

            string? literal = expression is LiteralExpressionSyntax { RawKind: (int)SyntaxKind.StringLiteralExpression } l ? l.Token.ValueText : null;
            diagnostic.Properties.TryGetValue(PeddlerClientAttributeAnalyzer.TokenProperty, out string? token);
            switch (diagnostic.Id)
            {
                case DiagnosticDescriptors.MissingCarrierScopeId:
                    Register(context, diagnostic, "Take the carrier id from PeddlerClientOptions.CarrierId ({CarrierId})", expression, literal is null
                        ? SyntaxFactory.BinaryExpression(SyntaxKind.AddExpression, expression.WithoutTrivia(), Literal(" " + PeddlerScopes.CarrierIdPlaceholder))
                        : Literal(literal.TrimEnd(' ') + " " + PeddlerScopes.CarrierIdPlaceholder));
                    break;
                case DiagnosticDescriptors.DocumentationPlaceholderInScopesId when literal is not null && token is not null:
                    Register(context, diagnostic, "Replace '" + token + "' with {CarrierId}", expression, Literal(ReplaceToken(literal, token, PeddlerScopes.CarrierIdPlaceholder)));
                    break;
                case DiagnosticDescriptors.EmptyScopeTokenId when literal is not null:
                    Register(context, diagnostic, "Separate scopes with single spaces", expression, Literal(string.Join(" ", PeddlerClientAttributeAnalyzer.SplitLeniently(literal))));
                    break;
                case DiagnosticDescriptors.ScopeCaseMismatchId when literal is not null && token is not null
                    && diagnostic.Properties.TryGetValue(PeddlerClientAttributeAnalyzer.ReplacementProperty, out string? replacement) && replacement is not null:
                    Register(context, diagnostic, "Write '" + replacement + "'", expression, Literal(ReplaceToken(literal, token, replacement)));
                    break;
                case DiagnosticDescriptors.UnknownEnvironmentId when literal is not null
                    && diagnostic.Properties.TryGetValue(PeddlerClientAttributeAnalyzer.SuggestionProperty, out string? suggestion) && suggestion is not null:
                    Register(context, diagnostic, "Use environment '" + suggestion + "'", expression, Literal(suggestion));
                    break;
            }
        }
    }

    private static void Register(CodeFixContext context, Diagnostic diagnostic, string title, ExpressionSyntax expression, ExpressionSyntax replacement) =>
        context.RegisterCodeFix(
            CodeAction.Create(title, ct => ReplaceAsync(context.Document, expression, replacement, ct), diagnostic.Id + "." + title),
            diagnostic);

    private static LiteralExpressionSyntax Literal(string value) =>
        SyntaxFactory.LiteralExpression(SyntaxKind.StringLiteralExpression, SyntaxFactory.Literal(value));

    /// <summary>Replaces every whole-token occurrence of <paramref name="token"/> in a space-separated scope string.</summary>
    private static string ReplaceToken(string scopes, string token, string replacement)
    {
        string[] parts = scopes.Split(' ');
        for (int i = 0; i < parts.Length; i++)
        {
            if (string.Equals(parts[i], token, StringComparison.Ordinal))
            {
                parts[i] = replacement;
            }
        }

        // The documentation placeholder may sit next to {CarrierId} already: keep one.
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var kept = new List<string>(parts.Length);
        foreach (string part in parts)
        {
            if (part.Length == 0 || part != replacement || seen.Add(part))
            {
                kept.Add(part);
            }
        }

        return string.Join(" ", kept);
    }

    private static async Task<Document> ReplaceAsync(Document document, ExpressionSyntax expression, ExpressionSyntax replacement, CancellationToken cancellationToken)
    {
        SyntaxNode? root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        return root is null ? document : document.WithSyntaxRoot(root.ReplaceNode(expression, replacement.WithTriviaFrom(expression)));
    }
}
