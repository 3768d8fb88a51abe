// Shared by the runtime library, the generator and the analyzers (linked into each), so that
// the scope grammar and the run-time carrier placeholder are defined once.
using System.Collections.Generic;

namespace Peddler.Internal
{
    /// <summary>Peddler's scope vocabulary and the RFC 6749 §3.3 scope-token grammar.</summary>
    internal static class PeddlerScopes
    {
        /// <summary>The scope every Peddler token request carries first.</summary>
        public const string Default = "DEFAULT";

        /// <summary>The scope every Peddler token request carries second.</summary>
        public const string Authenticated = "authenticated";

        /// <summary>
        /// Stands for the carrier id in <c>Scopes</c> when the id comes from
        /// <c>PeddlerClientOptions.CarrierId</c> at run time.
        /// </summary>
        public const string CarrierIdPlaceholder = "{CarrierId}";

        /// <summary>The placeholder Peddler's documentation uses for the carrier id.</summary>
        public const string DocumentationPlaceholder = "CARRIER_ID";

        /// <summary>Splits a scope string on spaces, dropping empty tokens.</summary>
        public static List<string> Split(string? scopes)
        {
            var tokens = new List<string>();
            if (scopes is null)
            {
                return tokens;
            }

            int start = -1;
            for (int i = 0; i <= scopes.Length; i++)
            {
                bool separator = i == scopes.Length || scopes[i] == ' ';
                if (separator)
                {
                    if (start >= 0)
                    {
                        tokens.Add(scopes.Substring(start, i - start));
                        start = -1;
                    }
                }
                else if (start < 0)
                {
                    start = i;
                }
            }

            return tokens;
        }

        /// <summary>
        /// Whether <paramref name="token"/> is a scope-token of RFC 6749 §3.3:
        /// <c>1*( %x21 / %x23-5B / %x5D-7E )</c>, printable ASCII without space, <c>"</c> and <c>\</c>.
        /// </summary>
        public static bool IsScopeToken(string? token)
        {
            if (token is null || token.Length == 0)
            {
                return false;
            }

            foreach (char c in token)
            {
                if (c < 0x21 || c > 0x7E || c == '"' || c == '\\')
                {
                    return false;
                }
            }

            return true;
        }
    }
}
