using System;
using Microsoft.CodeAnalysis;

namespace Peddler.Analyzers;

/// <summary>
/// Where two positional string arguments are a key and its value: dictionaries and collections,
/// <c>KeyValuePair</c> and tuples, form, header, query and configuration builders, and
/// <c>Add(key, value)</c>-shaped methods on them. Any other method with two string parameters
/// (<c>AddColumn(name, table)</c>) is not read as a pair.
/// </summary>
internal static class KeyValueApis
{
    /// <summary>Whether <paramref name="method"/> takes <paramref name="key"/> then <paramref name="value"/> as a key/value pair.</summary>
    public static bool IsKeyValuePair(IMethodSymbol method, IParameterSymbol? key, IParameterSymbol value)
    {
        INamedTypeSymbol? type = method.ContainingType;
        if (type is null || key is null)
        {
            return false;
        }

        // new KeyValuePair<string, string>(k, v), Tuple.Create(k, v), KeyValuePair.Create(k, v).
        if (type.Name is "KeyValuePair" or "Tuple" or "ValueTuple")
        {
            string? ns = type.ContainingNamespace?.ToDisplayString();
            if (ns is "System.Collections.Generic" or "System")
            {
                return true;
            }
        }

        if (IsValueName(value.Name) && IsKeyName(key.Name))
        {
            // Add(key, value), Set(name, value), Append(name, value), AddOrUpdate(key, value), TryAdd(key, value).
            return true;
        }

        return IsKeyValueVerb(method.Name) && IsKeyValueContainer(type);
    }

    private static bool IsKeyName(string name) => name is "key" or "name" or "k" or "field" or "fieldName" or "header" or "headerName" or "parameter" or "parameterName" or "item1" or "arg1";

    private static bool IsValueName(string name) => name is "value" or "values" or "defaultValue" or "val" or "v" or "item2" or "arg2" or "fieldValue" or "headerValue" or "parameterValue";

    private static bool IsKeyValueVerb(string name) =>
        name is "Add" or "TryAdd" or "Set" or "SetValue" or "Append" or "Insert" or "AddOrUpdate" or "Put" or "With" or "AddParameter" or "AddHeader"
        || name.StartsWith("Add", StringComparison.Ordinal) && (name.EndsWith("Parameter", StringComparison.Ordinal) || name.EndsWith("Header", StringComparison.Ordinal) || name.EndsWith("Field", StringComparison.Ordinal));

    /// <summary>Dictionaries, collections and builders whose <c>Add</c> takes a key and a value.</summary>
    private static bool IsKeyValueContainer(INamedTypeSymbol type)
    {
        foreach (INamedTypeSymbol candidate in type.AllInterfaces)
        {
            if (candidate.Name is "IDictionary" or "IReadOnlyDictionary" || candidate.Name == "ICollection" && candidate.TypeArguments.Length == 1 && candidate.TypeArguments[0].Name == "KeyValuePair")
            {
                return true;
            }
        }

        for (INamedTypeSymbol? t = type; t is not null; t = t.BaseType)
        {
            string name = t.Name;
            if (name.EndsWith("Dictionary", StringComparison.Ordinal) || name.EndsWith("Collection", StringComparison.Ordinal)
                || name.EndsWith("Headers", StringComparison.Ordinal) || name.EndsWith("Parameters", StringComparison.Ordinal)
                || name.EndsWith("Builder", StringComparison.Ordinal) || name.IndexOf("Form", StringComparison.Ordinal) >= 0
                || name.IndexOf("Query", StringComparison.Ordinal) >= 0 || name.IndexOf("Configuration", StringComparison.Ordinal) >= 0)
            {
                return true;
            }
        }

        return false;
    }
}
