using System;
using System.Collections.Generic;
using System.Text.RegularExpressions;

namespace Peddler.Analyzers;

/// <summary>
/// The value rules of PDL001 (documented in <c>docs/diagnostics/PDL001.md</c>): which constant
/// strings are secrets and which are empty values, placeholders, setting names or prose.
/// </summary>
internal static class SecretValues
{
    /// <summary>The built-in placeholder patterns, matched against the trimmed value, case-insensitively.</summary>
    public static readonly string[] PlaceholderPatterns =
    [
        @"^<[^<>]*>$",                 // <insert_client_secret_here>, <client-secret>
        @"^\$\{[^{}]*\}$",             // ${PEDDLER_CLIENT_SECRET}
        @"^#\{[^{}]*\}#?$",            // #{ClientSecret}, #{Octopus.Secret}# (deployment substitutions)
        @"^\$\([^()]*\)$",             // $(ClientSecret)
        @"^\$[A-Za-z_][A-Za-z0-9_]*$", // $CLIENT_SECRET
        @"^%[^%\s]+%$",                // %CLIENT_SECRET%
        @"^\{\{.*\}\}$",               // {{client_secret}}
        @"^\{[^{}]*\}$",               // {secret}, {0}
        @"^\[[^\[\]]*\]$",             // [REDACTED], [secret]
        @"^@Microsoft\.KeyVault\(",    // App Service Key Vault reference
        @"^(.)\1*$",                   // ***, xxxx, 0000, ...... (after removing - _ .)
    ];

    private static readonly Regex[] BuiltInPlaceholders = Compile(PlaceholderPatterns);

    /// <summary>Fragments that mark a value as a placeholder when its letters and digits, lower-cased, contain them (long enough not to occur in random secrets).</summary>
    public static readonly string[] PlaceholderFragments =
    [
        "changeme", "changeit", "replaceme", "replacewith", "placeholder", "redacted", "notset", "fixme",
        "insertyour", "enteryour", "yoursecret", "yourclient", "yourapp", "goeshere", "secrethere", "valuehere", "notreal", "notareal",
    ];

    /// <summary>Words that mark a value as a placeholder when the value, split into words like a name, has one of them (<c>fake-secret</c>, but not <c>q8Zr2LmT0vXk5NwPfake</c>).</summary>
    public static readonly string[] PlaceholderWordsInValue = ["todo", "tbd", "example", "sample", "dummy", "fake"];

    /// <summary>Prefixes that mark a value as a placeholder (<c>YOUR_CLIENT_SECRET</c>, <c>insert-secret</c>).</summary>
    public static readonly string[] PlaceholderPrefixes = ["your", "insert", "enter"];

    /// <summary>Whole values (letters and digits, lower-cased) that are placeholders.</summary>
    public static readonly string[] PlaceholderWords =
    [
        "none", "null", "nil", "undefined", "empty", "na", "unknown", "unset",
        // Status and validation words ("ClientSecret": "Required").
        "required", "invalid", "missing", "expired", "error", "wrong", "valid", "true", "false", "yes", "no", "ok",
        "hidden", "masked", "obfuscated", "omitted", "censored", "sensitive", "ignored", "unused",
    ];

    /// <summary>Values shorter than this (after trimming) are not reported.</summary>
    public const int MinimumLength = 3;

    /// <summary>Whether <paramref name="value"/> is a plausible hard-coded secret.</summary>
    public static bool IsSecret(string? value, SecretOptions options)
    {
        if (value is null)
        {
            return false;
        }

        string v = value.Trim();
        if (v.Length < MinimumLength)
        {
            return false;
        }

        foreach (char c in v)
        {
            // Prose ("Set the client secret") and multi-line text are not secrets.
            if (char.IsWhiteSpace(c))
            {
                return false;
            }
        }

        // An address is not a secret (https://vault/..., file://...).
        int scheme = v.IndexOf("://", StringComparison.Ordinal);
        if (scheme > 0 && IsSchemeName(v, scheme))
        {
            return false;
        }

        if (SecretNames.IsSecretSettingName(v) || SecretNames.IsSecretSettingName(StripDecoration(v)) || IsSecretMarker(v))
        {
            // client_secret, Peddler:ClientSecret, and token-replacement markers around them:
            // #{ClientSecret}#, __CLIENT_SECRET__, @ClientSecret@.
            return false;
        }

        return !IsPlaceholder(v, options);
    }

