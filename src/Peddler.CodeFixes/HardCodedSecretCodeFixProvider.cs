using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;
using Peddler.Analyzers;

namespace Peddler.CodeFixes;

/// <summary>
/// PDL001: replaces a hard-coded secret with a run-time lookup that fails clearly when the value
/// is missing: an environment variable, or an <c>IConfiguration</c> in scope.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(HardCodedSecretCodeFixProvider)), Shared]
public sealed class HardCodedSecretCodeFixProvider : CodeFixProvider
{
    /// <summary>The environment variable the first fix reads.</summary>
    public const string EnvironmentVariableName = "PEDDLER_CLIENT_SECRET";

    /// <summary>The configuration key the second fix reads.</summary>
    public const string ConfigurationKey = "Peddler:ClientSecret";

    /// <summary>Equivalence key of the environment-variable fix.</summary>
    public const string EnvironmentFixKey = "PDL001.Environment";

    /// <summary>Equivalence key of the configuration fix.</summary>
    public const string ConfigurationFixKey = "PDL001.Configuration";

    private const string ConfigurationInterface = "Microsoft.Extensions.Configuration.IConfiguration";

    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.HardCodedClientSecretId);

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
            if (!diagnostic.Properties.ContainsKey(HardCodedSecretAnalyzer.ReplaceableProperty))
            {
                continue;
            }

            if (root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not ExpressionSyntax expression
                || RequiresConstant(expression))
            {
                continue;
            }

            SemanticModel? model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
            if (model is null)
            {
                continue;
            }

            int position = expression.SpanStart;
            string environment = ShortestName(model, position, "System.Environment", "Environment");
            string exception = ShortestName(model, position, "System.InvalidOperationException", "InvalidOperationException");
            context.RegisterCodeFix(
                CodeAction.Create(
                    $"Read the secret from the {EnvironmentVariableName} environment variable",
                    ct => ReplaceAsync(context.Document, expression, EnvironmentLookup(environment, exception), ct),
                    EnvironmentFixKey),
                diagnostic);

            string? configuration = FindConfiguration(model, position, context.CancellationToken);
            if (configuration is not null)
            {
                context.RegisterCodeFix(
                    CodeAction.Create(
                        $"Read the secret from configuration ({configuration}[\"{ConfigurationKey}\"])",
                        ct => ReplaceAsync(context.Document, expression, ConfigurationLookup(configuration, exception), ct),
                        ConfigurationFixKey),
                    diagnostic);
            }
        }
    }

    private static ExpressionSyntax EnvironmentLookup(string environment, string exception) => SyntaxFactory.ParseExpression(
        $"{environment}.GetEnvironmentVariable(\"{EnvironmentVariableName}\") ?? throw new {exception}(\"Set the {EnvironmentVariableName} environment variable.\")");

    private static ExpressionSyntax ConfigurationLookup(string configuration, string exception) => SyntaxFactory.ParseExpression(
        $"{configuration}[\"{ConfigurationKey}\"] ?? throw new {exception}(\"Set the configuration value {ConfigurationKey}.\")");

    /// <summary>
    /// The shortest of <c>Name</c>, <c>System.Name</c> and <c>global::System.Name</c> that binds to
    /// the type at <paramref name="position"/> (a property called <c>Environment</c> hides the type).
    /// </summary>
    private static string ShortestName(SemanticModel model, int position, string metadataName, string name)
    {
        INamedTypeSymbol? type = model.Compilation.GetTypeByMetadataName(metadataName);
        if (type is not null)
        {
            foreach (string candidate in new[] { name, "System." + name })
            {
                SymbolInfo info = model.GetSpeculativeSymbolInfo(position, SyntaxFactory.ParseExpression(candidate), SpeculativeBindingOption.BindAsExpression);
                if (SymbolEqualityComparer.Default.Equals(info.Symbol, type))
                {
                    return candidate;
                }
            }
        }

        return "global::System." + name;
    }

    /// <summary>Whether the expression sits where C# requires a constant (attribute argument, parameter default, case label).</summary>
    private static bool RequiresConstant(ExpressionSyntax expression)
    {
        foreach (SyntaxNode ancestor in expression.Ancestors())
        {
            switch (ancestor)
            {
                case AttributeArgumentSyntax:
                case CaseSwitchLabelSyntax:
                case CasePatternSwitchLabelSyntax:
                case ConstantPatternSyntax:
                case EqualsValueClauseSyntax { Parent: ParameterSyntax }:
                    return true;
                case StatementSyntax:
                case MemberDeclarationSyntax:
                    return false;
            }
        }

        return false;
    }

    /// <summary>
    /// Finds an <c>IConfiguration</c> usable at <paramref name="position"/>: a local, parameter,
    /// field or property of that type, else the <c>Configuration</c> property of one in scope
    /// (<c>builder.Configuration</c>).
    /// </summary>
    private static string? FindConfiguration(SemanticModel model, int position, CancellationToken cancellationToken)
    {
        INamedTypeSymbol? configurationType = model.Compilation.GetTypeByMetadataName(ConfigurationInterface);
        if (configurationType is null)
        {
            return null;
        }

        ISymbol? enclosing = model.GetEnclosingSymbol(position, cancellationToken);
        bool instanceContext = enclosing is IMethodSymbol { IsStatic: false, MethodKind: not MethodKind.LambdaMethod } || IsInInstanceLambda(enclosing);
        var direct = new List<ISymbol>();
        var holders = new List<ISymbol>();
        foreach (ISymbol symbol in model.LookupSymbols(position))
        {
            ITypeSymbol? type = symbol switch
            {
                ILocalSymbol local when IsDeclaredBefore(local, position) => local.Type,
                IParameterSymbol parameter => parameter.Type,
                IFieldSymbol field when field.IsStatic || instanceContext => field.Type,
                IPropertySymbol { IsIndexer: false } property when property.IsStatic || instanceContext => property.Type,
                _ => null,
            };
            if (type is null)
            {
                continue;
            }

            if (Implements(type, configurationType))
            {
                direct.Add(symbol);
            }
            else if (symbol is ILocalSymbol or IParameterSymbol
                && type.GetMembers("Configuration").OfType<IPropertySymbol>().Any(p => !p.IsStatic && Implements(p.Type, configurationType)))
            {
                holders.Add(symbol);
            }
        }

        ISymbol? best = direct.OrderBy(s => s is ILocalSymbol or IParameterSymbol ? 0 : 1).ThenBy(s => s.Name.Length).FirstOrDefault();
        if (best is not null)
        {
            return best.Name;
        }

        ISymbol? holder = holders.OrderBy(s => s.Name.Length).FirstOrDefault();
        return holder is null ? null : holder.Name + ".Configuration";
    }

    private static bool IsInInstanceLambda(ISymbol? symbol)
    {
        for (ISymbol? s = symbol; s is not null; s = s.ContainingSymbol)
        {
            if (s is IMethodSymbol { MethodKind: MethodKind.LambdaMethod or MethodKind.LocalFunction } method)
            {
                if (method.IsStatic)
                {
                    return false;
                }

                continue;
            }

            return s is IMethodSymbol { IsStatic: false };
        }

        return false;
    }

    private static bool IsDeclaredBefore(ILocalSymbol local, int position) =>
        local.DeclaringSyntaxReferences.Length > 0 && local.DeclaringSyntaxReferences[0].Span.End <= position;

    private static bool Implements(ITypeSymbol type, INamedTypeSymbol configurationType) =>
        SymbolEqualityComparer.Default.Equals(type, configurationType)
        || type.AllInterfaces.Any(i => SymbolEqualityComparer.Default.Equals(i, configurationType));

    private static async Task<Document> ReplaceAsync(Document document, ExpressionSyntax expression, ExpressionSyntax lookup, CancellationToken cancellationToken)
    {
        SyntaxNode? root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return document;
        }

        ExpressionSyntax replacement = NeedsParentheses(expression)
            ? SyntaxFactory.ParenthesizedExpression(lookup)
            : lookup;
        replacement = replacement.WithTriviaFrom(expression).WithAdditionalAnnotations(Formatter.Annotation);

        // A constant cannot hold a run-time lookup: const fields become static readonly, const locals plain locals.
        SyntaxNode? constDeclaration = expression.Ancestors().OfType<EqualsValueClauseSyntax>().FirstOrDefault() is
            { Parent: VariableDeclaratorSyntax { Parent: VariableDeclarationSyntax { Parent: { } holder } } }
            ? holder
            : null;
        SyntaxNode newRoot;
        if (constDeclaration is FieldDeclarationSyntax field && field.Modifiers.Any(SyntaxKind.ConstKeyword))
        {
            FieldDeclarationSyntax updated = field.ReplaceNode(expression, replacement);
            SyntaxToken constKeyword = updated.Modifiers.First(m => m.IsKind(SyntaxKind.ConstKeyword));
            SyntaxTokenList modifiers = updated.Modifiers.Replace(
                constKeyword,
                SyntaxFactory.Token(SyntaxKind.StaticKeyword).WithTriviaFrom(constKeyword));
            int index = modifiers.IndexOf(SyntaxKind.StaticKeyword);
            modifiers = modifiers.Insert(index + 1, SyntaxFactory.Token(SyntaxKind.ReadOnlyKeyword).WithTrailingTrivia(SyntaxFactory.Space));
            newRoot = root.ReplaceNode(field, updated.WithModifiers(modifiers));
        }
        else if (constDeclaration is LocalDeclarationStatementSyntax local && local.IsConst)
        {
            LocalDeclarationStatementSyntax updated = local.ReplaceNode(expression, replacement);
            SyntaxToken constKeyword = updated.Modifiers.First(m => m.IsKind(SyntaxKind.ConstKeyword));
            updated = updated.WithModifiers(updated.Modifiers.Remove(constKeyword)).WithLeadingTrivia(local.GetLeadingTrivia());
            newRoot = root.ReplaceNode(local, updated);
        }
        else
        {
            newRoot = root.ReplaceNode(expression, replacement);
        }

        return document.WithSyntaxRoot(newRoot);
    }

    private static bool NeedsParentheses(ExpressionSyntax expression) => expression.Parent switch
    {
        ArgumentSyntax or EqualsValueClauseSyntax or ArrowExpressionClauseSyntax or ReturnStatementSyntax
            or InitializerExpressionSyntax or AnonymousObjectMemberDeclaratorSyntax or SwitchExpressionArmSyntax
            or ParenthesizedExpressionSyntax or ConditionalExpressionSyntax => false,
        AssignmentExpressionSyntax assignment => assignment.Right != expression,
        BinaryExpressionSyntax binary => !(binary.IsKind(SyntaxKind.CoalesceExpression) && binary.Right == expression),
        _ => true,
    };
}
