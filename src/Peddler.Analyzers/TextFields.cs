using System;
using static Peddler.Analyzers.TextTemplates;

namespace Peddler.Analyzers;

/// <summary>
/// The fields of text that embeds a secret: form bodies and query strings
/// (<c>…&amp;client_secret=VALUE</c>), JSON (<c>"client_secret": "VALUE"</c>) and XML
/// (<c>&lt;ClientSecret&gt;VALUE&lt;/ClientSecret&gt;</c>). Pure string rules over a template of
/// <see cref="TextTemplates"/>; holes never count as values.
/// </summary>
internal static class TextFields
{
    /// <summary>Returns the first field in <paramref name="text"/> that holds a secret written in the text, and the secret.</summary>
    public static (Sink Sink, string Value)? FindEmbeddedSecret(string text, SecretOptions options)
    {
        bool oauthText = text.IndexOf("client_id", StringComparison.OrdinalIgnoreCase) >= 0
            || text.IndexOf("clientid", StringComparison.OrdinalIgnoreCase) >= 0
            || text.IndexOf("grant_type", StringComparison.OrdinalIgnoreCase) >= 0;
        foreach ((int keyStart, int end) in SecretNames.KeyRuns(text))
        {
            string key = text.Substring(keyStart, end - keyStart);
            if (!options.MayNameSink(key))
            {
                continue;
            }

            // A weak key counts when the text also has client_id or grant_type.
            Sink? sink = Sink.Named(key, TextFieldKind(text, keyStart, end), options);
            if (sink is null || (sink.IsWeak && !oauthText))
            {
                continue;
            }

            string? value = ReadValue(text, keyStart, end);
            if (value is not null && IsEmbeddedSecret(value, sink, options))
            {
                return (sink, value);
            }
        }

        return null;
    }

    /// <summary>Whether the key at <paramref name="keyStart"/> is an XML element, a JSON field (quoted) or a form field.</summary>
    private static SinkKind TextFieldKind(string text, int keyStart, int keyEnd)
    {
        char before = keyStart > 0 ? text[keyStart - 1] : '\0';
        char after = keyEnd < text.Length ? text[keyEnd] : '\0';
        return before == '<' && after == '>' ? SinkKind.XmlElement
            : before is '"' or '\'' && after == before ? SinkKind.JsonField
            : SinkKind.FormField;
    }

    /// <summary>Reads the value after a key: <c>key=value</c>, <c>"key": "value"</c>, <c>&lt;key&gt;value&lt;/key&gt;</c>.</summary>
    private static string? ReadValue(string text, int keyStart, int keyEnd)
    {
        bool quotedKey = keyStart > 0 && keyEnd < text.Length && text[keyStart - 1] is '"' or '\'' && text[keyEnd] == text[keyStart - 1];
        bool xmlKey = keyStart > 0 && keyEnd < text.Length && text[keyStart - 1] == '<' && text[keyEnd] == '>';
        int i = keyEnd;
        if (xmlKey)
        {
            int close = text.IndexOf('<', i + 1);
            return close < 0 ? null : text.Substring(i + 1, close - i - 1);
        }

        if (quotedKey)
        {
            i++;
        }

        while (i < text.Length && text[i] == ' ')
        {
            i++;
        }

        if (i >= text.Length || !(text[i] == '=' || (quotedKey && text[i] == ':')))
        {
            return null;
        }

        i++;
        while (i < text.Length && text[i] == ' ')
        {
            i++;
        }

        if (i < text.Length && text[i] is '"' or '\'')
        {
            char quote = text[i];
            int close = text.IndexOf(quote, i + 1);
            return close < 0 ? null : text.Substring(i + 1, close - i - 1);
        }

        if (quotedKey)
        {
            // JSON values that are not strings (numbers, null, objects) are not secrets.
            return null;
        }

        int valueEnd = i;
        while (valueEnd < text.Length && !IsValueDelimiter(text[valueEnd]))
        {
            valueEnd++;
        }

        // client_secret=abc{hole}: only part of the value is in the text.
        if (valueEnd < text.Length && text[valueEnd] == Hole)
        {
            return null;
        }

        return text.Substring(i, valueEnd - i);
    }

    /// <summary>Whether a value read from a text field is a secret: written whole in the text, shaped like a URL-encoded token, and reportable at <paramref name="sink"/>.</summary>
    private static bool IsEmbeddedSecret(string value, Sink sink, SecretOptions options)
    {
        if (value.IndexOf(Hole) >= 0)
        {
            return false;
        }

        foreach (char c in value)
        {
            // Values in bodies are URL-encoded tokens; regular expressions, format strings and markup are not secrets.
            if (!char.IsLetterOrDigit(c) && "-._~%+/=!@#$*^".IndexOf(c) < 0)
            {
                return false;
            }
        }

        return ValueRules.IsReportable(value, sink, options, vaultNames: false);
    }

    private static bool IsValueDelimiter(char c) => c is '&' or ';' or ',' or '"' or '\'' or '`' or Hole || char.IsWhiteSpace(c);
}
