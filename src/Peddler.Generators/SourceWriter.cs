using System;
using System.Text;

namespace Peddler.Generators;

/// <summary>
/// Writes C# text with indentation: each line is prefixed with the current indent, and
/// multi-line blocks (raw string literals in the emitter) are re-indented line by line.
/// </summary>
internal sealed class SourceWriter
{
    private const int IndentSize = 4;
    private readonly StringBuilder _text = new();
    private int _indent;

    /// <summary>Writes one line at the current indentation; an empty argument writes a blank line.</summary>
    public void WriteLine(string line = "")
    {
        if (line.Length > 0)
        {
            _text.Append(' ', _indent * IndentSize).Append(line);
        }

        _text.Append('\n');
    }

    /// <summary>Writes every line of <paramref name="block"/> at the current indentation.</summary>
    public void WriteBlock(string block)
    {
        foreach (string line in block.Replace("\r\n", "\n").Split('\n'))
        {
            WriteLine(line);
        }
    }

    /// <summary>Writes <c>{</c> and indents.</summary>
    public void OpenBrace()
    {
        WriteLine("{");
        _indent++;
    }

    /// <summary>Unindents and writes <c>}</c>.</summary>
    public void CloseBrace()
    {
        if (_indent == 0)
        {
            throw new InvalidOperationException("Unbalanced braces in generated source.");
        }

        _indent--;
        WriteLine("}");
    }

    /// <inheritdoc />
    public override string ToString() => _text.ToString();
}
