using System;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Peddler.Analyzers;

/// <summary>
/// The value rules of PDL001: whether a constant that reaches a sink is reported there. The
/// placeholder and shape rules are <see cref="SecretValues"/>'; here they are combined with what
/// the sink is (<see cref="Sink.Strength"/>) and where it is (a type that lists vault secrets).
/// </summary>
internal static class ValueRules
{
    /// <summary>
    /// The value rules for a constant at <paramref name="sink"/>: a plausible secret
    /// (<see cref="SecretValues.IsSecret"/>), not the sink's own name (<c>"secret": "secret"</c>,
    /// <c>new NetworkCredential("user", "password")</c>);
    /// under a weak name or in a vault listing not word-shaped (<c>App-Default</c>), and under a
    /// weak name not an encoded JSON token.
    /// </summary>
    public static bool IsReportable(string value, Sink sink, SecretOptions options, bool vaultNames) =>
        SecretValues.IsSecret(value, options)
        && !SecretValues.IsOwnName(value, sink.Name)
        && !SecretValues.IsOwnName(value, sink.WrittenTo)
        && !((sink.IsWeak || vaultNames) && SecretValues.IsWordShaped(value))
        && !(sink.IsWeak && SecretValues.IsEncodedJson(value));

    /// <summary>
    /// Whether the values at <paramref name="sink"/>, in <paramref name="containing"/>, are judged as
    /// names of vault secrets: members of a type that lists vault secrets
    /// (<c>KeyVaultSecrets.DefaultAppSecret = "MSAL-App-Default"</c>) hold the names of secrets in the
    /// vault, so a word-shaped value there is a name, as for a weak name. Never for a known API.
    /// </summary>
    public static bool JudgesVaultNames(Sink sink, ISymbol? containing) =>
        sink.Strength != SinkStrength.Known && NamesVaultSecrets(containing);

    /// <summary>
    /// A constant of a vault listing (<c>GetAppConfigAsync(KeyVaultSecrets.AppS2S)</c>, where
    /// <c>AppS2S = "App-S2S-Config"</c>) is the name of a secret in the vault, not its value.
    /// </summary>
    public static bool IsVaultSecretName(IOperation op, string constant) =>
        op is IFieldReferenceOperation { Field: { } field } && NamesVaultSecrets(field) && SecretValues.IsWordShaped(constant);

    /// <summary>
    /// Whether the secret part of HTTP Basic credentials (<c>id:secret</c>), what follows the first colon,
    /// is written whole in the text and is a plausible secret.
    /// </summary>
    public static bool IsCredentialText(string text, SecretOptions options)
    {
        int colon = text.IndexOf(':');
        if (colon < 0)
        {
            return false;
        }

        string secret = text.Substring(colon + 1);
        return secret.IndexOf(TextTemplates.Hole) < 0 && SecretValues.IsSecret(secret, options);
    }

    /// <summary>The printable UTF-8 text that base64 <paramref name="text"/> encodes; otherwise <see langword="null"/>.</summary>
    public static string? DecodeBase64(string text)
    {
        if (text.Length < 4 || text.Length % 4 != 0)
        {
            return null;
        }

        try
        {
            byte[] bytes = Convert.FromBase64String(text);
            string decoded = Encoding.UTF8.GetString(bytes);
            foreach (char c in decoded)
            {
                if (c < 0x20 || c == '\uFFFD')
                {
                    return null;
                }
            }

            return decoded;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>Whether <paramref name="containing"/> is, or is declared in, a type that lists vault secrets (<c>KeyVaultSecrets</c>).</summary>
    private static bool NamesVaultSecrets(ISymbol? containing) =>
        ClientAuthContext.TypeNameHasWord(containing as INamedTypeSymbol ?? containing?.ContainingType, "vault", "keyvault", "kv");
}
