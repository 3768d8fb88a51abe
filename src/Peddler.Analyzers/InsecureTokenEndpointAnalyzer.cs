using System;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Peddler.Analyzers;

/// <summary>
/// PDL016: <c>PeddlerClientOptions.TokenEndpoint</c> set to <c>new Uri("http://…")</c> on a host
/// that is not loopback. The client refuses such an endpoint at run time; this says so at build time.
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
            case IObjectCreationOperation creation when SymbolEqualityComparer.Default.Equals(creation.Type, uri) && creation.Arguments.Length >= 1:
                IArgumentOperation first = creation.Arguments[0];
                if (first.Value.ConstantValue.HasValue && first.Value.ConstantValue.Value is string text && IsInsecure(text))
                {
                    context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.InsecureTokenEndpoint, first.Value.Syntax.GetLocation(), text));
                }

                return;
        }
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
