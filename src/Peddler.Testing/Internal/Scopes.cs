using System.Collections.Generic;

namespace Peddler.Testing;

/// <summary>
/// Peddler's scope vocabulary and RFC 6749 §3.3 scope syntax, as the server checks them.
/// </summary>
/// <remarks>
/// Written independently of the client's copy on purpose: the server is the oracle the client is
/// tested against, and a shared mistake would pass unnoticed.
/// </remarks>
internal static class Scopes
{
    public const string Default = "DEFAULT";

    public const string Authenticated = "authenticated";

    /// <summary>What every successful request is granted.</summary>
    public const string Base = Default + " " + Authenticated;

    /// <summary>The placeholder of Peddler's documentation, which a client must replace with its carrier id.</summary>
    public const string DocumentationPlaceholder = "CARRIER_ID";

    /// <summary><c>scope-token = 1*( %x21 / %x23-5B / %x5D-7E )</c>.</summary>
    public static bool IsScopeToken(string token)
    {
        if (token.Length == 0)
        {
            return false;
        }

        foreach (char c in token)
        {
            if (c < '\x21' || c > '\x7E' || c == '"' || c == '\\')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Splits <c>scope</c> on spaces (%x20), ignoring repeated, leading and trailing spaces.</summary>
    public static List<string> Split(string scope)
    {
        var tokens = new List<string>();
        foreach (string part in scope.Split(' '))
        {
            if (part.Length > 0)
            {
                tokens.Add(part);
            }
        }

        return tokens;
    }
}
