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

    /// <summary>
    /// Rebuilds the diagnostic, pointing into <paramref name="compilation"/>'s syntax tree of the same
    /// path: a source location, so that <c>#pragma warning disable</c> silences it and the IDE offers
    /// its code fixes. A path-only location stays the fallback (no tree of that path).
    /// </summary>
    public Diagnostic ToDiagnostic(DiagnosticDescriptor descriptor, Compilation compilation)
    {
        var arguments = new object[Arguments.Count];
        for (int i = 0; i < arguments.Length; i++)
        {
            arguments[i] = Arguments[i];
        }

        Location location = Location.Create(FilePath, Span, LineSpan);
        foreach (SyntaxTree tree in compilation.SyntaxTrees)
        {
            if (tree.FilePath == FilePath && Span.End <= tree.Length)
            {
                location = Location.Create(tree, Span);
                break;
            }
        }

        return Diagnostic.Create(descriptor, location, arguments);
    }
}
