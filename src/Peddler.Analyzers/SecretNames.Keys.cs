using System.Collections.Generic;

namespace Peddler.Analyzers;

/// <summary>Keys: the names written in text and as constant strings (dictionary keys, form and JSON fields).</summary>
internal static partial class SecretNames
{
    /// <summary>Whether <paramref name="c"/> can be part of a key written in text (<c>client_secret</c>, <c>Peddler.ClientSecret</c>, <c>client-secret</c>).</summary>
    public static bool IsKeyChar(char c) => char.IsLetterOrDigit(c) || c == '_' || c == '-' || c == '.';

    /// <summary>
    /// The keys of <paramref name="text"/>: every maximal run of <see cref="IsKeyChar"/> characters,
    /// as its start and end (exclusive), in order. The one scan behind the text pre-check
    /// (<see cref="SecretOptions.MayMentionSink"/>) and the text fields (<see cref="TextFields"/>).
    /// </summary>
    public static IEnumerable<(int Start, int End)> KeyRuns(string text)
    {
        int start = 0;
        while (start < text.Length)
        {
            if (!IsKeyChar(text[start]))
            {
                start++;
                continue;
            }

            int end = start + 1;
            while (end < text.Length && IsKeyChar(text[end]))
            {
                end++;
            }

            yield return (start, end);
            start = end;
        }
    }

    /// <summary>Whether a constant key is a plain name (letters, digits, <c>_ - . : @ $</c>), not a pattern or a sentence.</summary>
    public static bool IsKeyLike(string key)
    {
        if (key.Length == 0 || key.Length > 128)
        {
            return false;
        }

        foreach (char c in key)
        {
            if (!char.IsLetterOrDigit(c) && c != '_' && c != '-' && c != '.' && c != ':' && c != '@' && c != '$')
            {
                return false;
            }
        }

        return true;
    }
}
