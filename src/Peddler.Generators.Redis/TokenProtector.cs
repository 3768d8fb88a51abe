using System;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Peddler.Caching;

namespace Peddler.Redis;

/// <summary>
/// Seals tokens for the shared store with AES-256-GCM: a key derived from the client secret
/// (<see cref="PeddlerTokenCacheContext.DeriveKey"/>: HKDF-SHA256 from the one PBKDF2 master key
/// per secret, bound to the entry's cache key), a random 96-bit nonce per entry, and the cache key
/// as associated data. Only holders of the client secret can read or forge an entry; an entry moved
/// to another key does not open.
/// </summary>
/// <remarks>
/// Sealed layout: version (1 byte, 1) | nonce (12) | tag (16) | ciphertext. Plaintext layout:
/// expiry in Unix milliseconds (8, big-endian) | token type length (2) | token type | scope length (2)
/// | scope | access token (the rest), all UTF-8.
/// </remarks>
internal static class TokenProtector
{
    private const byte Version = 1;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const int HeaderSize = 1 + NonceSize + TagSize;

    /// <summary>What <see cref="PeddlerTokenCacheContext.DeriveKey"/> is asked for: the entry's AES-256 key.</summary>
    internal const string Purpose = "entry-encryption";

    /// <summary>Derives the entry key of <paramref name="context"/>: cheap (one HMAC), from the same settings generation as its cache key.</summary>
    public static byte[] DeriveKey(PeddlerTokenCacheContext context)
    {
        byte[] key = new byte[32];
        context.DeriveKey(Purpose, key);
        return key;
    }

    public static byte[] Seal(byte[] key, string cacheKey, PeddlerAccessToken token)
    {
        byte[] type = Encoding.UTF8.GetBytes(token.TokenType);
        byte[] scope = Encoding.UTF8.GetBytes(token.Scope);
        byte[] value = Encoding.UTF8.GetBytes(token.AccessToken);
        byte[] plain = new byte[8 + 2 + type.Length + 2 + scope.Length + value.Length];
        try
        {
            Span<byte> span = plain;
            BinaryPrimitives.WriteInt64BigEndian(span, token.ExpiresAt.ToUnixTimeMilliseconds());
            BinaryPrimitives.WriteUInt16BigEndian(span[8..], checked((ushort)type.Length));
            type.CopyTo(span[10..]);
            int at = 10 + type.Length;
            BinaryPrimitives.WriteUInt16BigEndian(span[at..], checked((ushort)scope.Length));
            scope.CopyTo(span[(at + 2)..]);
            value.CopyTo(span[(at + 2 + scope.Length)..]);

            byte[] sealedEntry = new byte[HeaderSize + plain.Length];
            sealedEntry[0] = Version;
            Span<byte> nonce = sealedEntry.AsSpan(1, NonceSize);
            RandomNumberGenerator.Fill(nonce);
            using var aes = new AesGcm(key, TagSize);
            aes.Encrypt(nonce, plain, sealedEntry.AsSpan(HeaderSize), sealedEntry.AsSpan(1 + NonceSize, TagSize), Encoding.UTF8.GetBytes(cacheKey));
            return sealedEntry;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
            CryptographicOperations.ZeroMemory(value);
        }
    }

    /// <summary>Opens a sealed entry; <see langword="null"/> when it is malformed, tampered with, or sealed with another key.</summary>
    public static PeddlerAccessToken? Open(byte[] key, string cacheKey, byte[] sealedEntry)
    {
        if (sealedEntry.Length < HeaderSize + 8 + 4 + 1 || sealedEntry[0] != Version)
        {
            return null;
        }

        byte[] plain = new byte[sealedEntry.Length - HeaderSize];
        try
        {
            using var aes = new AesGcm(key, TagSize);
            aes.Decrypt(
                sealedEntry.AsSpan(1, NonceSize),
                sealedEntry.AsSpan(HeaderSize),
                sealedEntry.AsSpan(1 + NonceSize, TagSize),
                plain,
                Encoding.UTF8.GetBytes(cacheKey));

            ReadOnlySpan<byte> span = plain;
            DateTimeOffset expiresAt = DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64BigEndian(span));
            int typeLength = BinaryPrimitives.ReadUInt16BigEndian(span[8..]);
            string type = Encoding.UTF8.GetString(span.Slice(10, typeLength));
            int at = 10 + typeLength;
            int scopeLength = BinaryPrimitives.ReadUInt16BigEndian(span[at..]);
            string scope = Encoding.UTF8.GetString(span.Slice(at + 2, scopeLength));
            string value = Encoding.UTF8.GetString(span[(at + 2 + scopeLength)..]);
            return value.Length == 0 || type.Length == 0 ? null : new PeddlerAccessToken(value, type, expiresAt, scope);
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            return null;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
        }
    }
}
