using System;
using System.Globalization;
using System.Text;

namespace Peddler.Protocol;

/// <summary>The client-credentials form of one settings generation, encoded once.</summary>
internal static class TokenForm
{
    /// <summary>
    /// Encodes <c>grant_type=client_credentials&amp;client_id=…&amp;client_secret=…&amp;scope=…</c>:
    /// every byte outside RFC 3986's unreserved set is percent-encoded and a space becomes <c>+</c>,
    /// as <c>application/x-www-form-urlencoded</c> requires.
    /// </summary>
    public static ReadOnlyMemory<byte> Encode(PeddlerRequestSettings settings)
    {
        var body = new StringBuilder(128);
        body.Append("grant_type=client_credentials");
        AppendField(body, "client_id", settings.ClientId);
        AppendField(body, "client_secret", settings.ClientSecret);
        AppendField(body, "scope", settings.Scope);
        return Encoding.ASCII.GetBytes(body.ToString());
    }

    private static void AppendField(StringBuilder body, string name, string value)
    {
        body.Append('&').Append(name).Append('=');
        foreach (byte b in Encoding.UTF8.GetBytes(value))
        {
            char c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~')
            {
                body.Append(c);
            }
            else if (c == ' ')
            {
                body.Append('+');
            }
            else
            {
                body.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }
    }
}
