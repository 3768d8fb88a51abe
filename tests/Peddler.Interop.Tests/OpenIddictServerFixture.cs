using System;
using System.Linq;
using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenIddict.Abstractions;
using Xunit;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Peddler.Interop.Tests;

/// <summary>
/// A standards-compliant OAuth 2.0 authorization server we did not write: OpenIddict's server,
/// hosted in Kestrel on 127.0.0.1 with a port the OS picks, in degraded mode (no database). It
/// knows one confidential client, allowed the scopes <c>DEFAULT authenticated 900001</c>, and one
/// more registered scope, carrier <c>900002</c>, that it silently leaves out of the grant (RFC 6749
/// §3.3 lets a server issue a narrower scope than requested). Everything else (parameter
/// validation, unknown scopes, token issuance, the JSON it answers with, the HTTP status of each
/// error) is OpenIddict's own behaviour.
/// </summary>
public sealed class OpenIddictServerFixture : IAsyncLifetime
{
    /// <summary>The one client the server knows. Fake credentials: obviously not real.</summary>
    public const string ClientId = "interop-client";

    /// <summary>The client's secret. Fake: obviously not real.</summary>
    public const string ClientSecret = "fake-interop-secret";

    /// <summary>The scopes the client is granted when it asks for them.</summary>
    public static readonly string[] AllowedScopes = ["DEFAULT", "authenticated", "900001"];

    /// <summary>A registered carrier scope the client may ask for but is never granted.</summary>
    public const string WithheldScope = "900002";

    /// <summary>The scopes OpenIddict accepts; any other scope is <c>invalid_scope</c>.</summary>
    public static readonly string[] RegisteredScopes = [.. AllowedScopes, WithheldScope];

    /// <summary>The access token lifetime the server is configured with (a value no default has).</summary>
    public static readonly TimeSpan AccessTokenLifetime = TimeSpan.FromMinutes(42);

    /// <summary>The description the server gives when it rejects client credentials.</summary>
    public const string InvalidClientDescription = "The client credentials are invalid.";

    private WebApplication? _app;

    /// <summary>The server's token endpoint, e.g. <c>http://127.0.0.1:41234/oauth/token</c>.</summary>
    public Uri TokenEndpoint { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();

        // An explicit endpoint overrides any ASPNETCORE_URLS of the environment.
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));

        builder.Services.AddOpenIddict().AddServer(options =>
        {
            options.EnableDegradedMode();
            options.AllowClientCredentialsFlow();
            options.SetTokenEndpointUris("oauth/token");
            options.RegisterScopes(RegisteredScopes);
            options.SetAccessTokenLifetime(AccessTokenLifetime);
            options.AddEphemeralEncryptionKey().AddEphemeralSigningKey();

            // A signed, readable JWT, so the tests can see which scopes were really granted.
            options.DisableAccessTokenEncryption();

            // Plain http is acceptable here only because the server listens on loopback.
            options.UseAspNetCore().DisableTransportSecurityRequirement();

            // Degraded mode has no application store: authenticate the client here. OpenIddict's
            // own validation (grant type, unregistered scopes) has already run by now.
            options.AddEventHandler<ValidateTokenRequestContext>(handler => handler.UseInlineHandler(context =>
            {
                if (!string.Equals(context.ClientId, ClientId, StringComparison.Ordinal) || !SecretMatches(context.ClientSecret))
                {
                    context.Reject(error: Errors.InvalidClient, description: InvalidClientDescription);
                }

                return default;
            }));

            // Issue the token: the subject is the client, the granted scopes are the requested ones
            // the client is allowed.
            options.AddEventHandler<HandleTokenRequestContext>(handler => handler.UseInlineHandler(context =>
            {
                var identity = new ClaimsIdentity(authenticationType: "OpenIddict.Interop", nameType: Claims.Name, roleType: Claims.Role);
                identity.SetClaim(Claims.Subject, context.Request.ClientId);
                identity.SetScopes(context.Request.GetScopes().Intersect(AllowedScopes, StringComparer.Ordinal));
                context.SignIn(new ClaimsPrincipal(identity));
                return default;
            }));
        });

        _app = builder.Build();
        _app.UseAuthentication();
        await _app.StartAsync();

        string address = _app.Services.GetRequiredService<IServer>().Features
            .GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        TokenEndpoint = new Uri(new Uri(address), "oauth/token");
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    /// <summary>Options for a generated client pointing at this server.</summary>
    public PeddlerClientOptions Options(string secret = ClientSecret) => new()
    {
        ClientId = ClientId,
        ClientSecret = secret,
        TokenEndpoint = TokenEndpoint,
    };

    private static bool SecretMatches(string? secret) =>
        secret is not null &&
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(ClientSecret));
}
