using System;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Threading;
using System.Threading.Tasks;

namespace Peddler;

/// <summary>
/// The token machinery behind every generated client: builds Peddler's token request, retries
/// transient failures, validates the response, caches the token until its refresh point and
/// makes concurrent callers share one request. Generated classes hold one instance each.
/// </summary>
public sealed class PeddlerTokenProvider : IPeddlerTokenClient
{
    private readonly HttpClient _httpClient;
    private readonly TimeProvider _timeProvider;
    private readonly PeddlerClientDescriptor _descriptor;
    private readonly PeddlerRequestSettings _settings;
    private readonly ReadOnlyMemory<byte> _requestBody;

    // The cache is read without a lock: one volatile read and one clock read on a hit.
    private CacheEntry? _entry;

    // The in-flight request shared by every caller that missed the cache; guarded by _gate.
    private readonly object _gate = new();
    private Task<PeddlerAccessToken>? _inflight;

    /// <summary>Creates a provider. Generated constructors call this.</summary>
    /// <param name="httpClient">The client used to call the token endpoint; not disposed by the provider.</param>
    /// <param name="options">Run-time settings, validated and copied now.</param>
    /// <param name="descriptor">The generated client's compile-time description.</param>
    /// <param name="timeProvider">The clock for expiry, refresh and retry delays; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">The options are incomplete or invalid; the message names the setting, never the secret.</exception>
    public PeddlerTokenProvider(HttpClient httpClient, PeddlerClientOptions options, PeddlerClientDescriptor descriptor, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(descriptor);
        _httpClient = httpClient;
        _descriptor = descriptor;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _settings = PeddlerRequestSettings.From(options, descriptor);
        _requestBody = PeddlerTokenRequest.EncodeBody(_settings);
    }

    /// <summary>The token endpoint this provider calls: the options' override or the environment's.</summary>
    public Uri TokenEndpoint => _settings.TokenEndpoint;

    /// <summary>The scope this provider requests, with the run-time carrier id filled in.</summary>
    public string RequestedScope => _settings.Scope;

    /// <inheritdoc />
    public ValueTask<PeddlerAccessToken> GetTokenAsync(CancellationToken cancellationToken = default)
    {
        CacheEntry? entry = Volatile.Read(ref _entry);
        if (entry is not null && _timeProvider.GetTimestamp() < entry.RefreshAt)
        {
            return new ValueTask<PeddlerAccessToken>(entry.Token);
        }

        return new ValueTask<PeddlerAccessToken>(GetTokenSlowAsync(cancellationToken));
    }

    /// <inheritdoc />
    public void InvalidateToken(PeddlerAccessToken? rejectedToken = null)
    {
        CacheEntry? entry = Volatile.Read(ref _entry);
        if (entry is not null && (rejectedToken is null || ReferenceEquals(entry.Token, rejectedToken)))
        {
            Interlocked.CompareExchange(ref _entry, null, entry);
        }
    }

    private Task<PeddlerAccessToken> GetTokenSlowAsync(CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<PeddlerAccessToken>(cancellationToken);
        }

        Task<PeddlerAccessToken> shared;
        lock (_gate)
        {
            CacheEntry? entry = _entry;
            if (entry is not null && _timeProvider.GetTimestamp() < entry.RefreshAt)
            {
                return Task.FromResult(entry.Token);
            }

            // A completed task here is a finished failure (successes are in _entry): failures
            // are not cached, so start a new request.
            if (_inflight is null || _inflight.IsCompleted)
            {
                _inflight = Task.Run(AcquireAndCacheAsync);
            }

            shared = _inflight;
        }

        // Each caller waits on its own token; cancelling one wait leaves the shared request alone.
        return shared.WaitAsync(cancellationToken);
    }

    private async Task<PeddlerAccessToken> AcquireAndCacheAsync()
    {
        long startedAt = _timeProvider.GetTimestamp();
        PeddlerAccessToken token = await PeddlerTokenRequest
            .AcquireAsync(_httpClient, _settings, _descriptor, _requestBody, _timeProvider)
            .ConfigureAwait(false);

        TimeSpan lifetime = token.ExpiresAt - _timeProvider.GetUtcNow();
        if (lifetime < TimeSpan.Zero)
        {
            lifetime = TimeSpan.Zero;
        }

        TimeSpan margin = _settings.RefreshMargin < lifetime / 2 ? _settings.RefreshMargin : lifetime / 2;
        long refreshAt = startedAt + (long)((lifetime - margin).TotalSeconds * _timeProvider.TimestampFrequency);
        Volatile.Write(ref _entry, new CacheEntry(token, refreshAt));
        return token;
    }

    private sealed class CacheEntry(PeddlerAccessToken token, long refreshAt)
    {
        public PeddlerAccessToken Token { get; } = token;

        /// <summary>The <see cref="TimeProvider.GetTimestamp"/> value from which the token is renewed.</summary>
        public long RefreshAt { get; } = refreshAt;
    }
}
