using Microsoft.CodeAnalysis;
using Peddler.Generators.Model;

namespace Peddler.Generators;

/// <summary>
/// Completes every <c>[PeddlerClient]</c> partial class with a token client for Peddler's
/// OAuth2 client-credentials endpoint and a source-generated System.Text.Json context for its
/// wire types. Invalid uses produce no source: the Peddler analyzers report them.
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
        IncrementalValuesProvider<ClientSpec?> clients = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                AttributeMetadataName,
                predicate: static (node, _) => Parser.IsCandidate(node),
                transform: static (ctx, ct) => Parser.Parse(ctx, ct))
            .WithTrackingName(TrackingNames.Clients);

        // Invalid uses (reported by the analyzers) are dropped here, so they never emit source.
        IncrementalValuesProvider<ClientSpec> valid = clients
            .Where(static spec => spec is not null)
            .Select(static (spec, _) => spec!)
            .WithTrackingName(TrackingNames.ValidClients);

        // One file per client; the model is plain strings, so unchanged clients are not re-emitted.
        context.RegisterSourceOutput(valid, static (spc, spec) =>
            spc.AddSource(spec.Hierarchy.HintName("PeddlerClient"), Emitter.Emit(spec)));
    }
}
