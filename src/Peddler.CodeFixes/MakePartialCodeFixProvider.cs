using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
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

/// <summary>PDL012 and PDL015: adds the <c>partial</c> modifier to the reported type.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MakePartialCodeFixProvider)), Shared]
public sealed class MakePartialCodeFixProvider : CodeFixProvider
{
    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.ClientNotPartialId,
        DiagnosticDescriptors.ContainingTypeNotPartialId);

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
            SyntaxToken identifier = root.FindToken(diagnostic.Location.SourceSpan.Start);
            if (identifier.Parent is not TypeDeclarationSyntax declaration)
            {
                continue;
            }

            // PDL012: the annotated class itself; PDL015: every containing type that is not partial.
            var targets = new List<TypeDeclarationSyntax>();
            if (diagnostic.Id == DiagnosticDescriptors.ClientNotPartialId)
            {
                targets.Add(declaration);
            }
            else
            {
                targets.AddRange(declaration.Ancestors().OfType<TypeDeclarationSyntax>());
            }

            targets.RemoveAll(t => t.Modifiers.Any(SyntaxKind.PartialKeyword));
            if (targets.Count == 0)
            {
                continue;
            }

            string title = targets.Count == 1
                ? "Make '" + targets[0].Identifier.ValueText + "' partial"
                : "Make the containing types partial";
            context.RegisterCodeFix(
                CodeAction.Create(title, ct => AddPartialAsync(context.Document, targets, ct), "PDL.MakePartial." + diagnostic.Id),
                diagnostic);
        }
    }

    private static async Task<Document> AddPartialAsync(Document document, List<TypeDeclarationSyntax> targets, CancellationToken cancellationToken)
    {
        SyntaxNode? root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return document;
        }

        return document.WithSyntaxRoot(root.ReplaceNodes(targets, (original, rewritten) => AddPartial(rewritten)));
    }

    private static TypeDeclarationSyntax AddPartial(TypeDeclarationSyntax declaration)
    {
        SyntaxToken partial = SyntaxFactory.Token(SyntaxKind.PartialKeyword).WithTrailingTrivia(SyntaxFactory.Space);
        if (declaration.Modifiers.Count == 0)
        {
            // Move the keyword's indentation to the new first modifier.
            return declaration
                .WithKeyword(declaration.Keyword.WithLeadingTrivia())
                .WithModifiers(SyntaxFactory.TokenList(partial.WithLeadingTrivia(declaration.Keyword.LeadingTrivia)));
        }

        return declaration.WithModifiers(declaration.Modifiers.Add(partial));
    }
}
