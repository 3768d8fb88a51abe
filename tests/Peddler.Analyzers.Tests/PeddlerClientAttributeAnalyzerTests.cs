using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using Xunit;

namespace Peddler.Analyzers.Tests;

/// <summary>
/// PDL002–PDL011: the [PeddlerClient] attribute's environment and scopes (the analyzer); PDL012–PDL015:
/// the class's shape (the generator, run beside the analyzer as in a build).
/// </summary>
public class PeddlerClientAttributeAnalyzerTests
{
    private static Task VerifyAsync(string source, params DiagnosticResult[] expected) =>
        Verify.AnalyzerAsync<PeddlerClientAttributeAnalyzer>(source, null, expected);

    private static Task VerifyWithGeneratorAsync(string source, params DiagnosticResult[] expected) =>
        Verify.AnalyzerWithGeneratorAsync<PeddlerClientAttributeAnalyzer>(source, expected);

    private static DiagnosticResult At(string id, int location = 0) =>
        new DiagnosticResult(id, id is "PDL009" or "PDL010" or "PDL011" or "PDL012" or "PDL013" or "PDL014" or "PDL015" ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning)
            .WithLocation(location);

    private static string Client(string scopesExpression, string environment = "\"Dev\"") => $$"""
        using Peddler;

        [PeddlerClient(Environment = {{environment}}, Scopes = {|#0:{{scopesExpression}}|})]
        public partial class CarrierTokens { }
        """;

    [Theory]
    [InlineData("DEFAULT authenticated 900001")]
    [InlineData("DEFAULT authenticated {CarrierId}")]
    [InlineData("DEFAULT authenticated 900001 {CarrierId}")]
    [InlineData("authenticated DEFAULT 900001")]
    [InlineData("DEFAULT authenticated carrier-900001")]
    [InlineData("DEFAULT", "PDL008", "PDL002")]
    [InlineData("DEFAULT authenticated", "PDL002")]
    [InlineData("authenticated DEFAULT", "PDL002")]
    [InlineData("DEFAULT authenticated CARRIER_ID", "PDL003")]
    [InlineData("DEFAULT authenticated carrier_id", "PDL003")]
    [InlineData("DEFAULT authenticated Carrier_Id", "PDL003")]
    [InlineData("DEFAULT authenticated <CARRIER_ID>", "PDL003")]
    [InlineData("DEFAULT authenticated {CARRIER_ID}", "PDL003")]
    [InlineData("DEFAULT authenticated ${CARRIER_ID}", "PDL003")]
    [InlineData("DEFAULT authenticated YOUR_CARRIER_ID", "PDL003")]
    [InlineData("DEFAULT authenticated carrier-id", "PDL003")]
    [InlineData("DEFAULT authenticated 900001 CARRIER_ID", "PDL003")]
    [InlineData("DEFAULT authenticated 9000\u00e91", "PDL004")]
    [InlineData("DEFAULT authenticated \\\"900001\\\"", "PDL004")]
    [InlineData("DEFAULT authenticated 900001\\\\", "PDL004")]
    [InlineData("DEFAULT\\tauthenticated 900001", "PDL005")]
    [InlineData("DEFAULT,authenticated,CARRIER_ID", "PDL005", "PDL003")]
    [InlineData("DEFAULT;authenticated", "PDL005", "PDL002")]
    [InlineData("DEFAULT authenticated\\n900001", "PDL005")]
    [InlineData("DEFAULT authenticated \\u0007", "PDL004")]
    [InlineData("DEFAULT  authenticated 900001", "PDL005")]
    [InlineData(" DEFAULT authenticated 900001", "PDL005")]
    [InlineData("DEFAULT authenticated 900001 ", "PDL005")]
    [InlineData("DEFAULT authenticated 900001 900001", "PDL006")]
    [InlineData("DEFAULT DEFAULT authenticated 900001", "PDL006")]
    [InlineData("default authenticated 900001", "PDL007")]
    [InlineData("DEFAULT Authenticated 900001", "PDL007")]
    [InlineData("DEFAULT authenticated {carrierId}", "PDL007")]
    [InlineData("default authenticated", "PDL007", "PDL002")]
    [InlineData("DEFAULT 900001", "PDL008")]
    [InlineData("authenticated 900001", "PDL008")]
    [InlineData("900001", "PDL008")]
    public Task Scopes(string scopes, params string[] expected) =>
        VerifyAsync(Client("\"" + scopes + "\""), expected.Select(id => At(id)).ToArray());

