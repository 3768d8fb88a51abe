using Xunit;

namespace Peddler.Analyzers.Tests;

/// <summary>The word and value rules of PDL001, unit by unit.</summary>
public class SecretRulesTests
{
    [Theory]
    [InlineData("clientSecret", "Strong")]
    [InlineData("ClientSecret", "Strong")]
    [InlineData("client_secret", "Strong")]
    [InlineData("CLIENT_SECRET", "Strong")]
    [InlineData("_clientSecret", "Strong")]
    [InlineData("m_clientSecret", "Strong")]
    [InlineData("s_clientSecret", "Strong")]
    [InlineData("clientsecret", "Strong")]
    [InlineData("PeddlerClientSecret", "Strong")]
    [InlineData("OAuthClientSecret", "Strong")]
    [InlineData("OAuth2Secret", "Strong")]
    [InlineData("AppSecret", "Strong")]
    [InlineData("ApplicationSecret", "Strong")]
    [InlineData("ConsumerSecret", "Strong")]
    [InlineData("apiSecret", "Strong")]
    [InlineData("clientSecretValue", "Strong")]
    [InlineData("Peddler:ClientSecret", "Strong")]
    [InlineData("Peddler__ClientSecret", "Strong")]
    [InlineData("X-Client-Secret", "Strong")]
    [InlineData("GetClientSecret", "Strong")]
    [InlineData("secret", "Weak")]
    [InlineData("_secret", "Weak")]
    [InlineData("Secret", "Weak")]
    [InlineData("integrationSecret", "Weak")]
    [InlineData("secretName", "None")]
    [InlineData("secretKeyName", "None")]
    [InlineData("ClientSecretEnvVar", "None")]
    [InlineData("clientSecretKey", "None")]
    [InlineData("ClientSecretPath", "None")]
    [InlineData("clientSecretHeader", "None")]
    [InlineData("ClientSecretHash", "None")]
    [InlineData("ClientSecretId", "None")]
    [InlineData("ClientSecretExpiresAt", "None")]
    [InlineData("SecretClient", "None")]
    [InlineData("webhookSecret", "None")]
    [InlineData("JwtSecret", "None")]
    [InlineData("ClientId", "None")]
    [InlineData("secrets", "None")]
    public void Names_are_classified(string name, string expected) =>
        Assert.Equal(expected, SecretNames.Classify(name).ToString());

    [Theory]
    [InlineData("OAuthSettings", true)]
    [InlineData("TokenService", true)]
    [InlineData("clientId", true)]
    [InlineData("PeddlerOptions", true)]
    [InlineData("Authenticate", true)]
    [InlineData("cancellationToken", false)]
    [InlineData("Recipe", false)]
    [InlineData("Tokenizer", false)]
    public void Context_names(string name, bool expected) =>
        Assert.Equal(expected, SecretNames.IsContextName(name));

    [Theory]
    [InlineData("Zk9QmpR8x", true)]
    [InlineData("s3cr3t!", true)]
    [InlineData("secret", true)]
    [InlineData("6f1c2b7e-1d2a-4c7b-9a11-3f0c5e2d8b44", true)]
    [InlineData("", false)]
    [InlineData("ab", false)]
    [InlineData("<insert_client_secret_here>", false)]
    [InlineData("YOUR_CLIENT_SECRET", false)]
    [InlineData("YourClientSecret", false)]
    [InlineData("${SECRET}", false)]
    [InlineData("$(Secret)", false)]
    [InlineData("$CLIENT_SECRET", false)]
    [InlineData("%SECRET%", false)]
    [InlineData("{{secret}}", false)]
    [InlineData("{0}", false)]
    [InlineData("[REDACTED]", false)]
    [InlineData("********", false)]
    [InlineData("xxx-xxx", false)]
    [InlineData("00000000-0000-0000-0000-000000000000", false)]
    [InlineData("changeme", false)]
    [InlineData("change-me", false)]
    [InlineData("REPLACE_ME", false)]
    [InlineData("TODO", false)]
    [InlineData("todo: set me", false)]
    [InlineData("none", false)]
    [InlineData("n/a", false)]
    [InlineData("dummy-secret", false)]
    [InlineData("fake-secret", false)]
    [InlineData("not-a-real-secret", false)]
    [InlineData("sk_test_xxx", false)]
    [InlineData("q8Zr2LmT0vXk5NwPfake", true)]
    [InlineData("Xtodo9Qz1", true)]
    [InlineData("#{ClientSecret}#", false)]
    [InlineData("__CLIENT_SECRET__", false)]
    [InlineData("___AUTH0_VALID__CLIENT_SECRET___", false)]
    [InlineData("__M2M_CLIENT_SECRET__", false)]
    [InlineData("__Q8zR2mT0vXk5NwP__", true)]
    [InlineData("__Q8zR2mT0vX_SECRET__", true)]
    [InlineData("AUTH0_VALID_CLIENT_SECRET9", true)]
    [InlineData("example", false)]
    [InlineData("client_secret", false)]
    [InlineData("Peddler:ClientSecret", false)]
    [InlineData("PEDDLER_CLIENT_SECRET", false)]
    [InlineData("https://vault.example.com/secret", false)]
    [InlineData("The client secret", false)]
    public void Values_are_classified(string value, bool expected) =>
        Assert.Equal(expected, SecretValues.IsSecret(value, SecretOptions.Default));

