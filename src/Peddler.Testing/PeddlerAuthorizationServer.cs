using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Peddler.Testing;

/// <summary>
/// A local OAuth 2.0 authorization server that behaves like Peddler's token endpoint
/// (client credentials, <c>client_secret_post</c>), with a bearer-protected API endpoint, a request
/// log and fault injection. Runs Kestrel on loopback; meant for tests and local development.
/// </summary>
/// <remarks>
/// <para>
/// <c>POST {base}oauth/token</c> answers exactly as Peddler documents: 200
/// <c>{"access_token":"…","expires_in":7200,"scope":"DEFAULT authenticated","token_type":"Bearer"}</c>,
/// 403 <c>{"error":"access_denied","error_description":"Invalid subject: &lt;client_id&gt;"}</c> for an
/// unknown client or a wrong secret, and 400 (<c>invalid_request</c>, <c>unsupported_grant_type</c>,
/// <c>invalid_scope</c>) for malformed requests; every answer has <c>Cache-Control: no-store</c>
/// and <c>Pragma: no-cache</c>. <c>GET {base}api/carrier</c> accepts the tokens it issued until they
/// expire. The server logs nothing; <see cref="TokenRequests"/> keeps requests with secrets masked.
/// </para>
/// <para>All members are thread-safe.</para>
/// </remarks>
public sealed partial class PeddlerAuthorizationServer : IAsyncDisposable
{
    /// <summary>The default token lifetime: 7200 seconds, as in Peddler's documented response.</summary>
    public static readonly TimeSpan DefaultTokenLifetime = TimeSpan.FromSeconds(7200);

    /// <summary>The path of the token endpoint.</summary>
    public const string TokenPath = "/oauth/token";

    /// <summary>The path of the bearer-protected API endpoint.</summary>
    public const string ApiPath = "/api/carrier";

    // How long stopping waits for requests in flight (delayed ones are cancelled at once).
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(5);

    private readonly IPAddress _address;
    private readonly int _port;
    private readonly TimeProvider _timeProvider;
    private readonly ConcurrentDictionary<string, RegisteredClient> _clients = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, IssuedToken> _tokens = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();

    private readonly object _gate = new();
    private State _state;
    private WebApplication? _app;
    private Uri? _baseAddress;
    private Uri? _tokenEndpoint;
    private Uri? _apiEndpoint;

    private long _tokenLifetimeTicks;
    private int _tokenRequestCount;
    private int _apiRequestCount;
    private long _faultBodyBytesSent;

    private readonly object _logGate = new();
    private readonly List<PeddlerTokenRequestRecord> _log = new();

    private readonly object _waitGate = new();
    private readonly List<Waiter> _waiters = new();
    private volatile int _waiterCount;

    /// <summary>Creates a server; call <see cref="StartAsync"/> to listen.</summary>
    /// <param name="options">Settings, copied now; <see langword="null"/> for the defaults (127.0.0.1, a free port, 7200 s tokens, no clients).</param>
    /// <exception cref="ArgumentException">A setting or a client registration is invalid (e.g. a host that is not an IP address or <c>localhost</c>).</exception>
    public PeddlerAuthorizationServer(PeddlerAuthorizationServerOptions? options = null)
    {
        options ??= new PeddlerAuthorizationServerOptions();
        _address = ParseHost(options.Host)
            ?? throw new ArgumentException($"Host must be an IP address or 'localhost' (got '{options.Host}').", nameof(options));

        if (options.Port is < 0 or > 65535)
        {
            throw new ArgumentException($"Port must be between 0 and 65535 (got {options.Port}).", nameof(options));
        }

        ArgumentNullException.ThrowIfNull(options.TimeProvider, nameof(options));
        _port = options.Port;
        _timeProvider = options.TimeProvider;
        TokenLifetime = options.TokenLifetime;
        Faults = new PeddlerFaultQueue();
        ApiFaults = new PeddlerFaultQueue();
        foreach (PeddlerClientRegistration client in options.Clients)
        {
            ArgumentNullException.ThrowIfNull(client, nameof(options));
            AddClient(client.ClientId!, client.ClientSecret!, client.CarrierId);
        }
    }

