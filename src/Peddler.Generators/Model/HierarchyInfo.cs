namespace Peddler.Generators.Model;

/// <summary>One type declaration in the chain from the namespace to the annotated class.</summary>
/// <param name="Keyword">The declaration keyword as written: <c>class</c>, <c>record</c>, <c>struct</c>, <c>record struct</c> or <c>interface</c>.</param>
/// <param name="Name">The type's name.</param>
internal sealed record TypeDeclarationInfo(string Keyword, string Name);

/// <summary>
/// Where the annotated class lives: its namespace and the types it is nested in, outermost
/// first, ending with the annotated class itself.
/// </summary>
/// <remarks>Strings only: no symbol, syntax node or compilation, so the model caches.</remarks>
/// <param name="Namespace">The namespace, or an empty string for the global namespace.</param>
/// <param name="Types">The declarations, outermost first; the last is the annotated class.</param>
internal sealed record HierarchyInfo(string Namespace, EquatableArray<TypeDeclarationInfo> Types)
{
    /// <summary>The annotated class's name.</summary>
    public string Name => Types[Types.Count - 1].Name;

    /// <summary>The fully qualified name with <c>global::</c>, e.g. <c>global::MyApp.Outer.CarrierTokens</c>.</summary>
    public string FullyQualifiedName
    {
        get
        {
            var name = new System.Text.StringBuilder("global::");
            if (Namespace.Length > 0)
            {
                name.Append(Namespace).Append('.');
            }

            for (int i = 0; i < Types.Count; i++)
            {
                name.Append(i == 0 ? string.Empty : ".").Append(Types[i].Name);
            }

            return name.ToString();
        }
    }

    /// <summary>A deterministic, file-system-safe hint name: <c>{Namespace}.{Outer}.{Type}.{feature}.g.cs</c>.</summary>
    public string HintName(string feature)
    {
        string name = FullyQualifiedName.Substring("global::".Length);
        var hint = new System.Text.StringBuilder(name.Length + feature.Length + 6);
        foreach (char c in name)
        {
            hint.Append(char.IsLetterOrDigit(c) || c == '.' || c == '_' ? c : '_');
        }

        return hint.Append('.').Append(feature).Append(".g.cs").ToString();
    }
}