    /// <summary>
    /// Whether <paramref name="value"/> is the name of its own sink (<c>Secret = "secret"</c>,
    /// <c>NoSecret = "NoSecret"</c>): a JSON key or label constant, not a value.
    /// </summary>
    public static bool IsOwnName(string value, string sinkName)
    {
        string v = SecretNames.Normalize(value);
        return v.Length > 0 && v == SecretNames.Normalize(sinkName);
    }

    /// <summary>
    /// Whether a value is shaped like a name or a label rather than a generated secret: one to four
    /// words joined by <c>- _ . :</c>, each either letters only — lower case, upper case, capitalised,
    /// or a compound of at most three such parts of two or more letters (<c>PublicCloud</c>,
    /// <c>PCAClient</c>) — of at most 16 letters, or a short code of at most four upper-case letters
    /// and digits (<c>S2S</c>, <c>B2C</c>): <c>secret</c>, <c>App-Default</c>, <c>client_credentials</c>,
    /// <c>User-PublicCloud-Config</c>, <c>App-S2S-Config</c>. Used for weak sink names and vault
    /// listings only.
    /// </summary>
    public static bool IsWordShaped(string value)
    {
        string[] words = value.Trim().Split('-', '_', '.', ':');
        if (words.Length > 4)
        {
            return false;
        }

        foreach (string word in words)
        {
            if (!IsNameWord(word) && !IsShortCode(word))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Whether a value is Base64 of JSON (<c>eyJ…</c>: a JWT or an encoded JSON object such as MSAL's client info): a token, not a secret someone chose.</summary>
    public static bool IsEncodedJson(string value) =>
        value.Length > 16 && value.StartsWith("eyJ", StringComparison.Ordinal);

    private static bool IsNameWord(string word)
    {
        if (word.Length == 0 || word.Length > 16)
        {
            return false;
        }

        // Parts start at the first letter and at every upper-case letter that follows a lower-case
        // one or that starts a capitalised run (PCAClient: PCA | Client).
        int parts = 1;
        int partLength = 0;
        for (int i = 0; i < word.Length; i++)
        {
            char c = word[i];
            if (!char.IsLetter(c))
            {
                return false;
            }

            bool starts = i > 0 && char.IsUpper(c)
                && (char.IsLower(word[i - 1]) || (i + 1 < word.Length && char.IsLower(word[i + 1]) && char.IsUpper(word[i - 1])));
            if (starts)
            {
                if (partLength < 2)
                {
                    return false;
                }

                parts++;
                partLength = 0;
            }

            partLength++;
        }

        return parts <= 3 && partLength >= (parts == 1 ? 1 : 2);
    }

    private static bool IsShortCode(string word)
    {
        if (word.Length == 0 || word.Length > 4)
        {
            return false;
        }

        bool letter = false;
        foreach (char c in word)
        {
            if (!(char.IsUpper(c) || char.IsDigit(c)))
            {
                return false;
            }

            letter |= char.IsLetter(c);
        }

        return letter;
    }

    /// <summary>Whether a trimmed value is a placeholder by the built-in or configured rules.</summary>
    public static bool IsPlaceholder(string v, SecretOptions options)
    {
        foreach (Regex regex in BuiltInPlaceholders)
        {
            string input = regex == BuiltInPlaceholders[BuiltInPlaceholders.Length - 1]
                ? v.Replace("-", string.Empty).Replace("_", string.Empty).Replace(".", string.Empty)
                : v;
            if (input.Length > 0 && SafeIsMatch(regex, input))
            {
                return true;
            }
        }

        string letters = LettersAndDigits(v);
        if (letters.Length == 0)
        {
            return true;
        }

        foreach (string fragment in PlaceholderFragments)
        {
            if (letters.IndexOf(fragment, StringComparison.Ordinal) >= 0)
            {
                return true;
            }
        }

        List<string> words = SecretNames.SplitWords(v);
        foreach (string word in words)
        {
            // xxx, XXXX: all x.
            if (word.Length >= 3 && word.Trim('x').Length == 0)
            {
                return true;
            }

            foreach (string placeholder in PlaceholderWordsInValue)
            {
                if (word == placeholder)
                {
                    return true;
                }
            }
        }

        if (words.Count > 1)
        {
            foreach (string prefix in PlaceholderPrefixes)
            {
                if (words[0] == prefix)
                {
                    return true;
                }
            }
        }
        else if (words.Count == 1 && letters.StartsWith("your", StringComparison.Ordinal))
        {
            return true;
        }

        foreach (string word in PlaceholderWords)
        {
            if (letters == word)
            {
                return true;
            }
        }

        foreach (Regex regex in options.PlaceholderPatterns)
        {
            if (SafeIsMatch(regex, v))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Compiles patterns case-insensitively with a match timeout; invalid patterns are skipped.</summary>
    public static Regex[] Compile(IEnumerable<string> patterns)
    {
        var list = new List<Regex>();
        foreach (string pattern in patterns)
        {
            string p = pattern.Trim();
            if (p.Length == 0)
            {
                continue;
            }

            try
            {
                list.Add(new Regex(p, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100)));
            }
            catch (ArgumentException)
            {
                // An invalid pattern in .editorconfig must not break the build; it is ignored.
            }
        }

        return list.ToArray();
    }

    /// <summary>Removes the punctuation around a value: <c>#{ClientSecret}#</c> becomes <c>ClientSecret</c>.</summary>
    /// <summary>
    /// Whether <paramref name="v"/> is a token-replacement marker named for a client secret whose
    /// words carry digits (<c>___AUTH0_VALID__CLIENT_SECRET___</c>, <c>__M2M_CLIENT_SECRET__</c>),
    /// which <see cref="SecretNames.IsSecretSettingName"/> leaves to the value rules: wrapped in
    /// <c>_</c> on both sides, letters, digits and <c>_</c> inside, and ending in a strong secret name.
    /// </summary>
    private static bool IsSecretMarker(string v)
    {
        if (v.Length < 8 || !v.StartsWith("__", StringComparison.Ordinal) || !v.EndsWith("__", StringComparison.Ordinal))
        {
            return false;
        }

        string inner = v.Trim('_');
        foreach (char c in inner)
        {
            if (!char.IsLetterOrDigit(c) && c != '_')
            {
                return false;
            }
        }

        List<string> words = SecretNames.SplitWords(inner);
        return words.Count >= 2 && words[words.Count - 1] == SecretNames.Word && SecretNames.Classify(inner) == SecretNameKind.Strong;
    }

    private static string StripDecoration(string v)
    {
        int start = 0;
        int end = v.Length;
        while (start < end && !char.IsLetterOrDigit(v[start]))
        {
            start++;
        }

        while (end > start && !char.IsLetterOrDigit(v[end - 1]))
        {
            end--;
        }

        return v.Substring(start, end - start);
    }

    private static bool SafeIsMatch(Regex regex, string input)
    {
        try
        {
            return regex.IsMatch(input);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }

    private static string LettersAndDigits(string v)
    {
        var chars = new char[v.Length];
        int count = 0;
        foreach (char c in v)
        {
            if (char.IsLetterOrDigit(c))
            {
                chars[count++] = char.ToLowerInvariant(c);
            }
        }

        return new string(chars, 0, count);
    }

    private static bool IsSchemeName(string v, int length)
    {
        if (!char.IsLetter(v[0]))
        {
            return false;
        }

        for (int i = 1; i < length; i++)
        {
            char c = v[i];
            if (!char.IsLetterOrDigit(c) && c != '+' && c != '.' && c != '-')
            {
                return false;
            }
        }

        return true;
    }
}
