using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Peddler.Generators.Model;

/// <summary>
/// A diagnostic the generator reports, as plain values: the rule id, where it points and its
/// message arguments.
/// </summary>
/// <remarks>
/// A <see cref="Location"/> would keep the syntax tree (and so the compilation) alive and never
/// compare equal across runs; the file path and spans do both jobs without that cost.
/// </remarks>
/// <param name="Id">The rule id, e.g. <c>PDL012</c>.</param>
/// <param name="FilePath">The syntax tree's path.</param>
/// <param name="Span">The span in the file.</param>
/// <param name="LineSpan">The same span as lines and columns.</param>
/// <param name="Arguments">The message arguments.</param>
internal sealed record DiagnosticInfo(string Id, string FilePath, TextSpan Span, LinePositionSpan LineSpan, EquatableArray<string> Arguments)
{
    /// <summary>Captures <paramref name="location"/> as values.</summary>
    public static DiagnosticInfo Create(string id, Location location, params string[] arguments) =>
        new(
            id,
            location.SourceTree?.FilePath ?? string.Empty,
            location.SourceSpan,
            location.GetLineSpan().Span,
            new EquatableArray<string>(System.Collections.Immutable.ImmutableArray.Create(arguments)));

    /// <summary>Rebuilds the diagnostic.</summary>
    public Diagnostic ToDiagnostic(DiagnosticDescriptor descriptor)
    {
        var arguments = new object[Arguments.Count];
        for (int i = 0; i < arguments.Length; i++)
        {
            arguments[i] = Arguments[i];
        }

        return Diagnostic.Create(descriptor, Location.Create(FilePath, Span, LineSpan), arguments);
    }
}
