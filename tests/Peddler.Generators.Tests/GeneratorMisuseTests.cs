using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;

namespace Peddler.Generators.Tests;

/// <summary>
/// One mistake, one error. Each case compiles a consumer that uses the class (constructs it, asks
/// for a token, reads its static members, creates it through <c>IPeddlerClient&lt;T&gt;</c>) with
/// the generator and every analyzer, in the order the compiler reports diagnostics
/// (<see cref="GeneratorHarness.Build"/>).
/// </summary>
public class GeneratorMisuseTests
{
    /// <summary>Uses every generated member of class <c>C</c>, as application code does.</summary>
    private const string Usage = """
        using System;
        using System.Net.Http;
        using System.Threading.Tasks;
        using Peddler;

        public static class Usage
        {
            public static async Task<string> Run(HttpClient http, PeddlerClientOptions options)
            {
                var client = new C(http, options);
                PeddlerAccessToken token = await client.GetTokenAsync();
                client.InvalidateToken(token);
                Uri endpoint = C.TokenEndpoint;
                PeddlerClientDescriptor descriptor = C.Descriptor;
                IPeddlerTokenClient created = Create<C>(http, options);
                return endpoint + C.Scopes + descriptor.ClientName + client.EffectiveTokenEndpoint + created;
            }

            private static T Create<T>(HttpClient http, PeddlerClientOptions options) where T : class, IPeddlerClient<T> => T.Create(http, options, null);
        }
        """;

    /// <summary>Attribute mistakes on a class that can still be completed, and the one error each must give.</summary>
    public static TheoryData<string, string, string> Completable() => new()
    {
        { "unknown environment", "PDL009", """[Peddler.PeddlerClient(Environment = "Staging", Scopes = "DEFAULT authenticated 1")] public partial class C { }""" },
        { "environment in wrong case", "PDL009", """[Peddler.PeddlerClient(Environment = "dev", Scopes = "DEFAULT authenticated 1")] public partial class C { }""" },
        { "misspelled environment", "PDL009", """[Peddler.PeddlerClient(Environment = "Prodution", Scopes = "DEFAULT authenticated 1")] public partial class C { }""" },
        { "missing environment", "PDL010", """[Peddler.PeddlerClient(Scopes = "DEFAULT authenticated 1")] public partial class C { }""" },
        { "empty environment", "PDL010", """[Peddler.PeddlerClient(Environment = "", Scopes = "DEFAULT authenticated 1")] public partial class C { }""" },
        { "missing scopes", "PDL011", """[Peddler.PeddlerClient(Environment = "Dev")] public partial class C { }""" },
        { "empty scopes", "PDL011", """[Peddler.PeddlerClient(Environment = "Dev", Scopes = "")] public partial class C { }""" },
        { "blank scopes", "PDL011", """[Peddler.PeddlerClient(Environment = "Dev", Scopes = "   ")] public partial class C { }""" },
        { "no carrier scope", "PDL002", """[Peddler.PeddlerClient(Environment = "Dev", Scopes = "DEFAULT authenticated")] public partial class C { }""" },
        { "documentation placeholder", "PDL003", """[Peddler.PeddlerClient(Environment = "Dev", Scopes = "DEFAULT authenticated CARRIER_ID")] public partial class C { }""" },
        { "invalid scope character", "PDL004", """[Peddler.PeddlerClient(Environment = "Dev", Scopes = "DEFAULT authenticated 90\"01")] public partial class C { }""" },
        { "comma-separated scopes", "PDL005", """[Peddler.PeddlerClient(Environment = "Dev", Scopes = "DEFAULT,authenticated,900001")] public partial class C { }""" },
        { "duplicate scope", "PDL006", """[Peddler.PeddlerClient(Environment = "Dev", Scopes = "DEFAULT authenticated 1 1")] public partial class C { }""" },
        { "scope in wrong case", "PDL007", """[Peddler.PeddlerClient(Environment = "Dev", Scopes = "default authenticated 1")] public partial class C { }""" },
        { "required scope missing", "PDL008", """[Peddler.PeddlerClient(Environment = "Dev", Scopes = "authenticated 1")] public partial class C { }""" },
        { "non-constant argument", "CS0182", """[Peddler.PeddlerClient(Environment = X.Env, Scopes = "DEFAULT authenticated 1")] public partial class C { } static class X { public static string Env = "Dev"; }""" },
        { "misspelled argument name", "CS0246", """[Peddler.PeddlerClient(Environmnt = "Dev", Scopes = "DEFAULT authenticated 1")] public partial class C { }""" },
        { "half-typed attribute", "CS1525", """[Peddler.PeddlerClient(Environment = "Dev", Scopes = )] public partial class C { }""" },
    };

