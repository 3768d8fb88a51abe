using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Threading.Tasks;
using System.Xml.Linq;
using Xunit;

namespace Peddler.Package.Tests;

/// <summary>The main packages (<see cref="PackageFixture"/>) plus Peddler.Generators.Redis, same version, same feed.</summary>
public sealed class RedisPackageFixture : IAsyncLifetime
{
    public PackageFixture Packages { get; } = new();

    public string RedisPackage => Path.Combine(Packages.Feed, $"Peddler.Generators.Redis.{Packages.Version}.nupkg");

    public async Task InitializeAsync()
    {
        await Packages.InitializeAsync();
        await DotNet.RunOrThrowAsync(DotNet.RepoRoot, "pack", "src/Peddler.Generators.Redis/Peddler.Generators.Redis.csproj", "-c", "Release", "-o", Packages.Feed, $"-p:Version={Packages.Version}");
    }

    public Task DisposeAsync() => Packages.DisposeAsync();
}

/// <summary>Peddler.Generators.Redis as users install it: layout, dependencies, and a consumer that shares tokens through Redis.</summary>
[Collection(PackedPackages.Name)]
public sealed class RedisPackageTests(RedisPackageFixture fixture) : IClassFixture<RedisPackageFixture>
{
    [Fact]
    public void The_Redis_package_has_its_library_for_net8_and_net10_and_depends_on_the_main_package()
    {
        using ZipArchive zip = ZipFile.OpenRead(fixture.RedisPackage);
        string[] entries = zip.Entries.Select(e => e.FullName).ToArray();
        foreach (string framework in new[] { "net8.0", "net10.0" })
        {
            Assert.Contains($"lib/{framework}/Peddler.Generators.Redis.dll", entries);
            Assert.Contains($"lib/{framework}/Peddler.Generators.Redis.xml", entries);
        }

        Assert.DoesNotContain(entries, e => e.StartsWith("analyzers/", StringComparison.Ordinal));

        using Stream stream = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open();
        XDocument nuspec = XDocument.Load(stream);
        XNamespace ns = nuspec.Root!.Name.Namespace;
        XElement metadata = nuspec.Root.Element(ns + "metadata")!;
        Assert.Equal("Peddler.Generators.Redis", metadata.Element(ns + "id")!.Value);
        Assert.Equal("MIT", metadata.Element(ns + "license")!.Value);
        List<(string Id, string Version)> dependencies = metadata.Descendants(ns + "dependency").Select(d => (d.Attribute("id")!.Value, d.Attribute("version")!.Value)).ToList();
        Assert.Contains(("Peddler.Generators", fixture.Packages.Version), dependencies);
        Assert.Contains(dependencies, d => d.Id == "StackExchange.Redis");
        Assert.Contains(dependencies, d => d.Id == "Microsoft.Extensions.Caching.StackExchangeRedis");
    }

    [Fact]
    public async Task A_consumer_shares_one_token_between_two_instances_and_survives_a_Redis_that_is_down()
    {
        string dir = Path.Combine(fixture.Packages.Root, "redis-consumer");
        Directory.CreateDirectory(dir);
        fixture.Packages.WriteNuGetConfig(dir);
        File.WriteAllText(Path.Combine(dir, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFrameworks>net8.0;net10.0</TargetFrameworks>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <NoWarn>NU1603</NoWarn>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Peddler.Generators" Version="{fixture.Packages.Version}" />
                <PackageReference Include="Peddler.Generators.Redis" Version="{fixture.Packages.Version}" />
                <PackageReference Include="Peddler.Testing" Version="{fixture.Packages.Version}" />
              </ItemGroup>
              <!-- net10.0 also runs an embedded Garnet server to share through. -->
              <ItemGroup Condition="'$(TargetFramework)' == 'net10.0'">
                <PackageReference Include="Microsoft.Garnet" Version="2.2.8" />
                <PackageReference Include="System.IO.Hashing" Version="10.0.13" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(dir, "Program.cs"), """
            using System.Net;
            using System.Net.Sockets;
            using Microsoft.Extensions.DependencyInjection;
            using Peddler;
            using Peddler.Testing;

            namespace Consumer;

            [PeddlerClient(Environment = "Production", Scopes = "DEFAULT authenticated {CarrierId}")]
            public partial class CarrierTokens;

            public static class Program
            {
                public static async Task<int> Main()
                {
                    await using var server = new PeddlerAuthorizationServer();
                    server.AddClient("package-consumer", "fake-secret-for-tests", "900001");
                    await server.StartAsync();

                    // Redis down: nothing listens on this port. Every call still gets a token.
                    string nowhere = "127.0.0.1:" + FreePort();
                    string down = (await Instance(server, nowhere).GetTokenAsync()).Fingerprint;
                    Console.WriteLine($"down {server.TokenRequestCount}");
            #if NET10_0
                    int port = FreePort();
                    using var garnet = new Garnet.GarnetServer(["--port", port.ToString(), "--bind", "127.0.0.1", "--lua", "--lua-transaction-mode"]);
                    garnet.Start();
                    string redis = "127.0.0.1:" + port;
                    string first = (await Instance(server, redis).GetTokenAsync()).Fingerprint;
                    string second = (await Instance(server, redis).GetTokenAsync()).Fingerprint;
                    Console.WriteLine($"shared {first == second} requests {server.TokenRequestCount}");
                    Console.WriteLine("OK net10.0");
            #else
                    Console.WriteLine("OK net8.0");
            #endif
                    return 0;
                }

                private static CarrierTokens Instance(PeddlerAuthorizationServer server, string redis)
                {
                    var services = new ServiceCollection();
                    services.AddPeddlerClient<CarrierTokens>(o =>
                    {
                        o.ClientId = "package-consumer";
                        o.ClientSecret = "fake-secret-for-tests";
                        o.CarrierId = "900001";
                        o.TokenEndpoint = server.TokenEndpoint;
                        o.BackgroundRefresh = false;
                    }).AddDistributedTokenCache(redis);
                    return services.BuildServiceProvider().GetRequiredService<CarrierTokens>();
                }

                private static int FreePort()
                {
                    using var listener = new TcpListener(IPAddress.Loopback, 0);
                    listener.Start();
                    return ((IPEndPoint)listener.LocalEndpoint).Port;
                }
            }
            """);

        await DotNet.RunOrThrowAsync(dir, "build", "-c", "Release");
        foreach (string framework in new[] { "net8.0", "net10.0" })
        {
            (int exitCode, string output) = await DotNet.RunAsync(
                dir,
                ["run", "--no-build", "-c", "Release", "-f", framework],
                new Dictionary<string, string> { ["DOTNET_ROLL_FORWARD"] = "Major" });

            Assert.True(exitCode == 0, $"{framework}: exit {exitCode}{Environment.NewLine}{output}");
            Assert.Contains($"OK {framework}", output, StringComparison.Ordinal);
            Assert.Contains("down 1", output, StringComparison.Ordinal);
            if (framework == "net10.0")
            {
                Assert.Contains("shared True requests 2", output, StringComparison.Ordinal);
            }
        }
    }
}
