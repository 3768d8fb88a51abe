using System;
using System.Threading.Tasks;
using Xunit;

namespace Peddler.Analyzers.Tests;

/// <summary>
/// The kind and strength of a sink are decided where it is found, never read back from the text the
/// diagnostic shows: a dotted key such as <c>Identity.Secret</c> is a weak key, judged by the weak-name rules.
/// </summary>
public class HardCodedSecretSinkModelTests
{
    /// <summary>A type named for OAuth: the weak key is a sink here.</summary>
    private static string InOAuthType(string body) =>
        Sources.Prelude + "class OAuthSetup\n{\n    void Run(IConfiguration configuration)\n    {\n" + body + "\n    }\n}\n";

    [Fact]
    public Task A_dotted_weak_key_with_a_word_shaped_value_is_a_name_not_a_secret() => Verify.AnalyzerAsync<HardCodedSecretAnalyzer>(
        InOAuthType("""
            var settings = new Dictionary<string, string?> { ["Identity.Secret"] = "App-Default" };
            settings["Identity.Secret"] = "Vault-Name";
            var fallback = configuration["Identity.Secret"] ?? "App-Default";
            """));

    [Fact]
    public Task A_dotted_weak_key_with_a_secret_shaped_value_is_reported() => Verify.AnalyzerAsync<HardCodedSecretAnalyzer>(
        InOAuthType("""
            var settings = new Dictionary<string, string?> { ["Identity.Secret"] = {|PDL001:"q8Zr2LmT0vXk5NwP"|} };
            var fallback = configuration["Identity.Secret"] ?? {|PDL001:"q8Zr2LmT0vXk5NwP"|};
            """));

    [Fact]
    public Task A_dotted_strong_key_keeps_word_shaped_values() => Verify.AnalyzerAsync<HardCodedSecretAnalyzer>(
        InOAuthType("""var settings = new Dictionary<string, string?> { ["Identity.ClientSecret"] = {|PDL001:"App-Default"|} };"""));

    [Theory]
    [InlineData("Identity.Secret", "Key", "Weak", "'Identity.Secret'")]
    [InlineData("Identity.ClientSecret", "Key", "Strong", "'Identity.ClientSecret'")]
    [InlineData("Identity.Secret", "ConfigurationFallback", "Weak", "fallback of 'Identity.Secret'")]
    [InlineData("client_secret", "FormField", "Strong", "text field 'client_secret'")]
    [InlineData("client_secret", "JsonField", "Strong", "text field 'client_secret'")]
    [InlineData("SECRET", "EnvironmentVariable", "Weak", "environment variable 'SECRET'")]
    [InlineData("Secret", "Property", "Weak", "Secret")]
    public void A_sink_is_made_from_its_name_and_kind(string name, string kind, string strength, string display)
    {
        Sink? sink = Sink.Named(name, Enum.Parse<SinkKind>(kind), SecretOptions.Default);
        Assert.NotNull(sink);
        Assert.Equal(kind, sink.Kind.ToString());
        Assert.Equal(strength, sink.Strength.ToString());
        Assert.Equal(display, sink.Display);
    }

    [Fact]
    public void A_name_without_a_sink_word_is_no_sink() => Assert.Null(Sink.Named("DisplayName", SinkKind.Property, SecretOptions.Default));
}