    [Theory]
    [MemberData(nameof(Completable))]
    public void An_attribute_mistake_gives_exactly_one_error_and_the_class_stays_usable(string _, string expectedId, string source)
    {
        foreach (TargetRuntime runtime in new[] { TargetRuntime.Net80, TargetRuntime.Net100 })
        {
            // Warnings count too: builds treat them as errors (the scope rules PDL002-PDL008 are warnings).
            Diagnostic[] problems = GeneratorHarness.Build(runtime, source, Usage).Where(d => d.Severity >= DiagnosticSeverity.Warning).ToArray();

            Diagnostic only = Assert.Single(problems);
            Assert.Equal(expectedId, only.Id);
            Assert.Equal("Source0.cs", only.Location.GetLineSpan().Path);
        }
    }

    /// <summary>Classes that cannot be completed, the PDL error that must come first, and where it points.</summary>
    public static TheoryData<string, string, string> NotCompletable() => new()
    {
        { "not partial", "PDL012", """[Peddler.PeddlerClient(Environment = "Dev", Scopes = "DEFAULT authenticated 1")] public class C { }""" },
        { "static", "PDL013", """[Peddler.PeddlerClient(Environment = "Dev", Scopes = "DEFAULT authenticated 1")] public static partial class C { }""" },
        { "generic", "PDL014", """[Peddler.PeddlerClient(Environment = "Dev", Scopes = "DEFAULT authenticated 1")] public partial class C<T> { }""" },
        { "nested in a non-partial type", "PDL015", """public class Outer { [Peddler.PeddlerClient(Environment = "Dev", Scopes = "DEFAULT authenticated 1")] public partial class C { } }""" },
    };

    [Theory]
    [MemberData(nameof(NotCompletable))]
    public void When_nothing_can_be_completed_the_PDL_error_is_the_first_error_and_points_at_the_class(string _, string expectedId, string source)
    {
        foreach (TargetRuntime runtime in new[] { TargetRuntime.Net80, TargetRuntime.Net100 })
        {
            string usage = source.Contains("class Outer", System.StringComparison.Ordinal) ? "using C = Outer.C;\n" + Usage : Usage;
            IReadOnlyList<Diagnostic> reported = GeneratorHarness.Build(runtime, source, usage);

            Diagnostic first = reported.First(GeneratorHarness.IsError);
            Assert.Equal(expectedId, first.Id);
            FileLinePositionSpan span = first.Location.GetLineSpan();
            Assert.Equal("Source0.cs", span.Path);
            Assert.Equal(source.IndexOf(" C", System.StringComparison.Ordinal) + 1, span.StartLinePosition.Character);
        }
    }

    /// <summary>Each shape mistake, where its one PDL diagnostic must point (the text after the marker) and its message.</summary>
    public static TheoryData<string, string, string, string> ShapeMistakes() => new()
    {
        {
            "not partial", "PDL012",
            """[Peddler.PeddlerClient(Environment = "Dev", Scopes = "DEFAULT authenticated 1")] public class C { }""",
            "Class 'C' has [PeddlerClient] but is not partial; add the 'partial' modifier so the generator can complete it"
        },
        {
            "static", "PDL013",
            """[Peddler.PeddlerClient(Environment = "Dev", Scopes = "DEFAULT authenticated 1")] public static partial class C { }""",
            "Class 'C' has [PeddlerClient] but is static; remove 'static': a token client is an instance with its own token cache"
        },
        {
            "generic", "PDL014",
            """[Peddler.PeddlerClient(Environment = "Dev", Scopes = "DEFAULT authenticated 1")] public partial class C<T> { }""",
            "Class 'C' has [PeddlerClient] but is generic; remove its type parameters or annotate a non-generic class"
        },
        {
            "nested in a non-partial type", "PDL015",
            """public class Outer { [Peddler.PeddlerClient(Environment = "Dev", Scopes = "DEFAULT authenticated 1")] public partial class C { } }""",
            "Class 'C' has [PeddlerClient] but its containing type 'Outer' is not partial; add the 'partial' modifier so the generator can complete the nested class"
        },
    };

    [Theory]
    [MemberData(nameof(ShapeMistakes))]
    public void In_the_IDE_a_shape_mistake_is_reported_exactly_once_by_one_component(string _, string expectedId, string source, string expectedMessage)
    {
        foreach (TargetRuntime runtime in new[] { TargetRuntime.Net80, TargetRuntime.Net100 })
        {
            Diagnostic[] pdl = GeneratorHarness.Ide(runtime, source).Where(d => d.Id.StartsWith("PDL", System.StringComparison.Ordinal)).ToArray();

            Diagnostic only = Assert.Single(pdl);
            Assert.Equal(expectedId, only.Id);
            Assert.Equal(DiagnosticSeverity.Error, only.Severity);
            Assert.Equal(expectedMessage, only.GetMessage(System.Globalization.CultureInfo.InvariantCulture));

            // A location in the user's syntax tree (not just a path): #pragma, code fixes and the editor's squiggle need it.
            Assert.True(only.Location.IsInSource, only.Location.Kind.ToString());
            Assert.Equal("Source0.cs", only.Location.SourceTree!.FilePath);
            int start = source.IndexOf(" C", System.StringComparison.Ordinal) + 1;
            Assert.Equal(new Microsoft.CodeAnalysis.Text.TextSpan(start, 1), only.Location.SourceSpan);
        }
    }

