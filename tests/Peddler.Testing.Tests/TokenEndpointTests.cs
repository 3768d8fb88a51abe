using System;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using Xunit;

namespace Peddler.Testing.Tests;

public sealed class TokenEndpointTests
{
    [Fact]
    public async Task A_valid_request_gets_the_documented_token_response_byte_for_byte_in_shape()
    {
        await using PeddlerAuthorizationServer server = await Wire.StartAsync();
        using var http = new HttpClient();

        Reply reply = await Wire.PostAsync(http, server.TokenEndpoint, Wire.TokenForm(scope: "DEFAULT authenticated"));

        Assert.Equal(200, reply.Status);
        Assert.Equal("application/json", reply.ContentType);
        Assert.Equal("no-store", reply.Header("Cache-Control"));
        Assert.Equal("no-cache", reply.Header("Pragma"));
        Assert.Null(reply.Header("Server"));
        Assert.Matches(
            new Regex("""^\{"access_token":"[A-Za-z0-9]{32}","expires_in":7200,"scope":"DEFAULT authenticated","token_type":"Bearer"\}$"""),
            reply.Body);
    }

    [Fact]
    public async Task Every_token_is_new()
    {
        await using PeddlerAuthorizationServer server = await Wire.StartAsync();
        using var http = new HttpClient();

        string first = await Wire.GetTokenAsync(http, server);
        string second = await Wire.GetTokenAsync(http, server);

        Assert.NotEqual(first, second);
    }

    [Fact]
    public async Task An_unknown_client_gets_the_documented_403_exactly()
    {
        await using PeddlerAuthorizationServer server = await Wire.StartAsync();
        using var http = new HttpClient();

        Reply reply = await Wire.PostAsync(http, server.TokenEndpoint, Wire.TokenForm(clientId: "test", scope: null));

        Assert.Equal(403, reply.Status);
        Assert.Equal("application/json", reply.ContentType);
        Assert.Equal("no-store", reply.Header("Cache-Control"));
        Assert.Equal("no-cache", reply.Header("Pragma"));
        Assert.Equal("""{"error":"access_denied","error_description":"Invalid subject: test"}""", reply.Body);
    }

    [Theory]
    [InlineData("fake-secret-do-not-use-2")]
    [InlineData("FAKE-SECRET-DO-NOT-USE")]
    [InlineData("fake-secret-do-not-us")]
    [InlineData(" fake-secret-do-not-use")]
    public async Task A_wrong_secret_gets_403_naming_the_client(string secret)
    {
        await using PeddlerAuthorizationServer server = await Wire.StartAsync();
        using var http = new HttpClient();

        Reply reply = await Wire.PostAsync(http, server.TokenEndpoint, Wire.TokenForm(secret: secret));

        Assert.Equal(403, reply.Status);
        Assert.Equal("""{"error":"access_denied","error_description":"Invalid subject: test-client"}""", reply.Body);
    }

    [Fact]
    public async Task Client_ids_are_case_sensitive()
    {
        await using PeddlerAuthorizationServer server = await Wire.StartAsync();
        using var http = new HttpClient();

        Reply reply = await Wire.PostAsync(http, server.TokenEndpoint, Wire.TokenForm(clientId: "Test-Client"));

        Assert.Equal(403, reply.Status);
        Assert.Equal("""{"error":"access_denied","error_description":"Invalid subject: Test-Client"}""", reply.Body);
    }

