using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Peddler.Analyzers;
using Peddler.Generators.Model;

namespace Peddler.Generators;

/// <summary>
/// Completes every <c>[PeddlerClient]</c> partial class with a token client for Peddler's
/// OAuth2 client-credentials endpoint, and adds one System.Text.Json context per compilation that
/// every client shares. Attribute mistakes still produce a complete class (the analyzers report
/// them), so that the PDL error is the only one; the class's shape (PDL012-PDL015) is reported by
/// the generator alone; see <see cref="Parser.Parse"/>.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed partial class PeddlerClientGenerator : IIncrementalGenerator
{
    /// <summary>The attribute's metadata name.</summary>
    public const string AttributeMetadataName = "Peddler.PeddlerClientAttribute";

    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        // Only class declarations carrying the attribute reach the parser: the compiler's own
        // attribute index does the search, and the predicate skips everything but classes.
        IncrementalValuesProvider<ClientModel> models = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                AttributeMetadataName,
                predicate: static (node, _) => Parser.IsCandidate(node),
                transform: static (ctx, ct) => Parser.Parse(ctx, ct))
            .Where(static model => model is not null)
            .Select(static (model, _) => model!)
            .WithTrackingName(TrackingNames.Clients);

        // Classes that can be completed; the rest only carry diagnostics.
        IncrementalValuesProvider<ClientSpec> valid = models
            .Where(static model => model.Spec is not null)
            .Select(static (model, _) => model.Spec!)
            .WithTrackingName(TrackingNames.ValidClients);

        // The shared JSON context's name depends on the assembly name only, so edits elsewhere keep it cached.
        IncrementalValueProvider<string> jsonContext = context.CompilationProvider
            .Select(static (compilation, _) => Emitter.JsonContextName(compilation.AssemblyName))
            .WithTrackingName(TrackingNames.JsonContextName);

        // Shape errors (PDL012-PDL015) are reported by the generator only (no analyzer reports them,
        // so each mistake gives one error): its diagnostics come before every compiler error in a
        // build, so the user reads the PDL error first, and the IDE lists them too. Kept out of the
        // source outputs so that they never invalidate the emitted text.
        IncrementalValuesProvider<EquatableArray<DiagnosticInfo>> diagnostics = models
            .Where(static model => model.Diagnostics.Count > 0)
            .Select(static (model, _) => model.Diagnostics)
            .WithTrackingName(TrackingNames.Diagnostics);

        // The compilation joins only here, in the output, to point each diagnostic into the current
        // syntax tree (see DiagnosticInfo.ToDiagnostic); it runs only for classes with a mistake.
        context.RegisterSourceOutput(diagnostics.Combine(context.CompilationProvider), static (spc, pair) =>
        {
            foreach (DiagnosticInfo info in pair.Left)
            {
                spc.ReportDiagnostic(info.ToDiagnostic(Descriptor(info.Id), pair.Right));
            }
        });

        // One small file per client; the model is plain strings, so unchanged clients are not re-emitted.
        context.RegisterSourceOutput(valid.Combine(jsonContext), static (spc, pair) =>
            spc.AddSource(pair.Left.Hierarchy.HintName("PeddlerClient"), Emitter.EmitClient(pair.Left, pair.Right)));

        // One JSON context per compilation, and only if the compilation has a client.
        IncrementalValueProvider<bool> anyClient = valid.Collect()
            .Select(static (clients, _) => !clients.IsEmpty)
            .WithTrackingName(TrackingNames.AnyClient);
        context.RegisterSourceOutput(anyClient.Combine(jsonContext), static (spc, pair) =>
        {
            if (pair.Left)
            {
                spc.AddSource("Peddler.PeddlerJsonContext.g.cs", Emitter.EmitJsonContext(pair.Right));
            }
        });
    }

    private static DiagnosticDescriptor Descriptor(string id) => id switch
    {
        DiagnosticDescriptors.ClientNotPartialId => DiagnosticDescriptors.ClientNotPartial,
        DiagnosticDescriptors.ClientIsStaticId => DiagnosticDescriptors.ClientIsStatic,
        DiagnosticDescriptors.ClientIsGenericId => DiagnosticDescriptors.ClientIsGeneric,
        _ => DiagnosticDescriptors.ContainingTypeNotPartial,
    };
}