    [Fact]
    public void In_the_IDE_every_shape_mistake_of_one_class_is_reported_once_each()
    {
        IReadOnlyList<Diagnostic> reported = GeneratorHarness.Ide(
            TargetRuntime.Net100,
            """public class Outer { [Peddler.PeddlerClient(Environment = "Dev", Scopes = "DEFAULT authenticated 1")] public static class C<T> { } }""");

        Assert.Equal(
            ["PDL012", "PDL013", "PDL014", "PDL015"],
            reported.Where(d => d.Id.StartsWith("PDL", System.StringComparison.Ordinal)).Select(d => d.Id).Order(System.StringComparer.Ordinal));
    }

    [Fact]
    public void A_pragma_or_SuppressMessage_silences_a_shape_error()
    {
        IReadOnlyList<Diagnostic> reported = GeneratorHarness.Ide(
            TargetRuntime.Net100,
            """
            #pragma warning disable PDL013
            [Peddler.PeddlerClient(Environment = "Dev", Scopes = "DEFAULT authenticated 1")] public static partial class C { }
            #pragma warning restore PDL013
            [Peddler.PeddlerClient(Environment = "Dev", Scopes = "DEFAULT authenticated 1")] public static partial class D { }
            [System.Diagnostics.CodeAnalysis.SuppressMessage("Usage", "PDL013", Justification = "test")]
            [Peddler.PeddlerClient(Environment = "Dev", Scopes = "DEFAULT authenticated 1")] public static partial class E { }
            """);

        // Only D's: those of C and E are silenced in the generator's output, and no analyzer reports them.
        Diagnostic only = Assert.Single(reported, d => d.Id.StartsWith("PDL", System.StringComparison.Ordinal));
        Assert.Equal("PDL013", only.Id);
        Assert.Contains("'D'", only.GetMessage(System.Globalization.CultureInfo.InvariantCulture), System.StringComparison.Ordinal);
    }

    [Fact]
    public void A_class_that_is_not_partial_gives_the_PDL_error_then_the_compilers_own_and_no_cascade()
    {
        IReadOnlyList<Diagnostic> reported = GeneratorHarness.Build(
            TargetRuntime.Net100,
            """[Peddler.PeddlerClient(Environment = "Dev", Scopes = "DEFAULT authenticated 1")] public class C { }""",
            Usage);

        Assert.Equal(["PDL012", "CS0260"], reported.Where(GeneratorHarness.IsError).Select(d => d.Id));
    }

    /// <summary>Shapes the generator leaves alone without any error of its own (the compiler or the analyzers explain them).</summary>
    public static TheoryData<string, string> Untouched() => new()
    {
        { "abstract", """[Peddler.PeddlerClient(Environment = "Dev", Scopes = "DEFAULT authenticated 1")] public abstract partial class C { }""" },
        { "nested in generic", """public partial class Outer<T> { [Peddler.PeddlerClient(Environment = "Dev", Scopes = "DEFAULT authenticated 1")] public partial class C { } }""" },
        { "file-local", """[Peddler.PeddlerClient(Environment = "Dev", Scopes = "DEFAULT authenticated 1")] file partial class C { }""" },
    };

    [Theory]
    [MemberData(nameof(Untouched))]
    public void Shapes_that_cannot_be_completed_emit_nothing_and_do_not_throw(string _, string source)
    {
        foreach (TargetRuntime runtime in new[] { TargetRuntime.Net80, TargetRuntime.Net100 })
        {
            (GeneratorDriverRunResult result, Compilation _) = GeneratorHarness.Run(runtime, source);

            GeneratorRunResult run = result.Results.Single();
            Assert.Null(run.Exception);
            Assert.Empty(run.GeneratedSources);
            Assert.Empty(run.Diagnostics);
        }
    }

    [Theory]
    [MemberData(nameof(Completable))]
    public void Attribute_mistakes_never_crash_the_generator(string _, string expectedId, string source)
    {
        (GeneratorDriverRunResult result, Compilation _) = GeneratorHarness.Run(TargetRuntime.Net100, source);

        GeneratorRunResult run = result.Results.Single();
        Assert.Null(run.Exception);
        Assert.Contains(run.GeneratedSources, s => s.HintName == "C.PeddlerClient.g.cs");

        // Attribute rules are the analyzers' (or the compiler's) to report, once.
        Assert.DoesNotContain(run.Diagnostics, d => d.Id == expectedId);
        Assert.Empty(run.Diagnostics);
    }

    [Fact]
    public void Scopes_with_quotes_and_backslashes_are_escaped_into_valid_code()
    {
        (GeneratorDriverRunResult result, Compilation output) = GeneratorHarness.Run(
            TargetRuntime.Net100,
            """[Peddler.PeddlerClient(Environment = "Dev", Scopes = "DEFAULT authenticated a\"b\\c")] public partial class Odd { }""");

        Assert.Contains(result.Results.Single().GeneratedSources, s => s.HintName == "Odd.PeddlerClient.g.cs");
        GeneratorHarness.AssertNoProblems(output);
    }
}
