using System.Collections.Generic;
using System.Threading.Tasks;
using Xunit;

namespace Peddler.Analyzers.Tests;

/// <summary>
/// Every value shape of PDL001 works the same for a built-in sink name (<c>clientSecret</c>,
/// <c>client_secret</c>) and for a name configured with <c>peddler.PDL001.additional_sink_names</c>
/// (<c>vaultKey</c>), and stays silent for an unrelated name (<c>displayName</c>).
/// </summary>
public class HardCodedSecretSinkNameTests
{
    private const string EditorConfig = """
        root = true

        [*.cs]
        peddler.PDL001.additional_sink_names = vaultKey
        """;

    /// <summary>
    /// The shapes: <c>{N}</c> is the name as an identifier (camel case), <c>{P}</c> as a member
    /// (Pascal case), <c>{K}</c> as a key (snake case); <c>[[</c> … <c>]]</c> marks the expression
    /// reported; <c>{M}</c> in the members.
    /// </summary>
    private static readonly Dictionary<string, (string Body, string Members)> Shapes = new()
    {
        ["assignment"] = ("{N} = [[\"Zk9QmpR8x\"]];", "    string? {N};"),
        ["argument"] = ("Connect({N}: [[\"Zk9QmpR8x\"]]);", "    static void Connect(string {N}) { }"),
        ["positional argument"] = ("Connect([[\"Zk9QmpR8x\"]]);", "    static void Connect(string {N}) { }"),
        ["local initializer"] = ("var {N} = [[\"Zk9QmpR8x\"]];", ""),
        ["object initializer"] = ("var h = new Holder { {P} = [[\"Zk9QmpR8x\"]] };", "    sealed class Holder { public string? {P} { get; set; } }"),
        ["field initializer"] = ("", "    private readonly string {N} = [[\"Zk9QmpR8x\"]];"),
        ["named tuple element"] = ("var t = ({N}: [[\"Zk9QmpR8x\"]], n: 1);", ""),
        ["tuple converted to a named tuple type"] = ("(string {N}, int n) t = ([[\"Zk9QmpR8x\"]], 1);", ""),
        ["key and value tuple"] = ("var pair = (\"{K}\", [[\"Zk9QmpR8x\"]]);", ""),
        ["conditional"] = ("var {N} = flag ? [[\"Zk9QmpR8x\"]] : value;", ""),
        ["coalesce"] = ("var {N} = env ?? [[\"Zk9QmpR8x\"]];", ""),
        ["configuration fallback"] = ("var x = configuration[\"{K}\"] ?? [[\"Zk9QmpR8x\"]];", ""),
        ["dictionary index initializer"] = ("var d = new Dictionary<string, string> { [\"{K}\"] = [[\"Zk9QmpR8x\"]] };", ""),
        ["dictionary collection initializer"] = ("var d = new Dictionary<string, string> { { \"{K}\", [[\"Zk9QmpR8x\"]] } };", ""),
        ["dictionary Add"] = ("var d = new Dictionary<string, string>(); d.Add(\"{K}\", [[\"Zk9QmpR8x\"]]);", ""),
        ["anonymous object"] = ("var payload = new { {K} = [[\"Zk9QmpR8x\"]] };", ""),
        ["form-like text body"] = ("var body = [[$\"{K}=Zk9QmpR8x&x={id}\"]];", ""),
        ["form text built by Append"] = ("new StringBuilder().Append(\"x=1&{K}=\").Append([[\"Zk9QmpR8x\"]]);", ""),
        ["JSON text"] = ("var json = [[\"{ \\\"{K}\\\": \\\"Zk9QmpR8x\\\" }\"]];", ""),
        ["deconstruction"] = ("var ({N}, n) = ([[\"Zk9QmpR8x\"]], 1);", ""),
        ["returned by a named member"] = ("", "    static string {P}() => [[\"Zk9QmpR8x\"]];"),
    };

    public static TheoryData<string, string> Cases
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (string shape in Shapes.Keys)
            {
                data.Add(shape, "built-in");
                data.Add(shape, "configured");
                data.Add(shape, "unrelated");
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public Task Each_shape_reports_built_in_and_configured_names_alike(string shape, string name)
    {
        (string camel, string pascal, string snake) = name switch
        {
            "built-in" => ("clientSecret", "ClientSecret", "client_secret"),
            "configured" => ("vaultKey", "VaultKey", "vault_key"),
            _ => ("displayName", "DisplayName", "display_name"),
        };
        bool reported = name != "unrelated";
        (string body, string members) = Shapes[shape];
        return Verify.AnalyzerAsync<HardCodedSecretAnalyzer>(
            Sources.InMethod(Fill(body, camel, pascal, snake, reported), Fill(members, camel, pascal, snake, reported)),
            EditorConfig);
    }

    [Fact]
    public void The_table_covers_the_shapes_the_issue_names()
    {
        // Assignment, argument, initializer, named tuple element, ??/conditional, collection entry, form text, JSON text.
        foreach (string shape in new[] { "assignment", "argument", "object initializer", "named tuple element", "coalesce", "conditional", "dictionary index initializer", "form-like text body", "JSON text" })
        {
            Assert.True(Shapes.ContainsKey(shape), shape);
        }
    }

    private static string Fill(string template, string camel, string pascal, string snake, bool reported) =>
        template.Replace("{N}", camel).Replace("{P}", pascal).Replace("{K}", snake)
            .Replace("[[", reported ? "{|PDL001:" : string.Empty).Replace("]]", reported ? "|}" : string.Empty);
}
