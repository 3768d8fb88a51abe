using System;
using System.Threading.Tasks;

namespace Peddler.Benchmarks.Support;

/// <summary>
/// The cache most people write by hand: a <c>lock</c>, a field and <see cref="DateTimeOffset.UtcNow"/>.
/// Only its hit path is measured; a miss is not implemented.
/// </summary>
internal sealed class LockFieldTokenCache(PeddlerAccessToken token, TimeSpan refreshMargin)
{
    private readonly object _gate = new();
    private readonly PeddlerAccessToken _token = token;
    private readonly DateTimeOffset _refreshAt = token.ExpiresAt - refreshMargin;

    public ValueTask<PeddlerAccessToken> GetTokenAsync()
    {
        lock (_gate)
        {
            if (DateTimeOffset.UtcNow < _refreshAt)
            {
                return new ValueTask<PeddlerAccessToken>(_token);
            }
        }

        throw new InvalidOperationException("The benchmark's token expired.");
    }
}
