using System;
using System.Threading.Tasks;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Peddler.Caching;
using Xunit;

namespace Peddler.Redis.Tests;

/// <summary>The sealed store and the rules of which token is served (<see cref="SealedEntryStore"/>, <see cref="TokenUsability"/>).</summary>
public sealed class SealedEntryStoreTests : IAsyncLifetime, IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 3, 12, 0, 0, TimeSpan.Zero));
    private readonly FakeTimeProvider _clock = new();
    private readonly LogSink _logs = new();
    private readonly MemoryDistributedCache _memory = new MemoryDistributedCache(Options.Create(new MemoryDistributedCacheOptions()));
    private CacheServer _cache = null!;
    private Fleet _fleet = null!;
    private RedisConnection _connection = null!;
    private PeddlerTokenCacheContext _context = null!;
    private TokenUsability _usability = null!;
    private SealedEntryStore _store = null!;

    public async Task InitializeAsync()
    {
        _cache = await CacheServer.StartSharedAsync();
        _fleet = await Fleet.StartAsync(_cache);
        _context = await Parts.CaptureContextAsync(_fleet);
        PeddlerRedisTokenCacheOptions options = Parts.Options(_cache);
        _connection = Parts.Connect(options);
        var outage = new RedisOutage(_connection, options, Parts.Logger(_logs), _clock);
        _usability = new TokenUsability(_time, _clock);
        _store = new SealedEntryStore(_memory, options, _usability, outage, _time, Parts.Logger(_logs));
    }

    public void Dispose() => _logs.Dispose();

    public async Task DisposeAsync()
    {
        await _connection.DisposeAsync();
        await _fleet.DisposeAsync();
        await _cache.DisposeAsync();
    }

    [Fact]
    public void A_sealed_token_opens_to_the_same_token_and_lives_as_long_as_it()
    {
        PeddlerAccessToken token = Token(TimeSpan.FromMinutes(30));
        SealedEntry entry = Assert.NotNull(_store.Seal(token, _context));

        Assert.Equal(TimeSpan.FromMinutes(30), entry.TimeToLive);
        Assert.Equal(30 * 60 * 1000, entry.TimeToLiveMilliseconds);
        PeddlerAccessToken opened = Assert.IsType<PeddlerAccessToken>(_store.Open(entry.Data, _context));
        Assert.Equal((token.AccessToken, token.TokenType, token.ExpiresAt, token.Scope), (opened.AccessToken, opened.TokenType, opened.ExpiresAt, opened.Scope));
        Assert.DoesNotContain(System.Text.Encoding.UTF8.GetString(entry.Data), token.AccessToken, StringComparison.Ordinal);
    }

    [Fact]
    public void A_TTL_is_rounded_up_to_whole_milliseconds_and_never_zero()
    {
        Assert.Equal(2, new SealedEntry([], TimeSpan.FromTicks(10_001)).TimeToLiveMilliseconds);
        Assert.Equal(1, new SealedEntry([], TimeSpan.FromTicks(1)).TimeToLiveMilliseconds);
        Assert.Equal(1, new SealedEntry([], TimeSpan.Zero).TimeToLiveMilliseconds);
    }

    [Fact]
    public void An_entry_whose_token_is_within_the_refresh_margin_and_a_second_of_expiry_is_not_served()
    {
        TimeSpan limit = _context.RefreshMargin + TokenUsability.MinimumRemaining;
        PeddlerAccessToken token = Token(limit + TimeSpan.FromMinutes(5));
        byte[] sealedEntry = Assert.NotNull(_store.Seal(token, _context)).Data;
        Assert.NotNull(_store.Open(sealedEntry, _context));

        // One millisecond before the limit it is still served; at the limit, and past expiry, it is not.
        _time.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromMilliseconds(1));
        Assert.NotNull(_store.Open(sealedEntry, _context));
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Null(_store.Open(sealedEntry, _context));
        Assert.Null(_store.Seal(token, _context)); // nor shared
        _time.Advance(limit + TimeSpan.FromMinutes(1));
        Assert.Null(_store.Open(sealedEntry, _context));
        Assert.Equal(0, _logs.Count("SharedTokenUnreadable")); // it opened: only too old
    }

    [Theory]
    [InlineData("version 2")]
    [InlineData("truncated")]
    [InlineData("empty")]
    [InlineData("flipped bit")]
    public void An_entry_of_an_unknown_layout_or_tampered_with_is_ignored_and_logged_not_thrown(string kind)
    {
        byte[] sealedEntry = Assert.NotNull(_store.Seal(Token(TimeSpan.FromMinutes(30)), _context)).Data;
        byte[] changed = kind switch
        {
            "version 2" => [2, .. sealedEntry[1..]],
            "truncated" => sealedEntry[..20],
            "empty" => [],
            _ => Flip(sealedEntry, sealedEntry.Length - 1),
        };

        Assert.Null(_store.Open(changed, _context));
        Assert.Equal(1, _logs.Count("SharedTokenUnreadable"));
    }

    [Fact]
    public void A_refused_token_is_not_served_for_ten_minutes_and_then_forgotten()
    {
        PeddlerAccessToken token = Token(TimeSpan.FromHours(2));
        byte[] sealedEntry = Assert.NotNull(_store.Seal(token, _context)).Data;
        _usability.Remember(token.Fingerprint);

        Assert.Null(_store.Open(sealedEntry, _context));
        Assert.Null(_store.Seal(token, _context));
        Assert.NotNull(_store.Open(Assert.NotNull(_store.Seal(Token(TimeSpan.FromHours(2), "another-fake-token"), _context)).Data, _context));
        _clock.Advance(TokenUsability.RememberRefused - TimeSpan.FromMilliseconds(1));
        Assert.Null(_store.Open(sealedEntry, _context));
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.NotNull(_store.Open(sealedEntry, _context));
    }

    [Fact]
    public async Task Through_an_IDistributedCache_an_entry_is_written_read_and_removed_only_while_it_holds_the_refused_token()
    {
        PeddlerAccessToken token = Token(TimeSpan.FromMinutes(30));
        Assert.Equal((true, (PeddlerAccessToken?)null), await _store.TryReadAsync(_context, default));

        await _store.TryWriteAsync(_context, token, default);
        Assert.Equal(1, _logs.Count("SharedTokenStored"));
        Assert.Equal(token.AccessToken, (await _store.TryReadAsync(_context, default)).Token?.AccessToken);

        // Another token refused: the entry stays; its own: removed.
        await _store.TryRemoveAsync(_context, Token(TimeSpan.FromMinutes(30), "another-fake-token"), default);
        Assert.NotNull(await _memory.GetAsync(_store.TokenKey(_context)));
        await _store.TryRemoveAsync(_context, token, default);
        Assert.Null(await _memory.GetAsync(_store.TokenKey(_context)));

        // A token not usable is not written.
        await _store.TryWriteAsync(_context, Token(TimeSpan.FromSeconds(1)), default);
        Assert.Null(await _memory.GetAsync(_store.TokenKey(_context)));
        Assert.Equal(1, _logs.Count("SharedTokenStored"));
    }

    private PeddlerAccessToken Token(TimeSpan lifetime, string value = "fake-access-token-for-tests") =>
        new(value, "Bearer", _time.GetUtcNow() + lifetime, _context.Scope);

    private static byte[] Flip(byte[] bytes, int at)
    {
        byte[] copy = (byte[])bytes.Clone();
        copy[at] ^= 1;
        return copy;
    }
}
