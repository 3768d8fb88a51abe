using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Text.Json;
using System.Threading.Tasks;
using Xunit;

namespace Peddler.Package.Tests;

/// <summary>
/// What a developer meets first, from the packed feed: the dev server installed as a .NET tool, and
/// a build with one mistake that reports the PDL error first and no cascade.
/// </summary>
[Collection(PackedPackages.Name)]
public sealed class FirstMinutesTests(PackageFixture package)
{
    [Fact]
    public async Task The_dev_server_installs_as_a_dotnet_tool_and_serves_a_token()
    {
        await DotNet.RunOrThrowAsync(DotNet.RepoRoot, "pack", "samples/Peddler.DevServer/Peddler.DevServer.csproj", "-c", "Release", "-o", package.Feed, $"-p:Version={package.Version}");
        string tools = Path.Combine(package.Root, "tools");
        await DotNet.RunOrThrowAsync(package.Root, "tool", "install", "--tool-path", tools, "--add-source", package.Feed, "Peddler.DevServer", "--version", package.Version);

        var start = new ProcessStartInfo(Path.Combine(tools, OperatingSystem.IsWindows() ? "peddler-devserver.exe" : "peddler-devserver"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string argument in new[] { "--port", "0", "--client", "tool-client:fake-secret-for-tests:900001" })
        {
            start.ArgumentList.Add(argument);
        }

        using Process server = Process.Start(start)!;
        try
        {
            Uri tokenEndpoint = await ReadTokenEndpointAsync(server);
            using var http = new HttpClient();
            using HttpResponseMessage response = await http.PostAsync(tokenEndpoint, new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials",
                ["client_id"] = "tool-client",
                ["client_secret"] = "fake-secret-for-tests",
                ["scope"] = "DEFAULT authenticated 900001",
            }));

            string body = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}");
            using JsonDocument json = JsonDocument.Parse(body);
            Assert.False(string.IsNullOrEmpty(json.RootElement.GetProperty("access_token").GetString()));
            Assert.Equal("Bearer", json.RootElement.GetProperty("token_type").GetString());
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task One_attribute_mistake_fails_the_build_with_exactly_one_error_the_PDL_one()
    {
        string consumer = WriteConsumer("one-mistake", """[PeddlerClient(Environment = "dev", Scopes = "DEFAULT authenticated 900001")] public partial class CarrierTokens;""");

        string[] errors = await BuildErrorsAsync(consumer);

        string only = Assert.Single(errors);
        Assert.Contains("error PDL009", only, StringComparison.Ordinal);
        Assert.Contains("Clients.cs(3,", only, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_class_that_is_not_partial_fails_the_build_with_the_PDL_error_first_and_no_cascade()
    {
        string consumer = WriteConsumer("not-partial", """[PeddlerClient(Environment = "Dev", Scopes = "DEFAULT authenticated 900001")] public class CarrierTokens { }""");

        string[] errors = await BuildErrorsAsync(consumer);

        Assert.True(errors.Length > 0);
        Assert.Contains("error PDL012", errors[0], StringComparison.Ordinal);
        Assert.Contains("Clients.cs(3,", errors[0], StringComparison.Ordinal);
        Assert.DoesNotContain(errors, e => e.Contains("Program.cs", StringComparison.Ordinal));
    }

    /// <summary>The distinct error lines of a build, in the order it printed them.</summary>
    private static async Task<string[]> BuildErrorsAsync(string project)
    {
        (int exitCode, string output) = await DotNet.RunAsync(project, ["build", "-c", "Release", "-nologo"]);
        Assert.NotEqual(0, exitCode);
        return output.Split('\n')
            .Select(line => line.Trim())
            .Where(line => line.Contains(": error ", StringComparison.Ordinal))
            .Distinct(StringComparer.Ordinal)
            .ToArray();
    }

    private static async Task<Uri> ReadTokenEndpointAsync(Process server)
    {
        Task<string?> timeout = Task.Delay(TimeSpan.FromMinutes(2)).ContinueWith(_ => (string?)null, TaskScheduler.Default);
        while (true)
        {
            Task<string?> read = server.StandardOutput.ReadLineAsync();
            string? line = await await Task.WhenAny(read, timeout);
            if (line is null)
            {
                throw new InvalidOperationException("The dev server printed no token endpoint: " + await server.StandardError.ReadToEndAsync());
            }

            const string Prefix = "Token endpoint:";
            if (line.TrimStart().StartsWith(Prefix, StringComparison.Ordinal))
            {
                return new Uri(line.TrimStart()[Prefix.Length..].Trim());
            }
        }
    }

    private string WriteConsumer(string name, string client)
    {
        string dir = Path.Combine(package.Root, name);
        Directory.CreateDirectory(dir);
        package.WriteNuGetConfig(dir);
        File.WriteAllText(Path.Combine(dir, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Peddler.Generators" Version="{package.Version}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(dir, "Clients.cs"), "using Peddler;\n\n" + client + "\n");
        File.WriteAllText(Path.Combine(dir, "Program.cs"), """
            using Peddler;

            using var http = new HttpClient();
            var tokens = new CarrierTokens(http, new PeddlerClientOptions
            {
                ClientId = Environment.GetEnvironmentVariable("PEDDLER_CLIENT_ID"),
                ClientSecret = Environment.GetEnvironmentVariable("PEDDLER_CLIENT_SECRET"),
            });
            PeddlerAccessToken token = await tokens.GetTokenAsync();
            tokens.InvalidateToken(token);
            Console.WriteLine($"{CarrierTokens.Descriptor} {CarrierTokens.TokenEndpoint} {CarrierTokens.Scopes} {tokens.EffectiveTokenEndpoint}");
            """);
        return dir;
    }
}
