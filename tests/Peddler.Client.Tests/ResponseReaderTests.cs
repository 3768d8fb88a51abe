using System;
using System.Net;
using System.Text;
using Peddler.Protocol;
using Xunit;

namespace Peddler.Client.Tests;

/// <summary>
/// The token-response reader, byte for byte and without HTTP: each rule of RFC 6749 §5.1/§5.2 it
/// enforces, at its boundaries (the fuzz in <see cref="ResponseReaderFuzzTests"/> proves only that
/// nothing escapes).
/// </summary>
public class ResponseReaderTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);
    private const string Json = "application/json";

    private static PeddlerRequestSettings Settings(TimeSpan? defaultLifetime = null) => PeddlerRequestSettings.From(
        new PeddlerClientOptions { ClientId = "reader-client", ClientSecret = Fake.Secret, DefaultTokenLifetime = defaultLifetime ?? TimeSpan.FromMinutes(10) },
        CarrierTokens.Descriptor);

    private static TokenResponseReader Reader(TimeSpan? defaultLifetime = null) => new(Settings(defaultLifetime), CarrierTokens.Descriptor);

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    private static PeddlerAccessToken Token(string body, string? mediaType = Json, TimeSpan? defaultLifetime = null) =>
        Reader(defaultLifetime).ReadToken(Bytes(body), HttpStatusCode.OK, mediaType, Now);

    private static PeddlerProtocolException NoToken(string body, string? mediaType = Json) =>
        Assert.Throws<PeddlerProtocolException>(() => Token(body, mediaType));

    [Theory]
    [InlineData(Json)]
    [InlineData("APPLICATION/JSON")]
    [InlineData("text/json")]
    [InlineData("Text/JSON")]
    [InlineData("application/vnd.peddler+json")]
    [InlineData("application/VND.PEDDLER+JSON")]
    [InlineData(null)]
    public void A_JSON_media_type_or_none_is_read(string? mediaType) =>
        Assert.Equal("fake-token", Token("""{"access_token":"fake-token","token_type":"Bearer"}""", mediaType).AccessToken);

    [Theory]
    [InlineData("text/html")]
    [InlineData("application/jsonx")]
    [InlineData("json")]
    [InlineData("application/json+xml")]
    public void Another_media_type_is_a_protocol_error_that_names_it(string mediaType)
    {
        PeddlerProtocolException ex = NoToken("""{"access_token":"fake-token","token_type":"Bearer"}""", mediaType);
        Assert.Equal($"Peddler's token endpoint answered 200 with '{mediaType}' instead of a JSON token response.", ex.Message);
        Assert.Equal(mediaType, ex.ContentType);
        Assert.Equal(HttpStatusCode.OK, ex.StatusCode);
    }

    [Fact]
    public void A_byte_order_mark_is_skipped_and_only_one()
    {
        byte[] bom = [0xEF, 0xBB, 0xBF];
        byte[] body = [.. bom, .. Bytes("""{"access_token":"fake-token","token_type":"Bearer"}""")];
        Assert.Equal("fake-token", Reader().ReadToken(body, HttpStatusCode.OK, Json, Now).AccessToken);
        Assert.Throws<PeddlerProtocolException>(() => Reader().ReadToken([.. bom, .. body], HttpStatusCode.OK, Json, Now));
    }

    [Fact]
    public void The_lifetime_is_expires_in_or_the_default_bounded_to_24_hours()
    {
        Assert.Equal(Now + TimeSpan.FromSeconds(3600), Token("""{"access_token":"t","token_type":"Bearer","expires_in":3600}""").ExpiresAt);
        Assert.Equal(Now, Token("""{"access_token":"t","token_type":"Bearer","expires_in":0}""").ExpiresAt);
        Assert.Equal(Now + TimeSpan.FromHours(24), Token("""{"access_token":"t","token_type":"Bearer","expires_in":86401}""").ExpiresAt);
        Assert.Equal(Now + TimeSpan.FromMinutes(10), Token("""{"access_token":"t","token_type":"Bearer"}""").ExpiresAt);
        Assert.Equal(Now + TimeSpan.FromMinutes(10), Token("""{"access_token":"t","token_type":"Bearer","expires_in":null}""").ExpiresAt);
        Assert.Equal(Now + TimeSpan.FromHours(24), Token("""{"access_token":"t","token_type":"Bearer"}""", defaultLifetime: TimeSpan.FromHours(48)).ExpiresAt);
    }

    [Fact]
    public void A_negative_or_fractional_expires_in_is_a_protocol_error()
    {
        Assert.Equal(
            "Peddler's token response has a negative expires_in (-1).",
            NoToken("""{"access_token":"t","token_type":"Bearer","expires_in":-1}""").Message);
        Assert.Equal(
            "Peddler's token response has an invalid expires_in: it must be a whole number of seconds.",
            NoToken("""{"access_token":"t","token_type":"Bearer","expires_in":1.5}""").Message);
    }

    [Fact]
    public void The_scope_is_the_answered_one_or_else_the_requested_one()
    {
        Assert.Equal("DEFAULT", Token("""{"access_token":"t","token_type":"Bearer","scope":"DEFAULT"}""").Scope);
        Assert.Equal("DEFAULT authenticated 900001", Token("""{"access_token":"t","token_type":"Bearer","scope":" "}""").Scope);
        Assert.Equal("DEFAULT authenticated 900001", Token("""{"access_token":"t","token_type":"Bearer"}""").Scope);
    }

    [Theory]
    [InlineData("bearer")]
    [InlineData("BEARER")]
    [InlineData("Bearer")]
    public void The_token_type_is_Bearer_in_any_case(string type) =>
        Assert.Equal(type, Token($$"""{"access_token":"t","token_type":"{{type}}"}""").TokenType);

    [Fact]
    public void Missing_or_wrong_fields_are_protocol_errors_that_say_which()
    {
        Assert.Equal("Peddler's token response is JSON null instead of an object.", NoToken("null").Message);
        Assert.Equal("Peddler's token response has no access_token.", NoToken("""{"token_type":"Bearer"}""").Message);
        Assert.Equal("Peddler's token response has no access_token.", NoToken("""{"access_token":"","token_type":"Bearer"}""").Message);
        Assert.Equal("Peddler's token response has no token_type (expected Bearer).", NoToken("""{"access_token":"t"}""").Message);
        Assert.Equal(
            "Peddler's token response has token_type 'mac'; only Bearer tokens are supported.",
            NoToken("""{"access_token":"t","token_type":"mac"}""").Message);
        Assert.Equal(
            "Peddler's token response has token_type '***'; only Bearer tokens are supported.",
            NoToken($$"""{"access_token":"t","token_type":"{{Fake.Secret}}"}""").Message);
    }

    [Fact]
    public void A_long_token_type_is_cut_at_200_characters()
    {
        string exact = new('m', 200);
        Assert.Contains($"'{exact}';", NoToken($$"""{"access_token":"t","token_type":"{{exact}}"}""").Message, StringComparison.Ordinal);
        Assert.Contains($"'{exact}…';", NoToken($$"""{"access_token":"t","token_type":"{{exact}}m"}""").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_JSON_is_a_protocol_error_with_its_position_only()
    {
        PeddlerProtocolException ex = NoToken("{\n  \"access_token\": \"fake-secret-in-body\" x}");
        // The stray x is the 41st byte of the second line; both counted from 1 for people.
        Assert.Equal("Peddler's token response is not valid JSON (at line 2, byte 41).", ex.Message);
        Assert.DoesNotContain("fake-secret-in-body", ex.Message, StringComparison.Ordinal);

        // Invalid UTF-8 inside a string.
        byte[] body = [.. Bytes("{\"access_token\":\"a"), 0xFF, .. Bytes("\",\"token_type\":\"Bearer\"}")];
        var unreadable = Assert.Throws<PeddlerProtocolException>(() => Reader().ReadToken(body, HttpStatusCode.OK, Json, Now));
        Assert.StartsWith("Peddler's token response ", unreadable.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(' ', true)]
    [InlineData('!', true)]
    [InlineData('~', true)]
    [InlineData('\x1F', false)]
    [InlineData('\x7F', false)]
    [InlineData('\u00E9', false)]
    public void The_access_token_is_printable_ASCII_space_included(char c, bool accepted)
    {
        string token = "fake" + c + "token";
        Assert.Equal(accepted, TokenResponseReader.IsVisibleAscii(token));
        string body = $$"""{"access_token":"{{(c < ' ' || c == '\x7F' ? $"\\u{(int)c:X4}" : c.ToString())}}","token_type":"Bearer"}""";
        if (accepted)
        {
            Assert.Equal(c.ToString(), Token(body).AccessToken);
        }
        else
        {
            Assert.Equal("Peddler's token response has an access_token with characters outside printable ASCII.", NoToken(body).Message);
        }
    }

    [Theory]
    [InlineData(400, "invalid_client", true)]
    [InlineData(401, "unauthorized_client", true)]
    [InlineData(499, "access_denied", true)]
    [InlineData(403, "invalid_scope", false)]
    public void A_4xx_OAuth_error_is_a_refusal_of_the_client_or_of_the_scope(int status, string error, bool refusesClient)
    {
        PeddlerException failure = Reader().ReadError(
            Bytes($$"""{"error":"{{error}}","error_description":"desc {{Fake.Secret}}","error_uri":"https://x/{{Fake.Secret}}"}"""), (HttpStatusCode)status, Json);
        var refused = Assert.IsType<PeddlerAuthenticationException>(failure);
        Assert.Equal((HttpStatusCode)status, refused.StatusCode);
        Assert.Equal(error, refused.Error);
        Assert.Equal("desc ***", refused.ErrorDescription);
        Assert.Equal("https://x/***", refused.ErrorUri);
        Assert.Equal(refusesClient, refused.RefusesClient);
        Assert.Contains(
            refusesClient ? "The client 'reader-client' was refused" : "The scope 'DEFAULT authenticated 900001' was refused",
            refused.Message,
            StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(399, Json, """{"error":"invalid_client"}""", "with 'application/json', not an OAuth error response.")]
    [InlineData(500, Json, """{"error":"invalid_client"}""", "with 'application/json', not an OAuth error response.")]
    [InlineData(201, Json, """{"error":"invalid_client"}""", "with 'application/json', not an OAuth error response.")]
    [InlineData(400, "text/html", """{"error":"invalid_client"}""", "with 'text/html', not an OAuth error response.")]
    [InlineData(400, Json, "", "with an empty body, not an OAuth error response.")]
    [InlineData(400, Json, """{"error":""}""", "with 'application/json', not an OAuth error response.")]
    [InlineData(400, Json, """{"error_description":"x"}""", "with 'application/json', not an OAuth error response.")]
    [InlineData(400, Json, "{\"error\":", "with malformed JSON (at line 1, byte 10).")]
    [InlineData(400, null, "<html/>", "with malformed JSON (at line 1, byte 1).")]
    public void Anything_else_is_a_protocol_error_that_says_what_came(int status, string? mediaType, string body, string ending)
    {
        PeddlerException failure = Reader().ReadError(Bytes(body), (HttpStatusCode)status, mediaType);
        var protocol = Assert.IsType<PeddlerProtocolException>(failure);
        Assert.Equal($"Peddler's token endpoint answered {status} {ending}", protocol.Message);
        Assert.Equal((HttpStatusCode)status, protocol.StatusCode);
    }

    [Fact]
    public void Error_JSON_that_cannot_be_read_is_a_protocol_error()
    {
        byte[] body = [.. Bytes("{\"error\":\"a"), 0xFF, .. Bytes("\"}")];
        var protocol = Assert.IsType<PeddlerProtocolException>(Reader().ReadError(body, HttpStatusCode.BadRequest, Json));
        Assert.StartsWith("Peddler's token endpoint answered 400 with ", protocol.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Json, """{"error":"temporarily_unavailable","error_description":"maintenance"}""", false, "temporarily_unavailable (maintenance)", "temporarily_unavailable")]
    [InlineData(Json, """{"error":"server_error"}""", false, "server_error", "server_error")]
    [InlineData(Json, """{"error":"server_error","error_description":""}""", false, "server_error", "server_error")]
    [InlineData(Json, """{"error":"","error_description":"x"}""", false, "'application/json'", null)]
    [InlineData(Json, "", false, "an empty body", null)]
    [InlineData(Json, "not json", false, "'application/json'", null)]
    [InlineData("text/html", """{"error":"server_error"}""", false, "'text/html'", null)]
    [InlineData(null, "<html/>", false, "'no content type'", null)]
    [InlineData(Json, "", true, "a body over MaxResponseSize", null)]
    public void A_transient_answer_is_a_PeddlerException_with_status_and_any_OAuth_error(string? mediaType, string body, bool tooLarge, string what, string? error)
    {
        PeddlerRequestSettings settings = Settings();
        PeddlerException failure = new TokenResponseReader(settings, CarrierTokens.Descriptor).ReadUnavailable(Bytes(body), tooLarge, HttpStatusCode.ServiceUnavailable, mediaType);
        Assert.Equal($"Peddler's token endpoint {settings.EndpointDisplay} is unavailable: it answered 503 with {what}.", failure.Message);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, failure.StatusCode);
        Assert.Equal(error, failure.Error);
    }

    [Fact]
    public void A_transient_answer_is_redacted_and_bounded()
    {
        string longCode = new('e', 201);
        PeddlerException failure = Reader().ReadUnavailable(
            Bytes($$"""{"error":"{{longCode}}","error_description":"{{Fake.Secret}}"}"""), false, HttpStatusCode.BadGateway, Json);
        Assert.Equal(new string('e', 200) + "…", failure.Error);
        Assert.Contains("(***)", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Fake.Secret, failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_body_over_MaxResponseSize_is_a_protocol_error_naming_the_limit()
    {
        PeddlerProtocolException ex = Reader().TooLarge(HttpStatusCode.BadRequest, Json);
        Assert.Equal($"Peddler's token endpoint answered 400 with a body over MaxResponseSize ({PeddlerClientOptions.DefaultMaxResponseSize} bytes); it was not read further.", ex.Message);
        Assert.Equal(Json, ex.ContentType);
    }
}
