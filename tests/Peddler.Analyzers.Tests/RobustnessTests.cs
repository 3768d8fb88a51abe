using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;

namespace Peddler.Analyzers.Tests;

/// <summary>
/// Every analyzer runs over incomplete and broken code without throwing: no AD0001, no exception
/// reaching the analyzer-exception callback.
/// </summary>
public class RobustnessTests
{
    /// <summary>A source with every shape the analyzers look at.</summary>
    private const string KitchenSink = """
        using System;
        using System.Collections.Generic;
        using System.Net.Http;
        using System.Net.Http.Headers;
        using System.Text;
        using Microsoft.Extensions.Configuration;
        using Peddler;

        [PeddlerClient(Environment = "dev", Scopes = "default  authenticated CARRIER_ID CARRIER_ID")]
        public class Outer
        {
            [PeddlerClient(Environment = "Dev", Scopes = "DEFAULT authenticated")]
            public static class Tokens<T> { }

            private const string ClientSecret = "Zk9QmpR8x";
            private static readonly string s_other = "Yq8PloQ7w";
            public string AppSecret => "Xw7OknP6v";
            public record Credentials(string ClientId, string ClientSecret = "Vu6NjmO5u");

            string GetClientSecret() { return "Tt5MilN4t"; }

            void Run(IConfiguration configuration, bool flag, string env, string id)
            {
                var o = new PeddlerClientOptions { ClientId = "id", ClientSecret = flag ? "Ss4LhkM3s" : s_other };
                o.ClientSecret ??= env switch { "dev" => "Rr3KgjL2r", _ => configuration["Peddler:ClientSecret"] ?? "Qq2JfiK1q" };
                o.TokenEndpoint = new Uri("http://auth.example.com/token");
                var local = "Pp1IehJ0p";
                o.ClientSecret = local;
                var form = new Dictionary<string, string> { ["client_secret"] = "Oo0HdgI9o", ["client_id"] = id };
                var pair = new KeyValuePair<string, string>("client_secret", "Nn9GcfH8n");
                var tuple = (ClientId: id, ClientSecret: "Mm8FbeG7m");
                var (clientId, clientSecret) = (id, "Ll7EadF6l");
                var body = $"grant_type=client_credentials&client_id={id}&client_secret=Kk6DzcE5k";
                var json = "{\"client_secret\":\"Jj5CybD4j\"}";
                var text = string.Format("client_secret={0}", "Ii4BxaC3i");
                new StringBuilder().Append("client_secret=").Append("Hh3AwzB2h");
                Environment.SetEnvironmentVariable("PEDDLER_CLIENT_SECRET", "Gg2ZvyA1g");
                var header = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{id}:Ff1YuxZ0f")));
                var credential = new Azure.Identity.ClientSecretCredential("t", "c", "Ee0XtwY9e");
                var c = new Credentials("id", "Dd9WsvX8d") with { ClientSecret = "Cc8VruW7c" };
            }
        }
        """;

    public static TheoryData<string, string> BrokenSources => new()
    {
        { "half-typed attribute", "using Peddler;\n[PeddlerClient(Environment = \"Dev\", Scopes = \n public partial class C { }" },
        { "attribute without arguments list end", "using Peddler;\n[PeddlerClient(\npartial class C" },
        { "attribute with positional argument", "using Peddler;\n[PeddlerClient(\"Dev\", 42, Scopes = 7)]\npartial class C { }" },
        { "attribute with non-constant arguments", "using Peddler;\n[PeddlerClient(Environment = System.Environment.MachineName, Scopes = Missing.Value)]\npartial class C { }" },
        { "attribute on a struct", "using Peddler;\n[PeddlerClient(Environment = \"Dev\", Scopes = \"DEFAULT\")]\npartial struct S { }" },
        { "attribute on a method", "using Peddler;\nclass C { [PeddlerClient(Environment = \"Dev\")] void M() { } }" },
        { "unknown attribute type", "[PeddlerClient(Environment = \"Dev\", Scopes = \"DEFAULT authenticated\")]\npartial class C { }" },
        { "missing types", "class C { void M() { var o = new MissingOptions { ClientSecret = \"Zk9QmpR8x\" }; o.ClientSecret = Missing.Secret; Missing(clientSecret: \"Zk9QmpR8x\"); } }" },
        { "error nodes in initializers", "class C { string clientSecret = ; const string ClientSecret = \"a\" + ; void M() { var x = new Peddler.PeddlerClientOptions { ClientSecret = , ClientId = }; } }" },
        { "unterminated strings", "class C { void M() { var clientSecret = \"Zk9QmpR8x; var body = $\"client_secret={ ; } }" },
        { "unterminated raw string", "class C { void M() { var json = \"\"\"{ \"client_secret\": \"Zk9QmpR8x\" } } }" },
        { "broken switch expression", "class C { string M(string e) { var clientSecret = e switch { \"a\" => , _ => \"Zk9QmpR8x\" ; return clientSecret; } }" },
        { "broken tuple and deconstruction", "class C { void M() { var (clientSecret, ) = (\"Zk9QmpR8x\"; var t = (ClientSecret: , \"x\"); } }" },
        { "broken indexer", "class C { void M(System.Collections.Generic.Dictionary<string,string> d) { d[\"client_secret\" = \"Zk9QmpR8x\"; d[] = \"x\"; } }" },
        { "broken uri", "class C { void M(Peddler.PeddlerClientOptions o) { o.TokenEndpoint = new System.Uri(\"http://\"); o.TokenEndpoint = new System.Uri(; } }" },
        { "local used before declaration", "class C { void M(Peddler.PeddlerClientOptions o) { o.ClientSecret = s; var s = \"Zk9QmpR8x\"; } }" },
        { "recursive constants", "class C { const string A = B; const string B = A; void M(Peddler.PeddlerClientOptions o) { o.ClientSecret = A; } }" },
        { "self-referencing static readonly", "class C { static readonly string S = S; void M(Peddler.PeddlerClientOptions o) { o.ClientSecret = S; } }" },
        { "string.Format with bad format", "class C { string M() => string.Format(\"client_secret={99}&x={\", \"Zk9QmpR8x\"); }" },
        { "Basic header with bad base64", "class C { object M() => new System.Net.Http.Headers.AuthenticationHeaderValue(\"Basic\", \"%%%%\"); }" },
        { "top-level statements", "var clientSecret = \"Zk9QmpR8x\";\nvar o = new Peddler.PeddlerClientOptions { ClientSecret = clientSecret };\n[Peddler.PeddlerClient(" },
        { "garbage", "}}}{{{ class ; [[[ PeddlerClient ( = \" client_secret= \n ?? : => switch with" },
        { "empty file", "" },
    };

