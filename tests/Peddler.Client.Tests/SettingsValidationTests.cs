using System;
using System.Collections.Generic;
using System.Threading;
using Xunit;

namespace Peddler.Client.Tests;

/// <summary>
/// Validation of every numeric setting at its boundary: the last value refused and the first one
/// accepted, with the exact message (client name, setting, rule) and the parameter it names.
/// </summary>
public sealed class SettingsValidationTests
{
    private static readonly TimeSpan Tick = TimeSpan.FromTicks(1);
    private static readonly TimeSpan FortyNineDays = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    public static TheoryData<string, Action<PeddlerClientOptions>, Action<PeddlerClientOptions>, string, string> Boundaries() => new()
    {
        { "Timeout", o => o.Timeout = TimeSpan.Zero, o => o.Timeout = Tick, "must be positive.", "Timeout" },
        { "Timeout", o => o.Timeout = FortyNineDays + TimeSpan.FromMilliseconds(1), o => o.Timeout = FortyNineDays, "must be at most 49 days.", "Timeout" },
        { "RefreshMargin", o => o.RefreshMargin = -Tick, o => o.RefreshMargin = TimeSpan.Zero, "must not be negative.", "RefreshMargin" },
        { "DefaultTokenLifetime", o => o.DefaultTokenLifetime = TimeSpan.Zero, o => o.DefaultTokenLifetime = Tick, "must be positive.", "DefaultTokenLifetime" },
        { "RetryBaseDelay", o => o.RetryBaseDelay = -Tick, o => o.RetryBaseDelay = TimeSpan.Zero, "must not be negative.", "RetryBaseDelay" },
        { "MaxRetryDelay", o => o.MaxRetryDelay = -Tick, o => o.MaxRetryDelay = TimeSpan.Zero, "must not be negative.", "MaxRetryDelay" },
        { "MaxRetryAfter", o => o.MaxRetryAfter = -Tick, o => o.MaxRetryAfter = TimeSpan.Zero, "must not be negative.", "MaxRetryAfter" },
        { "MaxRetries", o => o.MaxRetries = -1, o => o.MaxRetries = 0, "must not be negative.", "options" },
        { "AttemptTimeout", o => o.AttemptTimeout = TimeSpan.Zero, o => o.AttemptTimeout = Tick, "must be positive (or Timeout.InfiniteTimeSpan).", "AttemptTimeout" },
        { "AttemptTimeout", o => o.AttemptTimeout = -Tick, o => o.AttemptTimeout = Timeout.InfiniteTimeSpan, "must be positive (or Timeout.InfiniteTimeSpan).", "AttemptTimeout" },
        { "AttemptTimeout", o => o.AttemptTimeout = FortyNineDays + TimeSpan.FromMilliseconds(1), o => o.AttemptTimeout = FortyNineDays, "must be at most 49 days.", "AttemptTimeout" },
        { "MaxResponseSize", o => o.MaxResponseSize = 1023, o => o.MaxResponseSize = 1024, "must be between 1024 bytes and 64 MiB.", "MaxResponseSize" },
        { "MaxResponseSize", o => o.MaxResponseSize = PeddlerRequestSettings.MaxResponseSizeLimit + 1, o => o.MaxResponseSize = PeddlerRequestSettings.MaxResponseSizeLimit, "must be between 1024 bytes and 64 MiB.", "MaxResponseSize" },
        { "MaxCarriers", o => o.MaxCarriers = 0, o => o.MaxCarriers = 1, "must be positive.", "MaxCarriers" },
        { "CarrierIdleTimeout", o => o.CarrierIdleTimeout = TimeSpan.Zero, o => o.CarrierIdleTimeout = Tick, "must be positive.", "CarrierIdleTimeout" },
    };

    private static PeddlerClientOptions Valid() => new() { ClientId = Fake.ClientId, ClientSecret = Fake.Secret };

