using System;
using System.Security.Cryptography;
using System.Text;

namespace Peddler.Testing;

/// <summary>Random token values and constant-time secret comparison.</summary>
internal static class TokenValues
{
    /// <summary>The length of an access token, as in Peddler's documented response.</summary>
    public const int TokenLength = 32;

    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    /// <summary>32 alphanumeric characters from a cryptographic random source.</summary>
    public static string NewToken() => RandomNumberGenerator.GetString(Alphabet, TokenLength);

    /// <summary>
    /// Compares two secrets in time that depends on neither their content nor their lengths:
    /// both are hashed to 32 bytes first, then compared with <see cref="CryptographicOperations.FixedTimeEquals"/>.
    /// </summary>
    public static bool SecretEquals(string expected, string actual)
    {
        Span<byte> left = stackalloc byte[SHA256.HashSizeInBytes];
        Span<byte> right = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(expected), left);
        SHA256.HashData(Encoding.UTF8.GetBytes(actual), right);
        return CryptographicOperations.FixedTimeEquals(left, right);
    }
}