    [Theory]
    [MemberData(nameof(BrokenSources))]
    public void Analyzers_survive_broken_code(string shape, string source)
    {
        Assert.False(string.IsNullOrEmpty(shape));
        AnalyzerRunner.Result result = AnalyzerRunner.Run(source);
        AssertNoFailures(result, shape);
    }

    [Fact]
    public void Kitchen_sink_is_analysed_without_failures()
    {
        // Positive control: the analyzers really run over this source.
        AnalyzerRunner.Result result = AnalyzerRunner.Run(KitchenSink);
        AssertNoFailures(result, "kitchen sink");
        Assert.Empty(result.CompilerDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error));
        var ids = result.Diagnostics.Select(d => d.Id).ToHashSet();
        foreach (string id in new[] { "PDL001", "PDL003", "PDL005", "PDL006", "PDL007", "PDL009", "PDL002", "PDL016" })
        {
            Assert.Contains(id, ids);
        }

        // The class-shape rules are the generator's; it runs over the same source without failing.
        (var generated, Exception? exception) = AnalyzerRunner.RunGenerator(KitchenSink);
        Assert.Null(exception);
        var generatedIds = generated.Select(d => d.Id).ToHashSet();
        foreach (string id in new[] { "PDL012", "PDL013", "PDL014", "PDL015" })
        {
            Assert.Contains(id, generatedIds);
            Assert.DoesNotContain(id, ids);
        }

        Assert.True(result.Diagnostics.Count(d => d.Id == "PDL001") >= 20, "Expected every secret in the kitchen sink to be reported.");
    }

    [Fact]
    public void Every_prefix_of_the_kitchen_sink_is_analysed_without_failures()
    {
        // Typing the file from the top: every intermediate state is incomplete code.
        var failures = new List<string>();
        for (int length = 0; length <= KitchenSink.Length; length += 23)
        {
            AnalyzerRunner.Result result = AnalyzerRunner.Run(KitchenSink.Substring(0, length));
            failures.AddRange(Failures(result).Select(f => $"prefix {length}: {f}"));
        }

        Assert.Empty(failures);
    }

    [Fact]
    public void Every_line_deleted_is_analysed_without_failures()
    {
        string[] lines = KitchenSink.Split('\n');
        var failures = new List<string>();
        for (int i = 0; i < lines.Length; i++)
        {
            string source = string.Join('\n', lines.Where((_, index) => index != i));
            failures.AddRange(Failures(AnalyzerRunner.Run(source)).Select(f => $"without line {i + 1}: {f}"));
        }

        Assert.Empty(failures);
    }

    [Fact]
    public void The_harness_sees_an_analyzer_that_throws()
    {
        // Control for the tests above: a throwing analyzer is caught and reported.
        AnalyzerRunner.Result result = AnalyzerRunner.Run([new ThrowingAnalyzer()], null, "class C { }");
        Assert.NotEmpty(Failures(result));
    }

    private static void AssertNoFailures(AnalyzerRunner.Result result, string shape) =>
        Assert.True(!Failures(result).Any(), shape + ": " + string.Join(Environment.NewLine, Failures(result)));

    private static IEnumerable<string> Failures(AnalyzerRunner.Result result) =>
        result.Exceptions.Concat(result.Diagnostics.Where(d => d.Id is "AD0001" or "AD0002").Select(d => d.ToString()));

#pragma warning disable RS1036, RS2008 // A test double, not a shipped analyzer.
    [Microsoft.CodeAnalysis.Diagnostics.DiagnosticAnalyzer(LanguageNames.CSharp)]
    private sealed class ThrowingAnalyzer : Microsoft.CodeAnalysis.Diagnostics.DiagnosticAnalyzer
    {
        private static readonly DiagnosticDescriptor Rule = new("TEST001", "t", "t", "t", DiagnosticSeverity.Warning, true);

        public override System.Collections.Immutable.ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => [Rule];

        public override void Initialize(Microsoft.CodeAnalysis.Diagnostics.AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(Microsoft.CodeAnalysis.Diagnostics.GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterSyntaxNodeAction(_ => throw new InvalidOperationException("boom"), Microsoft.CodeAnalysis.CSharp.SyntaxKind.ClassDeclaration);
        }
    }
#pragma warning restore RS1036, RS2008
}
