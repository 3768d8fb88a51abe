using System;
using System.IO;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Xunit;

namespace Peddler.Generators.Tests;

public class GeneratorOutputTests
{
    public static TheoryData<string> ValidNames() => new(TestSources.Valid.Select(v => v.Name));

    public static TheoryData<string, TargetRuntime> ValidNamesByRuntime()
    {
        var data = new TheoryData<string, TargetRuntime>();
        foreach ((string name, string _) in TestSources.Valid)
        {
            data.Add(name, TargetRuntime.Net80);
            data.Add(name, TargetRuntime.Net100);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ValidNames))]
    public void Generated_source_matches_the_checked_in_expected_file(string name)
    {
        (GeneratorDriverRunResult result, Compilation _) = GeneratorHarness.Run(TargetRuntime.Net100, Source(name));

        GeneratedSourceResult generated = Assert.Single(result.Results.Single().GeneratedSources, s => s.HintName.EndsWith(".PeddlerClient.g.cs", StringComparison.Ordinal));
        AssertMatchesExpected(name + ".g.cs", generated.SourceText.ToString());
    }

    [Fact]
    public void The_shared_json_context_matches_the_checked_in_expected_file()
    {
        (GeneratorDriverRunResult result, Compilation _) = GeneratorHarness.Run(TargetRuntime.Net100, TestSources.FileScopedPublic);

        GeneratedSourceResult generated = Assert.Single(result.Results.Single().GeneratedSources, s => s.HintName == "Peddler.PeddlerJsonContext.g.cs");
        AssertMatchesExpected("PeddlerJsonContext.g.cs", generated.SourceText.ToString());
    }

    private static void AssertMatchesExpected(string fileName, string actual)
    {
        if (Environment.GetEnvironmentVariable("PEDDLER_UPDATE_EXPECTED") == "1")
        {
            // Regenerate the checked-in file; the comparison below then reads the copy in the output folder of the next build.
            File.WriteAllText(Path.Combine(ExpectedSourceDirectory, fileName), actual);
            return;
        }

        Assert.Equal(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Expected", fileName)), actual);
    }

    [Theory]
    [MemberData(nameof(ValidNamesByRuntime))]
    public void Generated_source_compiles_without_diagnostics(string name, TargetRuntime runtime)
    {
        (GeneratorDriverRunResult result, Compilation output) = GeneratorHarness.Run(runtime, Source(name));

        Assert.Null(result.Results.Single().Exception);
        Assert.Empty(result.Diagnostics);
        GeneratorHarness.AssertNoProblems(output);
    }

    [Fact]
    public void Hint_names_are_deterministic_and_qualified()
    {
        (GeneratorDriverRunResult result, Compilation _) = GeneratorHarness.Run(
            TargetRuntime.Net100, TestSources.FileScopedPublic, TestSources.NestedInternal, TestSources.GlobalNamespaceRunTimeCarrier);

        string[] hints = result.Results.Single().GeneratedSources.Select(s => s.HintName).OrderBy(h => h, StringComparer.Ordinal).ToArray();
        Assert.Equal(
            ["ConfiguredCarrierTokens.PeddlerClient.g.cs", "MyApp.Auth.CarrierTokens.PeddlerClient.g.cs", "MyApp.Outer.Middle.ProductionTokens.PeddlerClient.g.cs", "Peddler.PeddlerJsonContext.g.cs"],
            hints);
    }

    [Fact]
    public void Generated_members_are_usable_from_consumer_code_on_both_runtimes()
    {
        const string usage = """
            using System;
            using System.Net.Http;
            using System.Threading.Tasks;
            using Peddler;
            using MyApp.Auth;

            public static class Usage
            {
                public static async Task<string> Run(HttpClient http)
                {
                    var tokens = new CarrierTokens(http, new PeddlerClientOptions { ClientId = "id", ClientSecret = "fake-secret-for-tests", TokenEndpoint = new Uri("http://127.0.0.1:5005/oauth/token") });
                    PeddlerAccessToken t = await tokens.GetTokenAsync();
                    tokens.InvalidateToken(t);
                    Uri endpoint = CarrierTokens.TokenEndpoint;
                    IPeddlerTokenClient asInterface = tokens;
                    return endpoint + CarrierTokens.Scopes + t.Scope + CarrierTokens.Descriptor.Environment + asInterface;
                }

                public static T Create<T>(HttpClient http, PeddlerClientOptions options) where T : class, IPeddlerClient<T> => T.Create(http, options, null);

                public static object Generic(HttpClient http, PeddlerClientOptions options) => Create<CarrierTokens>(http, options);
            }
            """;
        foreach (TargetRuntime runtime in new[] { TargetRuntime.Net80, TargetRuntime.Net100 })
        {
            (GeneratorDriverRunResult _, Compilation output) = GeneratorHarness.Run(runtime, TestSources.FileScopedPublic, usage);
            GeneratorHarness.AssertNoProblems(output);
        }
    }

    private static string Source(string name) => TestSources.Valid.Single(v => v.Name == name).Source;

    private static string ExpectedSourceDirectory { get; } = typeof(GeneratorOutputTests).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "ExpectedSourceDirectory").Value!;
}
