using System;
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

namespace Peddler.CodeFixes;

/// <summary>PDL016: switches the token endpoint literal from <c>http://</c> to <c>https://</c>.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(InsecureTokenEndpointCodeFixProvider)), Shared]
public sealed class InsecureTokenEndpointCodeFixProvider : CodeFixProvider
{
    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.InsecureTokenEndpointId);

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
            if (root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is LiteralExpressionSyntax literal
                && literal.IsKind(SyntaxKind.StringLiteralExpression)
                && literal.Token.ValueText.TrimStart().StartsWith("http://", StringComparison.OrdinalIgnoreCase))
            {
                context.RegisterCodeFix(
                    CodeAction.Create("Use https", ct => UseHttpsAsync(context.Document, literal, ct), "PDL016.Https"),
                    diagnostic);
            }
        }
    }

    private static async Task<Document> UseHttpsAsync(Document document, LiteralExpressionSyntax literal, CancellationToken cancellationToken)
    {
        SyntaxNode? root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return document;
        }

        string text = literal.Token.ValueText.TrimStart();
        string https = "https://" + text.Substring("http://".Length);
        LiteralExpressionSyntax replacement = SyntaxFactory.LiteralExpression(SyntaxKind.StringLiteralExpression, SyntaxFactory.Literal(https))
            .WithTriviaFrom(literal);
        return document.WithSyntaxRoot(root.ReplaceNode(literal, replacement));
    }
}