    [Theory]
    [MemberData(nameof(Boundaries))]
    public void Each_setting_is_refused_just_past_its_bound_and_accepted_at_it(string setting, Action<PeddlerClientOptions> refused, Action<PeddlerClientOptions> accepted, string rule, string paramName)
    {
        PeddlerClientOptions bad = Valid();
        refused(bad);
        var ex = Assert.Throws<ArgumentException>(() => PeddlerRequestSettings.From(bad, CarrierTokens.Descriptor));
        Assert.Equal($"CarrierTokens: PeddlerClientOptions.{setting} {rule} (Parameter '{paramName}')", ex.Message);
        Assert.Equal(paramName, ex.ParamName);

        // The same rule, with the configuration's spelling of the key and every problem listed.
        List<PeddlerRequestSettings.OptionProblem> problems = PeddlerRequestSettings.Validate(bad, CarrierTokens.Descriptor, name => "Peddler:" + name, stopAtFirst: false);
        Assert.Equal($"Peddler:{setting} {rule}", Assert.Single(problems).Message);

        PeddlerClientOptions good = Valid();
        accepted(good);
        PeddlerRequestSettings settings = PeddlerRequestSettings.From(good, CarrierTokens.Descriptor);
        Assert.Equal(CarrierTokens.Scopes, settings.Scope);
        Assert.Empty(PeddlerRequestSettings.Validate(good, CarrierTokens.Descriptor, PeddlerRequestSettings.OptionKey, stopAtFirst: false));
    }

    [Fact]
    public void A_carrier_id_that_is_not_a_scope_token_is_refused_and_one_the_scopes_do_not_take_is_refused_too()
    {
        PeddlerClientOptions spaced = Valid();
        spaced.CarrierId = "900 001";
        var ex = Assert.Throws<ArgumentException>(() => PeddlerRequestSettings.From(spaced, ConfiguredCarrierTokens.Descriptor));
        Assert.Equal("ConfiguredCarrierTokens: PeddlerClientOptions.CarrierId '900 001' is not a valid scope token (printable ASCII without spaces, quotes or backslashes). (Parameter 'carrierId')", ex.Message);
        Assert.Equal("carrierId", ex.ParamName);

        PeddlerClientOptions fixedCarrier = Valid();
        fixedCarrier.CarrierId = "900002";
        ex = Assert.Throws<ArgumentException>(() => PeddlerRequestSettings.From(fixedCarrier, CarrierTokens.Descriptor));
        Assert.StartsWith("CarrierTokens: PeddlerClientOptions.CarrierId is set, but the client's Scopes 'DEFAULT authenticated 900001' fix the carrier at compile time; write {CarrierId} in Scopes", ex.Message, StringComparison.Ordinal);
        Assert.Equal("carrierId", ex.ParamName);

        // The validator (every problem, configuration keys) reports it too, and so does resolving the scope directly.
        var problem = Assert.Single(PeddlerRequestSettings.Validate(spaced, ConfiguredCarrierTokens.Descriptor, name => "Peddler:" + name, stopAtFirst: false));
        Assert.Equal("carrierId", problem.ParamName);
        Assert.StartsWith("Peddler:CarrierId '900 001' is not a valid scope token", problem.Message, StringComparison.Ordinal);
        var resolved = Assert.Throws<ArgumentException>(() => PeddlerRequestSettings.ResolveScope("DEFAULT authenticated {CarrierId}", "900 001", "X: "));
        Assert.StartsWith("X: PeddlerClientOptions.CarrierId '900 001' is not a valid scope token", resolved.Message, StringComparison.Ordinal);

        PeddlerClientOptions fine = Valid();
        fine.CarrierId = "900002";
        Assert.Equal("DEFAULT authenticated 900002", PeddlerRequestSettings.From(fine, ConfiguredCarrierTokens.Descriptor).Scope);
    }

    [Fact]
    public void A_token_endpoint_must_be_absolute_and_http_s_and_the_message_never_shows_the_secret()
    {
        PeddlerClientOptions relative = Valid();
        relative.TokenEndpoint = new Uri(Fake.Secret + "/oauth/token", UriKind.Relative);
        var ex = Assert.Throws<ArgumentException>(() => PeddlerRequestSettings.From(relative, CarrierTokens.Descriptor));
        Assert.Equal("CarrierTokens: PeddlerClientOptions.TokenEndpoint must be an absolute URI; '***/oauth/token' is relative. (Parameter 'options')", ex.Message);

        PeddlerClientOptions ftp = Valid();
        ftp.TokenEndpoint = new Uri("ftp://alphadev-api.peddler.com/oauth/token");
        ex = Assert.Throws<ArgumentException>(() => PeddlerRequestSettings.From(ftp, CarrierTokens.Descriptor));
        Assert.Equal("CarrierTokens: PeddlerClientOptions.TokenEndpoint must be an http(s) URI; its scheme is 'ftp'. (Parameter 'options')", ex.Message);

        PeddlerClientOptions loopback = Valid();
        loopback.TokenEndpoint = new Uri("http://127.0.0.1:5000/oauth/token");
        Assert.Equal(loopback.TokenEndpoint, PeddlerRequestSettings.From(loopback, CarrierTokens.Descriptor).TokenEndpoint);
    }
}
