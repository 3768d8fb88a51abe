using System.Collections.Generic;
using System.Text;

namespace Peddler.Analyzers;

/// <summary>
/// A tolerant reader of JSON as .NET configuration files are written (comments, trailing commas):
/// yields every string value with its key path and its position in the text. Malformed input ends
/// the scan quietly; nothing here throws.
/// </summary>
internal static class JsonScanner
{
    /// <summary>A string value: its key path (array items take their array's key), decoded value and the span of its literal, quotes included.</summary>
    internal readonly struct Entry
    {
        public Entry(IReadOnlyList<string> path, bool inArray, string value, int start, int end)
        {
            Path = path;
            InArray = inArray;
            Value = value;
            Start = start;
            End = end;
        }

        public IReadOnlyList<string> Path { get; }

        public bool InArray { get; }

        public string Value { get; }

        public int Start { get; }

        public int End { get; }
    }

    /// <summary>Every string value of <paramref name="json"/> that sits under a key.</summary>
    public static List<Entry> StringValues(string json)
    {
        var entries = new List<Entry>();
        var keys = new List<string>();      // key path of the containers entered
        var isArray = new List<bool>();     // per container: array or object
        string? pendingKey = null;          // the key read in the current object, waiting for its value
        bool expectKey = false;
        int i = 0;
        while (i < json.Length)
        {
            char c = json[i];
            if (char.IsWhiteSpace(c) || c == ',' || c == ':')
            {
                if (c == ',' && isArray.Count > 0 && !isArray[isArray.Count - 1])
                {
                    expectKey = true;
                }

                i++;
                continue;
            }

            if (c == '/' && i + 1 < json.Length && (json[i + 1] == '/' || json[i + 1] == '*'))
            {
                i = SkipComment(json, i);
                continue;
            }

            switch (c)
            {
                case '{':
                case '[':
                    if (isArray.Count > 0)
                    {
                        // The container takes the key it is the value of; an array item has none.
                        keys.Add(isArray[isArray.Count - 1] ? string.Empty : pendingKey ?? string.Empty);
                    }

                    isArray.Add(c == '[');
                    pendingKey = null;
                    expectKey = c == '{';
                    i++;
                    continue;
                case '}':
                case ']':
                    if (isArray.Count > 0)
                    {
                        isArray.RemoveAt(isArray.Count - 1);
                    }

                    if (keys.Count > 0 && isArray.Count > 0)
                    {
                        keys.RemoveAt(keys.Count - 1);
                    }

                    pendingKey = null;
                    expectKey = false;
                    i++;
                    continue;
                case '"':
                case '\'':
                    int start = i;
                    string? text = ReadString(json, ref i);
                    if (text is null)
                    {
                        return entries;
                    }

                    bool inArray = isArray.Count > 0 && isArray[isArray.Count - 1];
                    if (!inArray && expectKey)
                    {
                        pendingKey = text;
                        expectKey = false;
                    }
                    else if (inArray && keys.Count > 0)
                    {
                        entries.Add(new Entry(keys.ToArray(), true, text, start, i));
                    }
                    else if (!inArray && pendingKey is not null)
                    {
                        var path = new List<string>(keys) { pendingKey };
                        entries.Add(new Entry(path, false, text, start, i));
                        pendingKey = null;
                    }

                    continue;
                default:
                    // Numbers, true, false, null: not strings; skip the token.
                    while (i < json.Length && !char.IsWhiteSpace(json[i]) && json[i] is not (',' or '}' or ']' or ':'))
                    {
                        i++;
                    }

                    pendingKey = null;
                    continue;
            }
        }

        return entries;
    }

    private static int SkipComment(string json, int i)
    {
        if (json[i + 1] == '/')
        {
            int end = json.IndexOf('\n', i);
            return end < 0 ? json.Length : end + 1;
        }

        int close = json.IndexOf("*/", i + 2, System.StringComparison.Ordinal);
        return close < 0 ? json.Length : close + 2;
    }

    /// <summary>Reads a quoted string at <paramref name="i"/> and moves past it; <see langword="null"/> when it is not closed.</summary>
    private static string? ReadString(string json, ref int i)
    {
        char quote = json[i];
        var value = new StringBuilder();
        for (int j = i + 1; j < json.Length; j++)
        {
            char c = json[j];
            if (c == quote)
            {
                i = j + 1;
                return value.ToString();
            }

            if (c == '\n')
            {
                return null;
            }

            if (c != '\\' || j + 1 >= json.Length)
            {
                value.Append(c);
                continue;
            }

            char e = json[++j];
            switch (e)
            {
                case 'n': value.Append('\n'); break;
                case 't': value.Append('\t'); break;
                case 'r': value.Append('\r'); break;
                case 'b': value.Append('\b'); break;
                case 'f': value.Append('\f'); break;
                case 'u' when j + 4 < json.Length && int.TryParse(json.Substring(j + 1, 4), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture, out int code):
                    value.Append((char)code);
                    j += 4;
                    break;
                default: value.Append(e); break;
            }
        }

        return null;
    }
}
