using System;
using System.Collections.Generic;

namespace Peddler.Analyzers;

/// <summary>How strongly an identifier (or key) names a client secret.</summary>
internal enum SecretNameKind
{
    /// <summary>Not a client-secret name: no <c>secret</c> word, or <c>secret</c> followed by a word such as <c>Name</c>, <c>Key</c> or <c>Path</c>.</summary>
    None,

    /// <summary><c>secret</c> alone or after an unqualified word (<c>secret</c>, <c>_secret</c>, <c>integrationSecret</c>): a client secret only in an OAuth context.</summary>
    Weak,

    /// <summary><c>secret</c> after a qualifier (<c>clientSecret</c>, <c>client_secret</c>, <c>AppSecret</c>, <c>OAuthSecret</c>, <c>ApiSecret</c>).</summary>
    Strong,
}

/// <summary>
/// The word rules of PDL001 (documented in <c>docs/diagnostics/PDL001.md</c>). A name is split
/// into lower-case words at <c>_</c>, <c>-</c>, <c>.</c>, <c>:</c>, spaces and camel-case humps;
/// the last <c>secret</c> word decides.
/// </summary>
internal static partial class SecretNames
{
    /// <summary>The word every built-in sink name has (<c>clientSecret</c>, <c>client_secret</c>, <c>Secret</c>).</summary>
    public const string Word = "secret";

    /// <summary>Words that make <c>…Secret</c> a client secret on their own.</summary>
    private static readonly HashSet<string> Qualifiers = new(StringComparer.Ordinal)
    {
        "client", "app", "application", "oauth", "oauth2", "auth", "consumer", "api", "peddler", "carrier",
    };

    /// <summary>Words allowed after <c>secret</c>: they still name the value itself.</summary>
    private static readonly HashSet<string> ValueSuffixes = new(StringComparer.Ordinal)
    {
        "value", "plain", "plaintext", "raw", "str", "string", "base64", "b64", "async",
    };

    /// <summary>Words before <c>secret</c> that name secrets of other kinds (signing keys, webhooks, vaults).</summary>
    private static readonly HashSet<string> OtherSecretKinds = new(StringComparer.Ordinal)
    {
        "jwt", "signing", "hmac", "webhook", "encryption", "cookie", "session", "csrf", "totp", "otp", "mfa",
        "recovery", "vault", "keyvault", "kv", "aws", "azure", "key", "secret", "shared",
        // A refresh token's or an OAuth 1 token's secret is a token, not the client's secret.
        "rt", "refresh", "token",
    };

    /// <summary>First words that make a name a condition, flag or error code about a secret (<c>InvalidClientSecret</c>, <c>HasSecret</c>).</summary>
    private static readonly HashSet<string> ConditionWords = new(StringComparer.Ordinal)
    {
        "no", "invalid", "missing", "expired", "wrong", "bad", "empty", "null", "has", "is", "use", "uses", "require", "requires",
        "required", "without", "unknown", "error", "show", "hide", "rotate", "reset", "generate", "validate", "verify", "check",
    };

    /// <summary>Words that place a weak name in an OAuth / credentials context.</summary>
    private static readonly HashSet<string> ContextWords = new(StringComparer.Ordinal)
    {
        "client", "clients", "oauth", "oauth2", "auth", "authenticate", "authentication", "authorization", "authorize",
        "credential", "credentials", "creds", "cred", "token", "tokens", "peddler", "identity", "idp", "oidc", "openid",
        "sso", "confidential", "tenant", "grant", "msal", "entra", "aad", "carrier", "login", "signin",
    };

    /// <summary>Words that say client authentication on their own (<c>OAuthSettings</c>, <c>ClientRegistration</c>, <c>CredentialsProvider</c>).</summary>
    private static readonly HashSet<string> ClientAuthWords = new(StringComparer.Ordinal)
    {
        "client", "clients", "oauth", "oauth2", "oidc", "openid", "msal", "peddler", "carrier", "confidential",
        "grant", "credential", "credentials", "creds", "cred",
    };

