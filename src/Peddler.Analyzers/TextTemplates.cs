using System.Collections.Generic;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using static Peddler.Analyzers.Operations;

namespace Peddler.Analyzers;

/// <summary>
/// The value model for text: the string an expression builds (a literal, an interpolation, a
/// concatenation, <c>string.Format</c>/<c>AppendFormat</c>/<c>string.Concat</c>, <c>Uri.EscapeDataString</c>
/// of a constant), with <see cref="Hole"/> for every part that is not written in source.
/// </summary>
internal static class TextTemplates
{
    /// <summary>Stands for an interpolation hole or a non-constant operand in a text template.</summary>
    public const char Hole = '\u0001';

    /// <summary>
    /// Returns the call whose text <paramref name="op"/> starts: the <c>format</c> argument of
    /// <c>string.Format</c>/<c>AppendFormat</c>, or the first constant argument of <c>string.Concat</c>.
    /// </summary>
    public static IInvocationOperation? TextCall(IOperation op)
    {
        if (op.Parent is not IArgumentOperation { Parent: IInvocationOperation invocation } argument)
        {
            return null;
        }

        IMethodSymbol method = invocation.TargetMethod;
        bool isString = method.ContainingType?.SpecialType == SpecialType.System_String;
        if ((method.Name == "Format" && isString) || (method.Name == "AppendFormat" && method.ContainingType?.Name == "StringBuilder"))
        {
            return argument.Parameter?.Name == "format" ? invocation : null;
        }

        if (method.Name == "Concat" && isString)
        {
            foreach (IArgumentOperation a in invocation.Arguments)
            {
                if (ConstantString(a.Value) is not null)
                {
                    return a == argument ? invocation : null;
                }
            }
        }

        return null;
    }

    /// <summary>The text a format or concat call produces, with <see cref="Hole"/> for what is not constant.</summary>
    public static string? CallTemplate(IInvocationOperation call)
    {
        var values = new List<IOperation>();
        string? format = null;
        foreach (IArgumentOperation argument in call.Arguments)
        {
            if (argument.Parameter?.Name == "format" && call.TargetMethod.Name != "Concat")
            {
                format = ConstantString(argument.Value);
            }
            else if (argument.ArgumentKind == ArgumentKind.ParamArray && argument.Value is IArrayCreationOperation { Initializer: { } initializer })
            {
                values.AddRange(initializer.ElementValues);
            }
            else if (argument.Parameter?.Type.Name != "IFormatProvider")
            {
                values.Add(argument.Value);
            }
        }

        var builder = new StringBuilder();
        if (call.TargetMethod.Name == "Concat")
        {
            foreach (IOperation value in values)
            {
                if (!AppendTemplate(Unwrap(value), builder, 0))
                {
                    return null;
                }
            }

            return builder.ToString();
        }

        if (format is null)
        {
            return null;
        }

        for (int i = 0; i < format.Length; i++)
        {
            char c = format[i];
            if ((c == '{' || c == '}') && i + 1 < format.Length && format[i + 1] == c)
            {
                builder.Append(c);
                i++;
                continue;
            }

            if (c != '{')
            {
                builder.Append(c);
                continue;
            }

            int close = format.IndexOf('}', i);
            if (close < 0)
            {
                return null;
            }

            string item = format.Substring(i + 1, close - i - 1);
            int cut = item.IndexOfAny([',', ':']);
            string indexText = (cut < 0 ? item : item.Substring(0, cut)).Trim();
            if (int.TryParse(indexText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int index)
                && index < values.Count && ConstantString(values[index]) is { } constant)
            {
                builder.Append(constant);
            }
            else
            {
                builder.Append(Hole);
            }

            i = close;
        }

        return builder.ToString();
    }

    /// <summary>Whether <paramref name="op"/> is the outermost part of its text (only that one is analysed).</summary>
    public static bool IsOutermostText(IOperation op)
    {
        IOperation? parent = op.Parent;
        while (parent is IConversionOperation or IParenthesizedOperation)
        {
            parent = parent.Parent;
        }

        return parent switch
        {
            IBinaryOperation { OperatorKind: BinaryOperatorKind.Add } p => p.Type?.SpecialType != SpecialType.System_String,
            IInterpolatedStringTextOperation => false,
            _ => true,
        };
    }

    /// <summary>
    /// Whether the text <see cref="Template(IOperation)"/> would build may mention a sink name
    /// (<see cref="SecretOptions.MayMentionSink"/> on each constant part): the same walk without
    /// building the string, so that the common interpolated string or concatenation without one
    /// costs no allocation.
    /// </summary>
    public static bool MayMentionSink(IOperation op, SecretOptions options, int depth)
    {
        if (depth > 32)
        {
            return true;
        }

        if (op.ConstantValue.HasValue && op is not INameOfOperation)
        {
            return op.ConstantValue.Value is string s && options.MayMentionSink(s);
        }

        switch (op)
        {
            case IBinaryOperation { OperatorKind: BinaryOperatorKind.Add } binary when binary.Type?.SpecialType == SpecialType.System_String:
                return MayMentionSink(Unwrap(binary.LeftOperand), options, depth + 1) || MayMentionSink(Unwrap(binary.RightOperand), options, depth + 1);
            case IInterpolatedStringOperation interpolated:
                foreach (IInterpolatedStringContentOperation part in interpolated.Parts)
                {
                    if (part is IInterpolatedStringTextOperation text && text.Text.ConstantValue.Value is string value
                        && options.MayMentionSink(value))
                    {
                        return true;
                    }
                }

                return false;
            case IInvocationOperation { TargetMethod.Name: "EscapeDataString" or "UrlEncode" or "EscapeUriString", Arguments.Length: 1 } encode:
                return options.MayMentionSink(ConstantString(encode.Arguments[0].Value));
            default:
                return false;
        }
    }

    /// <summary>The text of a string expression, with <see cref="Hole"/> for every part that is not constant.</summary>
    public static string? Template(IOperation operation)
    {
        var builder = new StringBuilder();
        return AppendTemplate(Unwrap(operation), builder, 0) ? builder.ToString() : null;
    }

    private static bool AppendTemplate(IOperation op, StringBuilder builder, int depth)
    {
        if (depth > 32)
        {
            return false;
        }

        if (op.ConstantValue.HasValue && op is not INameOfOperation)
        {
            if (op.ConstantValue.Value is string s)
            {
                builder.Append(s);
            }
            else
            {
                builder.Append(Hole);
            }

            return true;
        }

        switch (op)
        {
            case IBinaryOperation { OperatorKind: BinaryOperatorKind.Add } binary when binary.Type?.SpecialType == SpecialType.System_String:
                return AppendTemplate(Unwrap(binary.LeftOperand), builder, depth + 1) && AppendTemplate(Unwrap(binary.RightOperand), builder, depth + 1);
            case IInterpolatedStringOperation interpolated:
                foreach (IInterpolatedStringContentOperation part in interpolated.Parts)
                {
                    if (part is IInterpolatedStringTextOperation text && text.Text.ConstantValue.Value is string value)
                    {
                        builder.Append(value);
                    }
                    else
                    {
                        builder.Append(Hole);
                    }
                }

                return true;
            case IInvocationOperation { TargetMethod.Name: "EscapeDataString" or "UrlEncode" or "EscapeUriString", Arguments.Length: 1 } encode
                when ConstantString(encode.Arguments[0].Value) is { } encoded:
                // Uri.EscapeDataString("…"): still written in source.
                builder.Append(encoded);
                return true;
            default:
                builder.Append(Hole);
                return true;
        }
    }
}