    public static TheoryData<string, string?, string, string> BadRequests() => new()
    {
        { "no content type", null, "grant_type=client_credentials&client_id=test-client&client_secret=fake-secret-do-not-use", "invalid_request" },
        { "JSON body", "application/json", """{"grant_type":"client_credentials","client_id":"test-client","client_secret":"fake-secret-do-not-use"}""", "invalid_request" },
        { "text/plain", "text/plain", "grant_type=client_credentials&client_id=test-client&client_secret=fake-secret-do-not-use", "invalid_request" },
        { "multipart", "multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"grant_type\"\r\n\r\nclient_credentials\r\n--x--\r\n", "invalid_request" },
        { "form type as a prefix", "application/x-www-form-urlencodedx", "grant_type=client_credentials&client_id=test-client&client_secret=fake-secret-do-not-use", "invalid_request" },
        { "empty body", "application/x-www-form-urlencoded", "", "invalid_request" },
        { "no grant_type", "application/x-www-form-urlencoded", "client_id=test-client&client_secret=fake-secret-do-not-use", "invalid_request" },
        { "empty grant_type", "application/x-www-form-urlencoded", "grant_type=&client_id=test-client&client_secret=fake-secret-do-not-use", "invalid_request" },
        { "grant_type in another case", "application/x-www-form-urlencoded", "Grant_Type=client_credentials&client_id=test-client&client_secret=fake-secret-do-not-use", "invalid_request" },
        { "password grant", "application/x-www-form-urlencoded", "grant_type=password&client_id=test-client&client_secret=fake-secret-do-not-use", "unsupported_grant_type" },
        { "grant value in another case", "application/x-www-form-urlencoded", "grant_type=Client_Credentials&client_id=test-client&client_secret=fake-secret-do-not-use", "unsupported_grant_type" },
        { "no client_id", "application/x-www-form-urlencoded", "grant_type=client_credentials&client_secret=fake-secret-do-not-use", "invalid_request" },
        { "empty client_id", "application/x-www-form-urlencoded", "grant_type=client_credentials&client_id=&client_secret=fake-secret-do-not-use", "invalid_request" },
        { "no client_secret", "application/x-www-form-urlencoded", "grant_type=client_credentials&client_id=test-client", "invalid_request" },
        { "empty client_secret", "application/x-www-form-urlencoded", "grant_type=client_credentials&client_id=test-client&client_secret=", "invalid_request" },
        { "repeated client_id", "application/x-www-form-urlencoded", "grant_type=client_credentials&client_id=test-client&client_id=test-client&client_secret=fake-secret-do-not-use", "invalid_request" },
        { "repeated scope", "application/x-www-form-urlencoded", "grant_type=client_credentials&client_id=test-client&client_secret=fake-secret-do-not-use&scope=DEFAULT&scope=authenticated", "invalid_request" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task A_malformed_request_gets_400_with_an_OAuth_error(string description, string? contentType, string body, string error)
    {
        await using PeddlerAuthorizationServer server = await Wire.StartAsync();
        using var http = new HttpClient();

        Reply reply = await Wire.PostAsync(http, server.TokenEndpoint, Wire.Raw(body, contentType));

        Assert.True(400 == reply.Status, $"{description}: {reply.Status} {reply.Body}");
        Assert.Equal("application/json", reply.ContentType);
        Assert.Equal("no-store", reply.Header("Cache-Control"));
        Assert.Equal("no-cache", reply.Header("Pragma"));
        JsonElement json = reply.Json();
        Assert.Equal(error, json.GetProperty("error").GetString());
        Assert.False(string.IsNullOrWhiteSpace(json.GetProperty("error_description").GetString()));
        Assert.DoesNotContain(Fake.Secret, reply.Body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("application/x-www-form-urlencoded; charset=utf-8")]
    [InlineData("application/x-www-form-urlencoded;charset=UTF-8")]
    [InlineData("Application/X-WWW-Form-URLEncoded")]
    public async Task The_form_content_type_is_accepted_with_a_charset_and_in_any_case(string contentType)
    {
        await using PeddlerAuthorizationServer server = await Wire.StartAsync();
        using var http = new HttpClient();

        Reply reply = await Wire.PostAsync(
            http,
            server.TokenEndpoint,
            Wire.Raw("grant_type=client_credentials&client_id=test-client&client_secret=fake-secret-do-not-use&scope=DEFAULT+authenticated", contentType));

        Assert.Equal(200, reply.Status);
        Assert.Equal(contentType, Assert.Single(server.TokenRequests).ContentType);
    }

    [Fact]
    public async Task Credentials_in_an_Authorization_header_are_refused_as_only_client_secret_post_is_supported()
    {
        await using PeddlerAuthorizationServer server = await Wire.StartAsync();
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, server.TokenEndpoint)
        {
            Content = Wire.Form(("grant_type", "client_credentials")),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String("test-client:fake-secret-do-not-use"u8.ToArray()));

        Reply reply = await Wire.SendAsync(http, request);

        Assert.Equal(400, reply.Status);
        Assert.Equal("invalid_request", reply.Json().GetProperty("error").GetString());
        Assert.Contains("client_secret_post", reply.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_secret_in_the_URL_is_refused()
    {
        await using PeddlerAuthorizationServer server = await Wire.StartAsync();
        using var http = new HttpClient();

        Reply reply = await Wire.PostAsync(http, new Uri(server.TokenEndpoint, "?client_secret=fake-secret-do-not-use"), Wire.TokenForm());

        Assert.Equal(400, reply.Status);
        Assert.Equal("invalid_request", reply.Json().GetProperty("error").GetString());
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    public async Task Other_methods_get_405_with_Allow_POST(string method)
    {
        await using PeddlerAuthorizationServer server = await Wire.StartAsync();
        using var http = new HttpClient();

        Reply reply = await Wire.SendAsync(http, new HttpRequestMessage(new HttpMethod(method), server.TokenEndpoint));

        Assert.Equal(405, reply.Status);
        Assert.Equal("POST", reply.Header("Allow"));
        Assert.Equal(0, server.TokenRequestCount);
    }

    [Theory]
    [InlineData("oauth/token/")]
    [InlineData("OAUTH/TOKEN")]
    [InlineData("token")]
    public async Task Other_paths_are_not_found(string path)
    {
        await using PeddlerAuthorizationServer server = await Wire.StartAsync();
        using var http = new HttpClient();

        Reply reply = await Wire.PostAsync(http, new Uri(server.BaseAddress, path), Wire.TokenForm());

        Assert.Equal(404, reply.Status);
        Assert.Equal(0, server.TokenRequestCount);
    }

    [Theory]
    [InlineData("fake+secret")]
    [InlineData("fake/secret")]
    [InlineData("fake&secret=1")]
    [InlineData("fake%20secret%")]
    [InlineData("fake secret with spaces")]
    [InlineData("+/&=% ~*'()!;:@$,?#[]\"\\")]
    [InlineData("fäke-sécret-€-ünicode-😀")]
    public async Task Special_characters_are_read_back_exactly(string value)
    {
        // The same text as client id (visible in the log) and as secret (masked there, but a token proves it matched).
        string clientId = "id-" + value;
        await using PeddlerAuthorizationServer server = await Wire.StartAsync(o => o.Clients.Add(new PeddlerClientRegistration(clientId, value)));
        using var http = new HttpClient();

        Reply reply = await Wire.PostAsync(http, server.TokenEndpoint, Wire.TokenForm(clientId, value, scope: null));

        Assert.Equal(200, reply.Status);
        PeddlerTokenRequestRecord logged = Assert.Single(server.TokenRequests);
        Assert.Equal(clientId, logged.ClientId);
        Assert.Equal(PeddlerTokenRequestRecord.Mask, logged.GetField("client_secret"));
    }

    [Fact]
    public async Task Standard_form_decoding_applies_so_an_unencoded_plus_is_a_space()
    {
        await using PeddlerAuthorizationServer server = await Wire.StartAsync(o => o.Clients.Add(new PeddlerClientRegistration("plus-client", "fake+secret")));
        using var http = new HttpClient();

        Reply raw = await Wire.PostAsync(http, server.TokenEndpoint,
            Wire.Raw("grant_type=client_credentials&client_id=plus-client&client_secret=fake+secret", "application/x-www-form-urlencoded"));
        Reply encoded = await Wire.PostAsync(http, server.TokenEndpoint,
            Wire.Raw("grant_type=client_credentials&client_id=plus-client&client_secret=fake%2Bsecret", "application/x-www-form-urlencoded"));

        Assert.Equal(403, raw.Status);
        Assert.Equal(200, encoded.Status);
    }

    [Theory]
    [InlineData(null, "DEFAULT authenticated")]
    [InlineData("", "DEFAULT authenticated")]
    [InlineData("DEFAULT authenticated", "DEFAULT authenticated")]
    [InlineData("authenticated", "DEFAULT authenticated")]
    [InlineData("DEFAULT authenticated 900001", "DEFAULT authenticated 900001")]
    [InlineData("900001", "DEFAULT authenticated 900001")]
    [InlineData("  900001   authenticated  DEFAULT ", "DEFAULT authenticated 900001")]
    public async Task The_granted_scope_is_DEFAULT_authenticated_plus_the_carrier_when_asked(string? requested, string granted)
    {
        await using PeddlerAuthorizationServer server = await Wire.StartAsync();
        using var http = new HttpClient();

        Reply reply = await Wire.PostAsync(http, server.TokenEndpoint, Wire.TokenForm(scope: requested));

        Assert.Equal(200, reply.Status);
        Assert.Equal(granted, reply.Json().GetProperty("scope").GetString());
    }

    [Theory]
    [InlineData("DEFAULT authenticated 900002")]
    [InlineData("DEFAULT authenticated CARRIER_ID")]
    [InlineData("default authenticated")]
    [InlineData("DEFAULT authenticated openid")]
    [InlineData("DEFAULT\tauthenticated")]
    public async Task Any_other_scope_gets_invalid_scope(string requested)
    {
        await using PeddlerAuthorizationServer server = await Wire.StartAsync();
        using var http = new HttpClient();

        Reply reply = await Wire.PostAsync(http, server.TokenEndpoint, Wire.TokenForm(scope: requested));

        Assert.Equal(400, reply.Status);
        Assert.Equal("invalid_scope", reply.Json().GetProperty("error").GetString());
        Assert.Equal("no-store", reply.Header("Cache-Control"));
    }

    [Fact]
    public async Task The_documentation_placeholder_gets_a_hint()
    {
        await using PeddlerAuthorizationServer server = await Wire.StartAsync();
        using var http = new HttpClient();

        Reply reply = await Wire.PostAsync(http, server.TokenEndpoint, Wire.TokenForm(scope: "DEFAULT authenticated CARRIER_ID"));

        Assert.Contains("placeholder CARRIER_ID", reply.Json().GetProperty("error_description").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_scope_names_every_carrier_of_the_client_the_first_five_by_name()
    {
        await using PeddlerAuthorizationServer server = await Wire.StartAsync();
        using var http = new HttpClient();

        server.AddCarriers(Fake.ClientId, ["900003", "900002"]);
        Reply few = await Wire.PostAsync(http, server.TokenEndpoint, Wire.TokenForm(scope: "DEFAULT authenticated 999999"));
        Assert.Contains("allowed: DEFAULT, authenticated, 900001, 900002, 900003.", few.Json().GetProperty("error_description").GetString(), StringComparison.Ordinal);

        server.AddCarriers(Fake.ClientId, ["900004", "900005", "900006", "900007"]);
        Reply many = await Wire.PostAsync(http, server.TokenEndpoint, Wire.TokenForm(scope: "DEFAULT authenticated 999999"));
        Assert.Contains("allowed: DEFAULT, authenticated, 900001, 900002, 900003, 900004, 900005 and 2 more carriers.", many.Json().GetProperty("error_description").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_client_without_a_carrier_cannot_ask_for_one()
    {
        await using PeddlerAuthorizationServer server = await Wire.StartAsync(o => o.Clients.Add(new PeddlerClientRegistration("no-carrier", Fake.Secret)));
        using var http = new HttpClient();

        Reply asked = await Wire.PostAsync(http, server.TokenEndpoint, Wire.TokenForm("no-carrier", Fake.Secret, "DEFAULT authenticated 900001"));
        Reply plain = await Wire.PostAsync(http, server.TokenEndpoint, Wire.TokenForm("no-carrier", Fake.Secret, "DEFAULT authenticated"));

        Assert.Equal(400, asked.Status);
        Assert.Equal("invalid_scope", asked.Json().GetProperty("error").GetString());
        Assert.Equal(200, plain.Status);
    }

    [Fact]
    public async Task Credentials_are_checked_before_the_scope()
    {
        await using PeddlerAuthorizationServer server = await Wire.StartAsync();
        using var http = new HttpClient();

        Reply reply = await Wire.PostAsync(http, server.TokenEndpoint, Wire.TokenForm(secret: "wrong-fake-secret", scope: "nonsense"));

        Assert.Equal(403, reply.Status);
    }

    [Fact]
    public async Task The_token_lifetime_comes_from_the_options_and_can_change_while_running()
    {
        await using PeddlerAuthorizationServer server = await Wire.StartAsync(o => o.TokenLifetime = TimeSpan.FromSeconds(60.9));
        using var http = new HttpClient();

        Reply first = await Wire.PostAsync(http, server.TokenEndpoint, Wire.TokenForm());
        server.TokenLifetime = TimeSpan.FromMinutes(15);
        Reply second = await Wire.PostAsync(http, server.TokenEndpoint, Wire.TokenForm());

        Assert.Equal(60, first.Json().GetProperty("expires_in").GetInt64());
        Assert.Equal(900, second.Json().GetProperty("expires_in").GetInt64());
    }

    [Fact]
    public async Task A_client_added_after_start_can_authenticate_and_re_adding_rotates_the_secret()
    {
        await using PeddlerAuthorizationServer server = await Wire.StartAsync();
        using var http = new HttpClient();

        server.AddClient("late-client", "fake-secret-one", "123");
        Reply late = await Wire.PostAsync(http, server.TokenEndpoint, Wire.TokenForm("late-client", "fake-secret-one", "DEFAULT authenticated 123"));
        server.AddClient("late-client", "fake-secret-two");
        Reply oldSecret = await Wire.PostAsync(http, server.TokenEndpoint, Wire.TokenForm("late-client", "fake-secret-one", null));
        Reply newSecret = await Wire.PostAsync(http, server.TokenEndpoint, Wire.TokenForm("late-client", "fake-secret-two", null));
        bool removed = server.RemoveClient("late-client");
        Reply afterRemoval = await Wire.PostAsync(http, server.TokenEndpoint, Wire.TokenForm("late-client", "fake-secret-two", null));

        Assert.Equal("DEFAULT authenticated 123", late.Json().GetProperty("scope").GetString());
        Assert.Equal(403, oldSecret.Status);
        Assert.Equal(200, newSecret.Status);
        Assert.True(removed);
        Assert.Equal(403, afterRemoval.Status);
    }

    [Fact]
    public async Task RotateSecret_refuses_the_old_secret_accepts_the_new_one_and_keeps_every_carrier()
    {
        await using PeddlerAuthorizationServer server = await Wire.StartAsync();
        server.AddCarriers(Fake.ClientId, ["900002"]);
        using var http = new HttpClient();
        string issued = await Wire.GetTokenAsync(http, server);

        server.RotateSecret(Fake.ClientId, "fake-secret-rotated");
        Reply oldSecret = await Wire.PostAsync(http, server.TokenEndpoint, Wire.TokenForm());
        Reply ownCarrier = await Wire.PostAsync(http, server.TokenEndpoint, Wire.TokenForm(secret: "fake-secret-rotated"));
        Reply addedCarrier = await Wire.PostAsync(http, server.TokenEndpoint, Wire.TokenForm(secret: "fake-secret-rotated", scope: "DEFAULT authenticated 900002"));
        using var api = new HttpRequestMessage(HttpMethod.Get, server.ApiEndpoint);
        api.Headers.Authorization = new AuthenticationHeaderValue("Bearer", issued);
        Reply stillValid = await Wire.SendAsync(http, api);

        Assert.Equal(403, oldSecret.Status);
        Assert.Equal("access_denied", oldSecret.Json().GetProperty("error").GetString());
        Assert.Equal("DEFAULT authenticated 900001", ownCarrier.Json().GetProperty("scope").GetString());
        Assert.Equal("DEFAULT authenticated 900002", addedCarrier.Json().GetProperty("scope").GetString());
        Assert.Equal(200, stillValid.Status);
        Assert.Throws<ArgumentException>(() => server.RotateSecret("unknown-client", "fake-secret-rotated"));
        Assert.ThrowsAny<ArgumentException>(() => server.RotateSecret(Fake.ClientId, ""));
    }
}