    /// <summary>Words before <c>client</c> that make it a client of something else (<c>HttpClient</c>, <c>SecretClient</c>).</summary>
    private static readonly HashSet<string> OtherClients = new(StringComparer.Ordinal)
    {
        "http", "web", "rest", "grpc", "secret", "blob", "queue", "table", "storage", "sql", "redis", "mail", "smtp",
        "ftp", "tcp", "udp", "socket", "signal", "hub", "cosmos", "document", "search", "kv", "vault", "keyvault",
    };

    /// <summary>Words next to <c>token</c> that make it the OAuth token exchange (<c>TokenRequest</c>, <c>TokenEndpoint</c>, <c>AcquireToken</c>).</summary>
    private static readonly HashSet<string> TokenExchangeWords = new(StringComparer.Ordinal)
    {
        "request", "requests", "endpoint", "url", "uri", "address", "acquire", "acquisition", "exchange", "get", "fetch", "client",
        "service", "services", "manager",
    };

    /// <summary>Words of a method name that say it authenticates (<c>Authenticate(id, secret)</c>, <c>LoginAsync</c>): context for its parameters and body, not for a type or namespace.</summary>
    private static readonly HashSet<string> AuthenticationVerbs = new(StringComparer.Ordinal)
    {
        "authenticate", "authentication", "auth", "authorize", "login", "logon", "signin",
    };

    /// <summary>
    /// Normalised names that, beside a weak name, show a client authentication: the client's id, the
    /// grant, the token endpoint, the scopes (<c>client_id</c>, <c>ClientId</c>, <c>grant_type</c>).
    /// </summary>
    private static readonly HashSet<string> ClientAuthNeighbours = new(StringComparer.Ordinal)
    {
        "clientid", "clientids", "appid", "applicationid", "consumerkey", "granttype", "grant", "tokenendpoint", "tokenurl",
        "tokenuri", "tokenaddress", "authority", "scope", "scopes", "clientcredentials", "redirecturi", "audience",
    };

    /// <summary>Words of names that say the secret is of another kind: a signing key, an admin's password, a webhook's secret.</summary>
    private static readonly HashSet<string> OtherSecretUses = new(StringComparer.Ordinal)
    {
        "hmac", "signing", "signature", "signer", "webhook", "webhooks", "hook", "jwt", "jws", "jwe", "hash", "hasher",
        "encrypt", "encryption", "encryptor", "decrypt", "cipher", "admin", "administrator", "password", "cookie", "csrf",
        "antiforgery", "totp", "otp", "mfa", "session",
    };

    /// <summary>
    /// Whether a type, member or namespace name says OAuth client authentication: one of
    /// <c>client</c> (not <c>HttpClient</c>, <c>SecretClient</c>), <c>oauth</c>, <c>oidc</c>, <c>openid</c>,
    /// <c>msal</c>, <c>credentials</c>, <c>grant</c>, <c>confidential</c>, <c>peddler</c>, <c>carrier</c>, or
    /// <c>token</c> in the token exchange (<c>TokenRequest</c>, <c>TokenEndpoint</c>, <c>GetTokenAsync</c>).
    /// Broad words alone (<c>auth</c>, <c>identity</c>, <c>login</c>, a bare <c>token</c>) are not enough.
    /// </summary>
    public static bool IsClientAuthName(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return false;
        }

