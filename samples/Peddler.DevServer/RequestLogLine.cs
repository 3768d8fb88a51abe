using System;
using System.Globalization;
using System.Linq;
using System.Text;
using Peddler.Testing;

namespace Peddler.DevServer;

/// <summary>
/// The line printed for a token request: client id, scope (granted on a 200, as requested
/// otherwise), the secret's fingerprint and the outcome; never a secret or a token. E.g.
/// <c>10:01:02 POST /oauth/token client_id=platform scope="DEFAULT authenticated 900002" secret=fp:1a2b3c4d → 200</c>.
/// </summary>
internal static class RequestLogLine
{
    private const string BaseScope = "DEFAULT authenticated";

    public static string Format(PeddlerTokenRequestRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var line = new StringBuilder();
        line.Append(record.ReceivedAt.ToString("HH:mm:ss", CultureInfo.InvariantCulture));
        line.Append(" POST ").Append(PeddlerAuthorizationServer.TokenPath);
        line.Append(" client_id=").Append(record.ClientId is { } id ? Quoted(id, always: false) : "(none)");

        string? scope = record.GetField("scope");
        if (record.StatusCode == 200 && record.Error is null && record.Fault is null)
        {
            // The server grants DEFAULT authenticated and the one carrier asked for, whatever the order asked.
            string? carrier = scope?.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault(t => t is not ("DEFAULT" or "authenticated"));
            scope = carrier is null ? BaseScope : BaseScope + " " + carrier;
        }

        line.Append(" scope=").Append(scope is null ? "(none)" : Quoted(scope, always: true));
        line.Append(" secret=").Append(record.SecretFingerprint is { } fingerprint ? "fp:" + fingerprint : "(none)");
        line.Append(" → ").Append(record.StatusCode is int status ? status.ToString(CultureInfo.InvariantCulture) : "no response");
        if (record.Error is not null)
        {
            line.Append(' ').Append(record.Error);
        }

        if (record.Fault is not null)
        {
            line.Append(" (fault ").Append(record.Fault).Append(')');
        }

        return line.ToString();
    }

    /// <summary>The value in quotes when asked or needed, with quotes, backslashes and control characters escaped (one line per request).</summary>
    private static string Quoted(string value, bool always)
    {
        bool plain = value.Length > 0 && value.All(c => c is > ' ' and < '\u007f' and not '"' and not '\\');
        if (plain && !always)
        {
            return value;
        }

        var text = new StringBuilder("\"");
        foreach (char c in value)
        {
            if (c is '"' or '\\')
            {
                text.Append('\\').Append(c);
            }
            else if (char.IsControl(c))
            {
                text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
            else
            {
                text.Append(c);
            }
        }

        return text.Append('"').ToString();
    }
}
