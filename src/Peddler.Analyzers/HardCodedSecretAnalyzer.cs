using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Peddler.Analyzers;

/// <summary>
/// PDL001: a compile-time constant string reaches a client-secret sink. Sinks are recognised by
/// symbol (PeddlerClientOptions, MSAL, Azure.Identity, Duende.IdentityModel) and by the word rules
/// of <see cref="SecretNames"/>; values by <see cref="SecretValues"/>. The rule set is documented
/// in <c>docs/diagnostics/PDL001.md</c>.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed partial class HardCodedSecretAnalyzer : DiagnosticAnalyzer
{
    /// <summary>Diagnostic property: present with value <c>true</c> when the reported expression is the whole secret and can be replaced.</summary>
    public const string ReplaceableProperty = "Replaceable";

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.HardCodedClientSecret);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(static start =>
        {
            var analysis = new Analysis(start.Compilation, start.Options);

            // Writes to a named target: properties, fields, locals, parameters, indexers, initializers, `with`.
            start.RegisterOperationAction(analysis.AnalyzeAssignment, OperationKind.SimpleAssignment, OperationKind.CoalesceAssignment);

            // Declarations with an initializer: locals, fields, properties, parameter defaults.
            start.RegisterOperationAction(analysis.AnalyzeDeclarator, OperationKind.VariableDeclarator);
            start.RegisterOperationAction(analysis.AnalyzeMemberInitializer, OperationKind.FieldInitializer, OperationKind.PropertyInitializer, OperationKind.ParameterInitializer);

            // Arguments: by parameter name, known APIs, key/value pairs, SetEnvironmentVariable, Basic credentials.
            start.RegisterOperationAction(analysis.AnalyzeArgument, OperationKind.Argument);

            // Members that return the secret: `string ClientSecret => "…"`, `GetClientSecret()`.
            start.RegisterOperationAction(analysis.AnalyzeReturn, OperationKind.Return);

            // ("client_secret", "…") pairs, named tuple elements and deconstruction into secret-named variables.
            start.RegisterOperationAction(analysis.AnalyzeTuple, OperationKind.Tuple);
            start.RegisterOperationAction(analysis.AnalyzeDeconstruction, OperationKind.DeconstructionAssignment);

            // config["…ClientSecret"] ?? "fallback".
            start.RegisterOperationAction(analysis.AnalyzeCoalesce, OperationKind.Coalesce);

            // Invocations and creations that do not bind (a package that is not referenced): named arguments, SetClientSecret("…").
            start.RegisterOperationAction(analysis.AnalyzeUnbound, OperationKind.Invalid);

            // Form bodies, query strings and JSON written as text.
            start.RegisterOperationAction(analysis.AnalyzeText, OperationKind.Literal, OperationKind.InterpolatedString, OperationKind.Binary);
        });
    }
}
