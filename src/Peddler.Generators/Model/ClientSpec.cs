namespace Peddler.Generators.Model;

/// <summary>Everything the emitter needs to write one <c>[PeddlerClient]</c> class.</summary>
/// <remarks>
/// Holds only strings and other equatable models — never an <c>ISymbol</c>, <c>SyntaxNode</c>,
/// <c>Location</c> or <c>Compilation</c> — so that an unrelated edit leaves the pipeline cached and
/// no old compilation is kept alive.
/// </remarks>
/// <param name="Hierarchy">Namespace and containing types.</param>
/// <param name="Environment">The Peddler environment name as written (empty when missing).</param>
/// <param name="TokenEndpoint">The environment's token endpoint, or <see langword="null"/> when the environment is unknown (PDL009/PDL010: the class is still completed so that only that error is reported).</param>
/// <param name="Scopes">The requested scopes, normalised to single spaces (empty when missing: PDL011).</param>
internal sealed record ClientSpec(HierarchyInfo Hierarchy, string Environment, string? TokenEndpoint, string Scopes);

/// <summary>
/// What the parser learned about one annotated class: the client to emit, if the class can be
/// completed, and the shape errors the generator reports itself (see <see cref="DiagnosticInfo"/>).
/// </summary>
/// <remarks>Equatable values only, like <see cref="ClientSpec"/>.</remarks>
/// <param name="Spec">The client to emit, or <see langword="null"/> when nothing can be emitted.</param>
/// <param name="Diagnostics">PDL012–PDL015 for this class, if any.</param>
internal sealed record ClientModel(ClientSpec? Spec, EquatableArray<DiagnosticInfo> Diagnostics);
