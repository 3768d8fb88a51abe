using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Threading.Tasks;
using System.Xml.Linq;
using Xunit;

namespace Peddler.Package.Tests;

/// <summary>The package as users install it: its layout, and a consumer built from the feed by PackageReference.</summary>
[Collection(PackedPackages.Name)]
public sealed class PackageTests(PackageFixture package)
{
    [Fact]
    public void The_package_has_the_runtime_in_lib_and_the_Roslyn_components_in_analyzers()
    {
        using ZipArchive zip = ZipFile.OpenRead(package.GeneratorsPackage);
        string[] entries = zip.Entries.Select(e => e.FullName).ToArray();

        Assert.Contains("lib/net8.0/Peddler.Client.dll", entries);
        Assert.Contains("lib/net8.0/Peddler.Client.xml", entries);
        Assert.Contains("lib/net10.0/Peddler.Client.dll", entries);
        Assert.Contains("lib/net10.0/Peddler.Client.xml", entries);
        Assert.Contains("analyzers/dotnet/cs/Peddler.Generators.dll", entries);
        Assert.Contains("analyzers/dotnet/cs/Peddler.Analyzers.dll", entries);
        Assert.Contains("analyzers/dotnet/cs/Peddler.CodeFixes.dll", entries);
        Assert.Contains("README.md", entries);
        Assert.Contains("build/Peddler.Generators.props", entries);
        Assert.Contains("buildTransitive/Peddler.Generators.props", entries);
        Assert.DoesNotContain(entries, e => e.StartsWith("lib/", StringComparison.Ordinal) && e.Contains("Generators", StringComparison.Ordinal));
        Assert.DoesNotContain(entries, e => e.Contains("Microsoft.CodeAnalysis", StringComparison.Ordinal));
    }

    [Fact]
    public void The_nuspec_has_metadata_and_no_Roslyn_dependency()
    {
        using ZipArchive zip = ZipFile.OpenRead(package.GeneratorsPackage);
        ZipArchiveEntry nuspecEntry = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
        using Stream stream = nuspecEntry.Open();
        XDocument nuspec = XDocument.Load(stream);
        XNamespace ns = nuspec.Root!.Name.Namespace;
        XElement metadata = nuspec.Root.Element(ns + "metadata")!;

        Assert.Equal("Peddler.Generators", metadata.Element(ns + "id")!.Value);
        Assert.Equal(package.Version, metadata.Element(ns + "version")!.Value);
        Assert.Equal("MIT", metadata.Element(ns + "license")!.Value);
        Assert.Equal("README.md", metadata.Element(ns + "readme")!.Value);
        Assert.NotNull(metadata.Element(ns + "repository")?.Attribute("url"));
        IEnumerable<string> dependencies = metadata.Descendants(ns + "dependency").Select(d => d.Attribute("id")!.Value);
        Assert.DoesNotContain(dependencies, id => id.StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal));
        Assert.Equal(["net8.0", "net10.0"], metadata.Element(ns + "dependencies")!.Elements(ns + "group").Select(g => g.Attribute("targetFramework")!.Value).Select(Normalize).Order().Reverse());
    }

    [Fact]
    public async Task A_consumer_built_by_PackageReference_gets_a_token_on_net8_and_net10()
    {
        string consumer = WriteConsumer("consumer");

        string build = await DotNet.RunOrThrowAsync(consumer, "build", "-c", "Release", "-warnaserror");
        Assert.Contains("0 Warning(s)", build, StringComparison.Ordinal);

        foreach (string framework in new[] { "net8.0", "net10.0" })
        {
            (int exitCode, string output) = await DotNet.RunAsync(
                consumer,
                ["run", "--no-build", "-c", "Release", "-f", framework],
                new Dictionary<string, string> { ["DOTNET_ROLL_FORWARD"] = "Major" });

            Assert.True(exitCode == 0, $"{framework}: exit {exitCode}{Environment.NewLine}{output}");
            Assert.Contains($"OK {framework}", output, StringComparison.Ordinal);
            Assert.Contains("scope 'DEFAULT authenticated 900001'", output, StringComparison.Ordinal);
            Assert.Contains("api 200", output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_packaged_analyzers_run_in_a_consumer_build()
    {
        string consumer = WriteConsumer("analyzed");
        File.WriteAllText(Path.Combine(consumer, "Misuse.cs"), """
            using Peddler;

            namespace Consumer;

            [PeddlerClient(Environment = "Dev", Scopes = "DEFAULT authenticated")]
            internal sealed partial class MissingCarrierTokens;

            internal static class Misuse
            {
                public static PeddlerClientOptions Options() => new() { ClientId = "abc", ClientSecret = "q8Zr2LmT0vXk5NwPfake" };
            }
            """);

        (int _, string output) = await DotNet.RunAsync(consumer, ["build", "-c", "Release", "-f", "net10.0"]);

        Assert.Contains("PDL001", output, StringComparison.Ordinal);
        Assert.Contains("PDL002", output, StringComparison.Ordinal);
    }

    private string WriteConsumer(string name)
    {
        string dir = Path.Combine(package.Root, name);
        Directory.CreateDirectory(dir);
        package.WriteNuGetConfig(dir);
        File.WriteAllText(Path.Combine(dir, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFrameworks>net8.0;net10.0</TargetFrameworks>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <JsonSerializerIsReflectionEnabledByDefault>false</JsonSerializerIsReflectionEnabledByDefault>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Peddler.Generators" Version="{package.Version}" />
                <PackageReference Include="Peddler.Testing" Version="{package.Version}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(dir, "Program.cs"), """
            using System.Net.Http.Headers;
            using System.Security.Cryptography;
            using Peddler;
            using Peddler.Testing;

            namespace Consumer;

            [PeddlerClient(Environment = "Production", Scopes = "DEFAULT authenticated {CarrierId}")]
            public partial class CarrierTokens;

            public static class Program
            {
                public static async Task<int> Main()
                {
                    string secret = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
                    await using var server = new PeddlerAuthorizationServer();
                    server.AddClient("package-consumer", secret, "900001");
                    await server.StartAsync();

                    using var http = new HttpClient();
                    var tokens = new CarrierTokens(http, new PeddlerClientOptions
                    {
                        ClientId = "package-consumer",
                        ClientSecret = secret,
                        CarrierId = "900001",
                        TokenEndpoint = server.TokenEndpoint,
                    });
                    PeddlerAccessToken token = await tokens.GetTokenAsync();
                    Console.WriteLine($"token {token.Fingerprint} scope '{token.Scope}'");

                    using var request = new HttpRequestMessage(HttpMethod.Get, server.ApiEndpoint);
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.AccessToken);
                    using HttpResponseMessage response = await http.SendAsync(request);
                    Console.WriteLine($"api {(int)response.StatusCode}");
                    Console.WriteLine($"endpoint {CarrierTokens.TokenEndpoint}");
            #if NET10_0
                    Console.WriteLine("OK net10.0");
            #else
                    Console.WriteLine("OK net8.0");
            #endif
                    return response.IsSuccessStatusCode ? 0 : 1;
                }
            }
            """);
        return dir;
    }

    private static string Normalize(string framework) => framework switch
    {
        "net8.0" or ".NETCoreApp8.0" => "net8.0",
        "net10.0" or ".NETCoreApp10.0" => "net10.0",
        _ => framework,
    };
}