        List<string> words = SplitWords(name!);
        for (int i = 0; i < words.Count; i++)
        {
            string w = words[i];
            string previous = i > 0 ? words[i - 1] : string.Empty;
            string next = i + 1 < words.Count ? words[i + 1] : string.Empty;
            if (w is "client" or "clients")
            {
                if (!OtherClients.Contains(previous))
                {
                    return true;
                }

                continue;
            }

            if (w is "token" or "tokens")
            {
                if (previous != "cancellation" && (TokenExchangeWords.Contains(previous) || TokenExchangeWords.Contains(next)))
                {
                    return true;
                }

                continue;
            }

            if (ClientAuthWords.Contains(w)
                || (w.Length > 6 && (w.Contains("oauth") || w.Contains("credential") || w.Contains("peddler"))))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether a method name says the method authenticates: <c>Authenticate</c>, <c>LoginAsync</c>, <c>SignIn</c>, <c>GetAuthHeader</c>.</summary>
    public static bool IsAuthenticationMethodName(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return false;
        }

        List<string> words = SplitWords(name!);
        for (int i = 0; i < words.Count; i++)
        {
            if (AuthenticationVerbs.Contains(words[i]) || (words[i] is "sign" or "log" && i + 1 < words.Count && words[i + 1] is "in" or "on"))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether a name beside a weak name shows a client authentication (<c>ClientId</c>, <c>client_id</c>, <c>grant_type</c>, <c>TokenEndpoint</c>, <c>Scopes</c>).</summary>
    public static bool IsClientAuthNeighbour(string? name) =>
        !string.IsNullOrEmpty(name) && ClientAuthNeighbours.Contains(Normalize(name!));

    /// <summary>Whether a name says its secret is of another kind: <c>HmacSigner</c>, <c>ComputeSignature</c>, <c>AdminUser</c>, <c>WebhookOptions</c>.</summary>
    public static bool IsOtherSecretUse(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return false;
        }

        foreach (string word in SplitWords(name!))
        {
            if (OtherSecretUses.Contains(word))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether <paramref name="name"/> has one of <paramref name="words"/> as a word (<c>MsalRefreshTokenCacheItem</c> has <c>cache</c>).</summary>
    public static bool HasWord(string name, params string[] words)
    {
        foreach (string word in SplitWords(name))
        {
            if (Array.IndexOf(words, word) >= 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Splits a name into lower-case words (camel case, snake case, kebab case, dotted and colon paths).</summary>
    public static List<string> SplitWords(string name)
    {
        var words = new List<string>();
        int start = -1;
        for (int i = 0; i <= name.Length; i++)
        {
            bool end = i == name.Length;
            char c = end ? '\0' : name[i];
            bool separator = end || !char.IsLetterOrDigit(c);
            bool hump = false;
            if (!separator && start >= 0 && char.IsUpper(c))
            {
                char previous = name[i - 1];
                // fooBar -> foo|Bar; FOOBar -> FOO|Bar; but keep FOO together.
                hump = char.IsLower(previous) || char.IsDigit(previous)
                    || (char.IsUpper(previous) && i + 1 < name.Length && char.IsLower(name[i + 1]));
            }

            if ((separator || hump) && start >= 0)
            {
                words.Add(name.Substring(start, i - start).ToLowerInvariant());
                start = -1;
            }

            if (!separator && start < 0)
            {
                start = i;
            }
        }

        // "OAuth" splits into "o" + "auth"; join them back.
        for (int i = 0; i + 1 < words.Count; i++)
        {
            if (words[i] == "o" && words[i + 1].StartsWith("auth", StringComparison.Ordinal))
            {
                words[i] = "o" + words[i + 1];
                words.RemoveAt(i + 1);
            }
        }

        // "clientsecret", "appsecret", "peddlerclientsecret": split the trailing "secret" off.
        for (int i = 0; i < words.Count; i++)
        {
            string w = words[i];
            if (w.Length > 6 && w.EndsWith("secret", StringComparison.Ordinal))
            {
                words[i] = w.Substring(0, w.Length - 6);
                words.Insert(i + 1, "secret");
                i++;
            }
        }

        return words;
    }

    /// <summary>Normalises a name for comparisons with configured names: lower case, letters and digits only, without the <c>m_</c> / <c>s_</c> / <c>_</c> field prefixes.</summary>
    public static string Normalize(string name)
    {
        string n = name.TrimStart('@');
        if (n.StartsWith("m_", StringComparison.Ordinal) || n.StartsWith("s_", StringComparison.Ordinal) || n.StartsWith("t_", StringComparison.Ordinal))
        {
            n = n.Substring(2);
        }

        var chars = new char[n.Length];
        int count = 0;
        foreach (char c in n)
        {
            if (char.IsLetterOrDigit(c))
            {
                chars[count++] = char.ToLowerInvariant(c);
            }
        }

        return new string(chars, 0, count);
    }

    /// <summary>Classifies a name by the word rules; see <see cref="SecretNameKind"/>.</summary>
    public static SecretNameKind Classify(string? name)
    {
        if (name is null || name.Length < 6 || name.IndexOf("secret", StringComparison.OrdinalIgnoreCase) < 0)
        {
            return SecretNameKind.None;
        }

        List<string> words = SplitWords(name);
        int index = words.LastIndexOf("secret");
        if (index < 0)
        {
            return SecretNameKind.None;
        }

        // InvalidClientSecret, NoSecret, HasClientSecret, RequireClientSecret: a condition, flag or
        // error code about a secret, not the secret.
        int first = words[0].Length == 1 && words.Count > 1 ? 1 : 0;
        if (first < index && ConditionWords.Contains(words[first]))
        {
            return SecretNameKind.None;
        }

        for (int i = index + 1; i < words.Count; i++)
        {
            if (!ValueSuffixes.Contains(words[i]))
            {
                return SecretNameKind.None;
            }
        }

        // A single-letter field prefix (m_, s_, t_) is not a word.
        int previousIndex = index - 1;
        if (previousIndex == 0 && words[0].Length == 1)
        {
            previousIndex = -1;
        }

        if (previousIndex < 0)
        {
            return SecretNameKind.Weak;
        }

        string previous = words[previousIndex];
        if (Qualifiers.Contains(previous))
        {
            return SecretNameKind.Strong;
        }

        if (OtherSecretKinds.Contains(previous))
        {
            return SecretNameKind.None;
        }

        return SecretNameKind.Weak;
    }

    /// <summary>Whether any of the words of <paramref name="name"/> places a weak secret name in an OAuth context.</summary>
    public static bool IsContextName(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return false;
        }

        List<string> words = SplitWords(name!);
        for (int i = 0; i < words.Count; i++)
        {
            string w = words[i];
            if (w == "token" || w == "tokens")
            {
                // CancellationToken is everywhere and says nothing about OAuth.
                if (i > 0 && words[i - 1] == "cancellation")
                {
                    continue;
                }

                return true;
            }

            if (ContextWords.Contains(w))
            {
                return true;
            }

            if (w.Length > 6 && (w.Contains("client") || w.Contains("oauth") || w.Contains("credential") || w.Contains("peddler")))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Whether a string value is the name of a client-secret setting rather than a secret:
    /// <c>client_secret</c>, <c>ClientSecret</c>, <c>Peddler:ClientSecret</c>,
    /// <c>PEDDLER_CLIENT_SECRET</c>, <c>client-secret</c>.
    /// </summary>
    public static bool IsSecretSettingName(string value)
    {
        if (value.Length < 6 || value.Length > 128 || value.IndexOf("secret", StringComparison.OrdinalIgnoreCase) < 0)
        {
            return false;
        }

        // Identifier-like path: letters and separators, no digits except in "OAuth2".
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '-' || c == '.' || c == ':'
                || (c == '2' && i >= 5 && string.Compare(value, i - 5, "oauth", 0, 5, StringComparison.OrdinalIgnoreCase) == 0);
            if (!ok)
            {
                return false;
            }
        }

        List<string> words = SplitWords(value);
        int index = Math.Max(words.LastIndexOf("secret"), words.LastIndexOf("secrets"));
        if (index < 0)
        {
            return false;
        }

        // "ClientSecretName", "client_secret_env": a name for a name, still not a secret.
        if (index + 1 < words.Count)
        {
            return true;
        }

        return index > 0 && Qualifiers.Contains(words[index - 1]);
    }
}
