namespace Peddler.Analyzers.Tests;

/// <summary>Builds complete test sources around a snippet.</summary>
internal static class Sources
{
    public const string Prelude = """
        using System;
        using System.Collections.Generic;
        using System.Linq;
        using System.Net.Http;
        using System.Net.Http.Headers;
        using System.Text;
        using Microsoft.Extensions.Configuration;
        using Peddler;

        """;

    /// <summary>Places <paramref name="body"/> in a method of a neutral class (no OAuth words in its names), next to <paramref name="members"/>.</summary>
    public static string InMethod(string body, string members = "") =>
        Prelude
        + "class Sample\n{\n"
        + members + "\n"
        + "    void Run(IConfiguration configuration, HttpClient http, bool flag, string env, string id, string value)\n    {\n"
        + body + "\n"
        + "    }\n}\n";

    /// <summary>Places <paramref name="members"/> in a neutral class.</summary>
    public static string InClass(string members) =>
        Prelude + "class Sample\n{\n" + members + "\n}\n";

    /// <summary>Places <paramref name="text"/> after the usings.</summary>
    public static string InFile(string text) => Prelude + text + "\n";
}
