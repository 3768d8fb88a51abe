using System;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Peddler.Analyzers;

/// <summary>
/// PDL016: <c>PeddlerClientOptions.TokenEndpoint</c> set to <c>new Uri("http://…")</c> on a host
/// that is not loopback, written in place or reaching the property through a local, a constant, or
/// a field or property written only by its initializer. The client refuses such an endpoint at run
/// time; this says so at build time.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class InsecureTokenEndpointAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.InsecureTokenEndpoint);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(static start =>
        {
            INamedTypeSymbol? options = start.Compilation.GetTypeByMetadataName("Peddler.PeddlerClientOptions");
            INamedTypeSymbol? uri = start.Compilation.GetTypeByMetadataName("System.Uri");
            if (options is null || uri is null)
            {
                return;
            }

            start.RegisterOperationAction(c => AnalyzeAssignment(c, options, uri), OperationKind.SimpleAssignment, OperationKind.CoalesceAssignment);
        });
    }

    private static void AnalyzeAssignment(OperationAnalysisContext context, INamedTypeSymbol options, INamedTypeSymbol uri)
    {
        var assignment = (IAssignmentOperation)context.Operation;
        if (assignment.Target is not IPropertyReferenceOperation { Property: { Name: "TokenEndpoint" } property }
            || !SymbolEqualityComparer.Default.Equals(property.ContainingType, options))
        {
            return;
        }

        Check(context, assignment.Value, uri, 0);
    }

    private static void Check(OperationAnalysisContext context, IOperation? value, INamedTypeSymbol uri, int depth)
    {
        if (value is null || depth > 4)
        {
            return;
        }

        switch (value)
        {
            case IConversionOperation conversion:
                Check(context, conversion.Operand, uri, depth + 1);
                return;
            case ICoalesceOperation coalesce:
                Check(context, coalesce.Value, uri, depth + 1);
                Check(context, coalesce.WhenNull, uri, depth + 1);
                return;
            case IConditionalOperation conditional:
                Check(context, conditional.WhenTrue, uri, depth + 1);
                Check(context, conditional.WhenFalse, uri, depth + 1);
                return;
            case ILocalReferenceOperation local:
                // var endpoint = new Uri("http://…"); options.TokenEndpoint = endpoint;
                Check(context, ValueFlow.SingleInitializer(local), uri, depth + 1);
                return;
            case IFieldReferenceOperation or IPropertyReferenceOperation:
                // static readonly Uri Endpoint = new Uri("http://…");
                Check(context, MemberInitializer(value), uri, depth + 1);
                return;
            case IObjectCreationOperation creation when SymbolEqualityComparer.Default.Equals(creation.Type, uri) && creation.Arguments.Length >= 1:
                IOperation first = creation.Arguments[0].Value;
                (string Text, SyntaxNode Node)? found = EndpointText(first, depth);
                if (found is { } endpoint && IsInsecure(endpoint.Text))
                {
                    // Point at the literal when it is in this file, at the use otherwise.
                    SyntaxNode node = endpoint.Node.SyntaxTree == context.Operation.Syntax.SyntaxTree ? endpoint.Node : first.Syntax;
                    context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.InsecureTokenEndpoint, node.GetLocation(), endpoint.Text));
                }

                return;
        }
    }

    /// <summary>
    /// The text of a <c>Uri</c> constructor's string argument and the expression that holds it: a
    /// constant (literal, <c>const</c> local or field), a local written once, or a field or property
    /// written only by its initializer.
    /// </summary>
    private static (string Text, SyntaxNode Node)? EndpointText(IOperation? value, int depth)
    {
        if (value is null || depth > 4)
        {
            return null;
        }

        if (value is IConversionOperation conversion)
        {
            return EndpointText(conversion.Operand, depth + 1);
        }

        if (value.ConstantValue.HasValue)
        {
            if (value.ConstantValue.Value is not string constant)
            {
                return null;
            }

            // A constant declared elsewhere is shown where it is written.
            if (value is IFieldReferenceOperation or ILocalReferenceOperation && MemberInitializer(value) is { Syntax: var declared })
            {
                return (constant, declared);
            }

            return (constant, value.Syntax);
        }

        return value switch
        {
            ILocalReferenceOperation local => EndpointText(ValueFlow.SingleInitializer(local), depth + 1),
            IFieldReferenceOperation or IPropertyReferenceOperation => EndpointText(MemberInitializer(value), depth + 1)
                ?? (MemberInitializerSyntax(value) is { } syntax && ValueFlow.EvaluateSyntax(syntax) is { } text ? (text, value.Syntax) : null),
            _ => null,
        };
    }

    /// <summary>The initializer of a local, field or property written only there, bound when it is in the same file.</summary>
    private static IOperation? MemberInitializer(IOperation reference)
    {
        ExpressionSyntax? syntax = MemberInitializerSyntax(reference);
        if (syntax is null || syntax.SyntaxTree != reference.Syntax.SyntaxTree || reference.SemanticModel is null)
        {
            return null;
        }

        return reference.SemanticModel.GetOperation(syntax);
    }

    private static ExpressionSyntax? MemberInitializerSyntax(IOperation reference)
    {
        ISymbol? symbol = reference switch
        {
            IFieldReferenceOperation field when field.Field.IsConst || field.Field.IsReadOnly || field.Field.DeclaredAccessibility == Accessibility.Private => field.Field,
            IPropertyReferenceOperation { Property: { IsIndexer: false, SetMethod: null } property } => property,
            ILocalReferenceOperation { Local.IsConst: true } local => local.Local,
            _ => null,
        };
        if (symbol is null || symbol.DeclaringSyntaxReferences.Length != 1)
        {
            return null;
        }

        return symbol.DeclaringSyntaxReferences[0].GetSyntax() switch
        {
            VariableDeclaratorSyntax { Initializer: { } init } variable when !ValueFlow.IsWrittenInType(variable, variable.Identifier.ValueText) || symbol is ILocalSymbol => init.Value,
            PropertyDeclarationSyntax { Initializer: { } init } => init.Value,
            PropertyDeclarationSyntax { ExpressionBody: { } body } => body.Expression,
            _ => null,
        };
    }

    /// <summary>Whether <paramref name="text"/> is an absolute http URI whose host is not loopback.</summary>
    public static bool IsInsecure(string text)
    {
        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out Uri? parsed))
        {
            return false;
        }

        return parsed.Scheme == Uri.UriSchemeHttp && !parsed.IsLoopback;
    }
}
