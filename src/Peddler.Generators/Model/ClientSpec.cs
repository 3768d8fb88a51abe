namespace Peddler.Generators.Model;

/// <summary>Everything the emitter needs to write one <c>[PeddlerClient]</c> class.</summary>
/// <remarks>
/// Holds only strings and other equatable models — never an <c>ISymbol</c>, <c>SyntaxNode</c>,
/// <c>Location</c> or <c>Compilation</c> — so that an unrelated edit leaves the pipeline cached and
/// no old compilation is kept alive.
/// </remarks>
/// <param name="Hierarchy">Namespace and containing types.</param>
/// <param name="Environment">The Peddler environment name.</param>
/// <param name="TokenEndpoint">The environment's token endpoint.</param>
/// <param name="Scopes">The requested scopes, normalised to single spaces.</param>
internal sealed record ClientSpec(HierarchyInfo Hierarchy, string Environment, string TokenEndpoint, string Scopes);