    [Theory]
    [InlineData("CARRIER_ID", true)]
    [InlineData("carrier_id", true)]
    [InlineData("<CARRIER_ID>", true)]
    [InlineData("{CARRIER_ID}", true)]
    [InlineData("${CARRIER_ID}", true)]
    [InlineData("YOUR_CARRIER_ID", true)]
    [InlineData("carrier-id-here", true)]
    [InlineData("{CarrierId}", false)]
    [InlineData("{carrierid}", false)]
    [InlineData("900001", false)]
    [InlineData("carrier-900001", false)]
    public void Documentation_placeholders(string token, bool expected) =>
        Assert.Equal(expected, PeddlerClientAttributeAnalyzer.IsDocumentationPlaceholder(token));

    [Theory]
    [InlineData("", "")]
    [InlineData("client_secret", "client_secret")]
    [InlineData("grant_type=client_credentials&client_secret=x", "grant_type|client_credentials|client_secret|x")]
    [InlineData("{ \"Peddler.ClientSecret\": \"a-b\" }", "Peddler.ClientSecret|a-b")]
    [InlineData("  &&=", "")]
    [InlineData("<k>v</k>", "k|v|k")]
    public void Key_runs_are_the_maximal_runs_of_key_characters(string text, string expected)
    {
        var keys = new System.Collections.Generic.List<string>();
        foreach ((int start, int end) in SecretNames.KeyRuns(text))
        {
            keys.Add(text.Substring(start, end - start));
        }

        Assert.Equal(expected, string.Join("|", keys));
    }

    [Theory]
    [InlineData("grant_type=client_credentials&client_secret=Q8zR2mT0vXk5NwPfake", "client_secret", "FormField", "Q8zR2mT0vXk5NwPfake")]
    [InlineData("{ \"client_secret\": \"Q8zR2mT0vXk5NwPfake\" }", "client_secret", "JsonField", "Q8zR2mT0vXk5NwPfake")]
    [InlineData("<ClientSecret>Q8zR2mT0vXk5NwPfake</ClientSecret>", "ClientSecret", "XmlElement", "Q8zR2mT0vXk5NwPfake")]
    public void Text_fields_name_their_kind(string text, string key, string kind, string value)
    {
        (Sink Sink, string Value)? found = TextFields.FindEmbeddedSecret(text, SecretOptions.Default);

        Assert.NotNull(found);
        Assert.Equal(key, found.Value.Sink.Name);
        Assert.Equal(kind, found.Value.Sink.Kind.ToString());
        Assert.Equal(value, found.Value.Value);
    }

    [Theory]
    [InlineData("client_secret=Q8zR2mT0vX\u0001")]
    [InlineData("{ \"secret\": \"Q8zR2mT0vXk5NwPfake\" }")]
    [InlineData("{ \"client_secret\": 12345 }")]
    public void Text_fields_without_a_whole_secret_or_context_find_nothing(string text) =>
        Assert.Null(TextFields.FindEmbeddedSecret(text, SecretOptions.Default));
}