    [Fact]
    public Task Scopes_through_a_constant() => VerifyAsync("""
        using Peddler;

        static class Settings { public const string Scopes = "DEFAULT authenticated"; }

        [PeddlerClient(Environment = "Production", Scopes = {|#0:Settings.Scopes|})]
        public partial class CarrierTokens { }
        """, At("PDL002"));

    [Fact]
    public Task Missing_carrier_message_says_what_to_do() => VerifyAsync(
        Client("\"DEFAULT authenticated\""),
        At("PDL002").WithMessage("Scopes 'DEFAULT authenticated' contain no carrier id; append your carrier id, or '{CarrierId}' to take it from PeddlerClientOptions.CarrierId at run time"));

    [Fact]
    public Task Documentation_placeholder_message_names_the_token() => VerifyAsync(
        Client("\"DEFAULT authenticated CARRIER_ID\""),
        At("PDL003").WithMessage("Scope token 'CARRIER_ID' is the placeholder from Peddler's documentation; write your carrier id, or '{CarrierId}' to take it from PeddlerClientOptions.CarrierId at run time"));

    [Theory]
    [InlineData("\"Dev\"")]
    [InlineData("\"Production\"")]
    [InlineData("\"D\" + \"ev\"")]
    public Task Valid_environment(string environment) =>
        VerifyAsync(Client("\"DEFAULT authenticated 900001\"", environment));

    [Theory]
    [InlineData("dev", " (did you mean 'Dev'?)")]
    [InlineData("Development", " (did you mean 'Dev'?)")]
    [InlineData("PRODUCTION", " (did you mean 'Production'?)")]
    [InlineData("prod", " (did you mean 'Production'?)")]
    [InlineData("Staging", "")]
    public Task Unknown_environment_lists_the_valid_ones(string environment, string suggestion) => VerifyAsync(
        $$"""
        using Peddler;

        [PeddlerClient(Environment = {|#0:"{{environment}}"|}, Scopes = "DEFAULT authenticated 900001")]
        public partial class CarrierTokens { }
        """,
        At("PDL009").WithMessage($"Environment '{environment}' is not a Peddler environment{suggestion}; use one of 'Dev', 'Production' (case-sensitive)"));

    [Fact]
    public Task Missing_environment() => VerifyAsync("""
        using Peddler;

        [{|#0:PeddlerClient|}(Scopes = "DEFAULT authenticated 900001")]
        public partial class CarrierTokens { }
        """, At("PDL010").WithMessage("[PeddlerClient] on 'CarrierTokens' has no Environment; set Environment = \"Dev\" or Environment = \"Production\""));

    [Theory]
    [InlineData("\"\"")]
    [InlineData("null")]
    public Task Empty_environment(string environment) =>
        VerifyAsync(Client("\"DEFAULT authenticated 900001\"", "{|#1:" + environment + "|}"), At("PDL010", 1));

    [Fact]
    public Task Missing_scopes() => VerifyAsync("""
        using Peddler;

        [{|#0:PeddlerClient|}(Environment = "Dev")]
        public partial class CarrierTokens { }
        """, At("PDL011"));

    [Theory]
    [InlineData("\"\"")]
    [InlineData("\"   \"")]
    [InlineData("null")]
    public Task Empty_scopes(string scopes) => VerifyAsync(Client(scopes), At("PDL011"));

    [Fact]
    public Task Bare_attribute_reports_both_missing_arguments() => VerifyAsync("""
        using Peddler;

        [{|#0:PeddlerClient|}]
        public partial class CarrierTokens { }
        """, At("PDL010"), At("PDL011"));