    private enum State
    {
        NotStarted,
        Starting,
        Started,
    }

    /// <summary>The base address, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    /// <exception cref="InvalidOperationException">The server has not been started.</exception>
    public Uri BaseAddress => Volatile.Read(ref _baseAddress) ?? throw NotStarted();

    /// <summary>The token endpoint, <c>{BaseAddress}oauth/token</c>.</summary>
    /// <exception cref="InvalidOperationException">The server has not been started.</exception>
    public Uri TokenEndpoint => Volatile.Read(ref _tokenEndpoint) ?? throw NotStarted();

    /// <summary>The bearer-protected API endpoint, <c>{BaseAddress}api/carrier</c>.</summary>
    /// <exception cref="InvalidOperationException">The server has not been started.</exception>
    public Uri ApiEndpoint => Volatile.Read(ref _apiEndpoint) ?? throw NotStarted();

    /// <summary>
    /// The lifetime of tokens issued from now on, sent as <c>expires_in</c> in whole seconds
    /// (fractions are dropped). Default 7200 seconds.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public TimeSpan TokenLifetime
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _tokenLifetimeTicks));
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            Interlocked.Exchange(ref _tokenLifetimeTicks, value.Ticks);
        }
    }

    /// <summary>Faults for the next requests to the token endpoint (<c>POST /oauth/token</c>).</summary>
    public PeddlerFaultQueue Faults { get; }

    /// <summary>Faults for the next requests to the API endpoint (<c>GET /api/carrier</c>).</summary>
    public PeddlerFaultQueue ApiFaults { get; }

    /// <summary>How many <c>POST /oauth/token</c> requests have arrived, faulted ones included.</summary>
    public int TokenRequestCount => Volatile.Read(ref _tokenRequestCount);

    /// <summary>How many <c>GET /api/carrier</c> requests have arrived, faulted ones included.</summary>
    public int ApiRequestCount => Volatile.Read(ref _apiRequestCount);

    /// <summary>
    /// How many body bytes <see cref="PeddlerFault.EndlessBody"/> faults have handed to the response
    /// so far. Kestrel accepts (and drops) writes for a while after a client has gone away, so
    /// this is an upper bound of what reached the client, not a measure of what it read.
    /// </summary>
    public long FaultBodyBytesSent => Interlocked.Read(ref _faultBodyBytesSent);

    /// <summary>
    /// A snapshot of the token requests answered so far, in the order their answers were decided,
    /// with every <c>client_secret</c> masked. A request is added just before its response is sent,
    /// so a client that has its response finds its request here.
    /// </summary>
    public IReadOnlyList<PeddlerTokenRequestRecord> TokenRequests
    {
        get
        {
            lock (_logGate)
            {
                return _log.ToArray();
            }
        }
    }

    /// <summary>
    /// Registers a client, or replaces the registration of the same <paramref name="clientId"/>
    /// (to rotate its secret). Tokens already issued stay valid. Callable before or after start.
    /// </summary>
    /// <param name="clientId">The client id; not empty.</param>
    /// <param name="clientSecret">The client secret; not empty. Any characters, non-ASCII included.</param>
    /// <param name="carrierId">
    /// The carrier id the client may request as a scope, or <see langword="null"/>. A scope token:
    /// printable ASCII without space, <c>"</c> and <c>\</c>, and neither <c>DEFAULT</c> nor <c>authenticated</c>.
    /// </param>
    /// <returns>This server, for chaining.</returns>
    /// <exception cref="ArgumentException">An argument is empty or the carrier id is not a valid scope token.</exception>
    public PeddlerAuthorizationServer AddClient(string clientId, string clientSecret, string? carrierId = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(clientId);
        ArgumentException.ThrowIfNullOrEmpty(clientSecret);
        if (string.IsNullOrEmpty(carrierId))
        {
            carrierId = null;
        }
        else if (!Scopes.IsScopeToken(carrierId) || carrierId is Scopes.Default or Scopes.Authenticated)
        {
            throw new ArgumentException(
                "A carrier id must be a scope token (printable ASCII without space, '\"' and '\\') other than DEFAULT and authenticated.",
                nameof(carrierId));
        }

        _clients[clientId] = new RegisteredClient(clientId, clientSecret, carrierId);
        return this;
    }

    /// <summary>
    /// Lets a registered client also request the scopes of <paramref name="carrierIds"/>, as a
    /// platform acting for many carriers does; each token is granted for the one carrier requested.
    /// </summary>
    /// <param name="clientId">A registered client id.</param>
    /// <param name="carrierIds">Carrier ids: scope tokens other than DEFAULT and authenticated.</param>
    /// <returns>This server, for chaining.</returns>
    /// <exception cref="ArgumentException">The client is not registered or a carrier id is not a valid scope token.</exception>
    public PeddlerAuthorizationServer AddCarriers(string clientId, IEnumerable<string> carrierIds)
    {
        ArgumentNullException.ThrowIfNull(clientId);
        ArgumentNullException.ThrowIfNull(carrierIds);
        var added = new List<string>();
        foreach (string carrierId in carrierIds)
        {
            if (!Scopes.IsScopeToken(carrierId) || carrierId is Scopes.Default or Scopes.Authenticated)
            {
                throw new ArgumentException("A carrier id must be a scope token other than DEFAULT and authenticated.", nameof(carrierIds));
            }

            added.Add(carrierId);
        }

        RegisteredClient client = _clients.TryGetValue(clientId, out RegisteredClient? found)
            ? found
            : throw new ArgumentException($"No client '{clientId}' is registered.", nameof(clientId));
        _clients[clientId] = client with { MoreCarriers = client.MoreCarriers.Union(added) };
        return this;
    }

    /// <summary>
    /// Rotates the secret of a registered client: from now on only <paramref name="newSecret"/> is
    /// accepted (the old one gets 403 <c>access_denied</c>); tokens already issued stay valid, and the
    /// client keeps its carrier ids, those from <see cref="AddCarriers"/> included (whereas
    /// <see cref="AddClient"/> with the same id starts a new registration without them).
    /// </summary>
    /// <param name="clientId">A registered client id.</param>
    /// <param name="newSecret">The new client secret; not empty.</param>
    /// <returns>This server, for chaining.</returns>
    /// <exception cref="ArgumentException">The client is not registered or the secret is empty.</exception>
    public PeddlerAuthorizationServer RotateSecret(string clientId, string newSecret)
    {
        ArgumentNullException.ThrowIfNull(clientId);
        ArgumentException.ThrowIfNullOrEmpty(newSecret);
        while (true)
        {
            if (!_clients.TryGetValue(clientId, out RegisteredClient? client))
            {
                throw new ArgumentException($"No client '{clientId}' is registered.", nameof(clientId));
            }

            // Compare-and-swap: a concurrent AddCarriers or AddClient is never lost.
            if (_clients.TryUpdate(clientId, client with { ClientSecret = newSecret }, client))
            {
                return this;
            }
        }
    }

    /// <summary>Removes a client: its next token requests are denied (403). Tokens already issued stay valid.</summary>
    /// <param name="clientId">The client id.</param>
    /// <returns>Whether the client was registered.</returns>
    public bool RemoveClient(string clientId)
    {
        ArgumentNullException.ThrowIfNull(clientId);
        return _clients.TryRemove(clientId, out _);
    }

    /// <summary>Revokes every token issued so far: the API endpoint answers 401 <c>invalid_token</c> to them.</summary>
    public void RevokeAllTokens() => _tokens.Clear();

    /// <summary>
    /// Starts listening on the configured host and port (by default 127.0.0.1 and a free port).
    /// </summary>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The base address, e.g. <c>http://127.0.0.1:41234/</c>.</returns>
    /// <exception cref="InvalidOperationException">The server was already started.</exception>
    /// <exception cref="ObjectDisposedException">The server was disposed.</exception>
    /// <exception cref="System.IO.IOException">The address is in use.</exception>
    public async Task<Uri> StartAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_stopping.IsCancellationRequested, this);
            if (_state != State.NotStarted)
            {
                throw new InvalidOperationException("The server has already been started.");
            }

            _state = State.Starting;
        }

        WebApplication? app = null;
        try
        {
            app = BuildApplication(_address);
            await app.StartAsync(cancellationToken).ConfigureAwait(false);

            ICollection<string> addresses = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses;
            int port = new Uri(addresses.First()).Port;
            var baseAddress = new UriBuilder(Uri.UriSchemeHttp, ConnectableHost(_address), port, "/").Uri;

            lock (_gate)
            {
                if (!_stopping.IsCancellationRequested)
                {
                    _app = app;
                    _tokenEndpoint = new Uri(baseAddress, TokenPath.TrimStart('/'));
                    _apiEndpoint = new Uri(baseAddress, ApiPath.TrimStart('/'));
                    Volatile.Write(ref _baseAddress, baseAddress);
                    _state = State.Started;
                    return baseAddress;
                }
            }

            throw new ObjectDisposedException(nameof(PeddlerAuthorizationServer));
        }
        catch
        {
            if (app is not null)
            {
                await app.DisposeAsync().ConfigureAwait(false);
            }

            lock (_gate)
            {
                _state = State.NotStarted;
            }

            throw;
        }
    }

    /// <summary>
    /// Completes when <paramref name="condition"/> holds. The condition is evaluated now and after
    /// every change: a request arriving at either endpoint, and a token request being logged. Use it
    /// instead of sleeping, e.g. <c>WaitUntilAsync(s =&gt; s.TokenRequestCount &gt;= 3)</c>.
    /// </summary>
    /// <param name="condition">A fast, thread-safe test of the server's state. If it throws, the returned task fails.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when the condition holds; it fails with <see cref="ObjectDisposedException"/> if the server is disposed first.</returns>
    public Task WaitUntilAsync(Func<PeddlerAuthorizationServer, bool> condition, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(condition);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled(cancellationToken);
        }

        var waiter = new Waiter(condition);
        lock (_waitGate)
        {
            if (_stopping.IsCancellationRequested)
            {
                return Task.FromException(new ObjectDisposedException(nameof(PeddlerAuthorizationServer)));
            }

            _waiters.Add(waiter);
            _waiterCount = _waiters.Count;
        }

        if (cancellationToken.CanBeCanceled)
        {
            waiter.Registration = cancellationToken.Register(
                static state =>
                {
                    var (server, w, token) = ((PeddlerAuthorizationServer, Waiter, CancellationToken))state!;
                    if (w.Completion.TrySetCanceled(token))
                    {
                        server.RemoveWaiter(w);
                    }
                },
                (this, waiter, cancellationToken));
        }

        SignalWaiters();
        return waiter.Completion.Task;
    }

    /// <summary>
    /// Stops listening: requests held by a <see cref="PeddlerFault.Delay"/> fault are aborted, others
    /// may finish for up to 5 seconds. Pending <see cref="WaitUntilAsync"/> tasks fail.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        WebApplication? app;
        lock (_gate)
        {
            if (_stopping.IsCancellationRequested)
            {
                return;
            }

            _stopping.Cancel();
            app = _app;
            _app = null;
        }

        if (app is not null)
        {
            try
            {
                await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
            }
            finally
            {
                await app.DisposeAsync().ConfigureAwait(false);
            }
        }

        Waiter[] waiters;
        lock (_waitGate)
        {
            waiters = _waiters.ToArray();
            _waiters.Clear();
            _waiterCount = 0;
        }

        foreach (Waiter waiter in waiters)
        {
            waiter.Registration.Dispose();
            waiter.Completion.TrySetException(new ObjectDisposedException(nameof(PeddlerAuthorizationServer)));
        }
    }

    private static InvalidOperationException NotStarted() =>
        new("The server has not been started: call StartAsync first.");

    private WebApplication BuildApplication(IPAddress address)
    {
        // The empty builder reads no appsettings.json, environment variables or command line and
        // adds no logging provider, so nothing of the host process changes the server and
        // nothing (no secret, no token) is logged.
        WebApplicationBuilder builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions
        {
            ApplicationName = "Peddler.Testing",
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Services.AddSingleton<IHostLifetime, NoHostLifetime>();
        builder.Services.Configure<HostOptions>(static options => options.ShutdownTimeout = ShutdownTimeout);
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(address, _port);
        });

        WebApplication app = builder.Build();
        app.Run(HandleAsync);
        return app;
    }

    /// <summary>Accepts an IP literal (IPv6 with or without brackets) or <c>localhost</c>; null otherwise.</summary>
    private static IPAddress? ParseHost(string? host)
    {
        host = host?.Trim();
        if (string.IsNullOrEmpty(host))
        {
            return null;
        }

        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            return IPAddress.Loopback;
        }

        string literal = host.Length > 2 && host[0] == '[' && host[^1] == ']' ? host[1..^1] : host;
        return IPAddress.TryParse(literal, out IPAddress? address) ? address : null;
    }

    /// <summary>The host a client uses to reach a listening address: loopback for the wildcard addresses.</summary>
    private static string ConnectableHost(IPAddress address)
    {
        if (address.Equals(IPAddress.Any))
        {
            return IPAddress.Loopback.ToString();
        }

        if (address.Equals(IPAddress.IPv6Any))
        {
            return "[" + IPAddress.IPv6Loopback + "]";
        }

        return address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "[" + address + "]" : address.ToString();
    }

    private void SignalWaiters()
    {
        if (_waiterCount == 0)
        {
            return;
        }

        Waiter[] waiters;
        lock (_waitGate)
        {
            waiters = _waiters.ToArray();
        }

        foreach (Waiter waiter in waiters)
        {
            bool done;
            try
            {
                done = waiter.Condition(this);
            }
            catch (Exception ex)
            {
                if (waiter.Completion.TrySetException(ex))
                {
                    RemoveWaiter(waiter);
                }

                continue;
            }

            if (done && waiter.Completion.TrySetResult())
            {
                RemoveWaiter(waiter);
            }
        }
    }

    private void RemoveWaiter(Waiter waiter)
    {
        lock (_waitGate)
        {
            _waiters.Remove(waiter);
            _waiterCount = _waiters.Count;
        }

        waiter.Registration.Dispose();
    }

    private void Log(PeddlerTokenRequestRecord record)
    {
        lock (_logGate)
        {
            _log.Add(record);
        }

        SignalWaiters();
    }

    private sealed record RegisteredClient(string ClientId, string ClientSecret, string? CarrierId)
    {
        /// <summary>Further carriers the client may request (a platform acting for many); empty by default.</summary>
        public System.Collections.Immutable.ImmutableHashSet<string> MoreCarriers { get; init; } = System.Collections.Immutable.ImmutableHashSet<string>.Empty;

        public bool Allows(string carrierId) =>
            string.Equals(carrierId, CarrierId, StringComparison.Ordinal) || MoreCarriers.Contains(carrierId);
    }

    private sealed record IssuedToken(string ClientId, string? CarrierId, string Scope, DateTimeOffset ExpiresAt);

    private sealed class Waiter(Func<PeddlerAuthorizationServer, bool> condition)
    {
        public Func<PeddlerAuthorizationServer, bool> Condition { get; } = condition;

        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public CancellationTokenRegistration Registration { get; set; }
    }
}