    [Fact]
    public Task Not_partial() => VerifyWithGeneratorAsync("""
        using Peddler;

        [PeddlerClient(Environment = "Dev", Scopes = "DEFAULT authenticated 900001")]
        public class {|#0:CarrierTokens|} { }
        """, At("PDL012").WithMessage("Class 'CarrierTokens' has [PeddlerClient] but is not partial; add the 'partial' modifier so the generator can complete it"));

    [Fact]
    public Task Static() => VerifyWithGeneratorAsync("""
        using Peddler;

        [PeddlerClient(Environment = "Dev", Scopes = "DEFAULT authenticated 900001")]
        public static partial class {|#0:CarrierTokens|} { }
        """, At("PDL013"));

    [Fact]
    public Task Generic() => VerifyWithGeneratorAsync("""
        using Peddler;

        [PeddlerClient(Environment = "Dev", Scopes = "DEFAULT authenticated 900001")]
        public partial class {|#0:CarrierTokens|}<T> { }
        """, At("PDL014"));

    [Fact]
    public Task Nested_in_non_partial_types() => VerifyWithGeneratorAsync("""
        using Peddler;

        public class Outer
        {
            public partial class Middle
            {
                internal static class Inner
                {
                    [PeddlerClient(Environment = "Dev", Scopes = "DEFAULT authenticated 900001")]
                    public partial class {|#0:CarrierTokens|} { }
                }
            }
        }

        public class Single
        {
            [PeddlerClient(Environment = "Dev", Scopes = "DEFAULT authenticated 900002")]
            public partial class {|#1:OtherTokens|} { }
        }
        """,
        At("PDL015", 0).WithMessage("Class 'CarrierTokens' has [PeddlerClient] but its containing types 'Outer', 'Inner' are not partial; add the 'partial' modifier so the generator can complete the nested class"),
        At("PDL015", 1).WithMessage("Class 'OtherTokens' has [PeddlerClient] but its containing type 'Single' is not partial; add the 'partial' modifier so the generator can complete the nested class"));

    [Fact]
    public Task Nested_in_partial_types_is_fine() => VerifyWithGeneratorAsync("""
        using Peddler;

        public partial class Outer
        {
            [PeddlerClient(Environment = "Production", Scopes = "DEFAULT authenticated {CarrierId}")]
            public sealed partial class CarrierTokens { }
        }
        """);

    [Fact]
    public Task Every_problem_at_once() => VerifyWithGeneratorAsync("""
        using Peddler;

        [PeddlerClient(Environment = {|#1:"Sandbox"|}, Scopes = {|#0:"default CARRIER_ID"|})]
        public static class {|#2:CarrierTokens|}<T> { }
        """,
        At("PDL009", 1), At("PDL007"), At("PDL003"), At("PDL008"), At("PDL012", 2), At("PDL013", 2), At("PDL014", 2));

    [Fact]
    public Task Qualified_and_aliased_attribute_names_are_recognised() => VerifyAsync("""
        using PC = Peddler.PeddlerClientAttribute;

        [Peddler.PeddlerClientAttribute(Environment = "Dev", Scopes = {|#0:"DEFAULT authenticated"|})]
        public partial class First { }

        [PC(Environment = "Dev", Scopes = {|#1:"DEFAULT authenticated"|})]
        public partial class Second { }
        """, At("PDL002", 0), At("PDL002", 1));

    [Fact]
    public Task Record_class_is_checked() => VerifyAsync("""
        using Peddler;

        [PeddlerClient(Environment = "Dev", Scopes = {|#0:"DEFAULT authenticated"|})]
        public partial record CarrierTokens;
        """, At("PDL002"));

    [Fact]
    public Task Another_attribute_with_the_same_name_is_ignored() => VerifyAsync("""
        namespace Other
        {
            [System.AttributeUsage(System.AttributeTargets.Class)]
            public sealed class PeddlerClientAttribute : System.Attribute { public string? Scopes { get; set; } }

            [PeddlerClient(Scopes = "DEFAULT authenticated")]
            public class NotOurs { }
        }
        """);
}
