using System;
using System.Collections.Generic;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Peddler.Analyzers;

public sealed partial class HardCodedSecretAnalyzer
{
    private sealed partial class Analysis
    {
        /// <summary>Stands for an interpolation hole or a non-constant operand in a text template.</summary>
        private const char Hole = '\u0001';

        /// <summary>
        /// Text that embeds a secret: form bodies and query strings
        /// (<c>…&amp;client_secret=VALUE</c>), JSON (<c>"client_secret": "VALUE"</c>) and XML
        /// (<c>&lt;ClientSecret&gt;VALUE&lt;/ClientSecret&gt;</c>). Only the outermost string
        /// expression is analysed; holes never count as values.
        /// </summary>
        public void AnalyzeText(OperationAnalysisContext context)
        {
            IOperation op = context.Operation;
            if (op is IBinaryOperation binary && (binary.OperatorKind != BinaryOperatorKind.Add || binary.Type?.SpecialType != SpecialType.System_String))
            {
                return;
            }

            string? literal = op.ConstantValue.HasValue ? op.ConstantValue.Value as string : null;
            if (op is ILiteralOperation && literal is null)
            {
                return;
            }

            if (!IsOutermostText(op) || !TryGetOptions(context, out SecretOptions options))
            {
                return;
            }

            // string.Format / AppendFormat / string.Concat: the whole call is the text.
            IInvocationOperation? call = op.Parent is IArgumentOperation ? TextCall(op) : null;
            string? template = call is not null ? CallTemplate(call) : literal ?? (MayMentionSink(Unwrap(op), options, 0) ? Template(op) : null);
            if (template is null || !options.MayMentionSink(template))
            {
                return;
            }

            (Sink Sink, string Value)? found = FindEmbeddedSecret(template, options);
            if (found is null)
            {
                return;
            }

            SyntaxNode node = op.Syntax;
            if (call is not null)
            {
                // Point at the argument that supplied the value when there is one.
                node = call.Syntax;
                foreach (IArgumentOperation argument in call.Arguments)
                {
                    if (ConstantString(argument.Value) == found.Value.Value)
                    {
                        node = argument.Value.Syntax;
                    }
                }

                if (node == call.Syntax && op.Syntax.SyntaxTree == call.Syntax.SyntaxTree)
                {
                    node = op.Syntax;
                }
            }

            Report(context, node, found.Value.Sink, replaceable: false);
        }

        /// <summary>
        /// Returns the call whose text <paramref name="op"/> starts: the <c>format</c> argument of
        /// <c>string.Format</c>/<c>AppendFormat</c>, or the first constant argument of <c>string.Concat</c>.
        /// </summary>
        private static IInvocationOperation? TextCall(IOperation op)
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
        private static string? CallTemplate(IInvocationOperation call)
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

        private static bool IsOutermostText(IOperation op)
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
        private static bool MayMentionSink(IOperation op, SecretOptions options, int depth)
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
        private static string? Template(IOperation operation)
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

        /// <summary>Returns the first field in <paramref name="text"/> that holds a secret written in the text, and the secret.</summary>
        private static (Sink Sink, string Value)? FindEmbeddedSecret(string text, SecretOptions options)
        {
            bool oauthText = text.IndexOf("client_id", StringComparison.OrdinalIgnoreCase) >= 0
                || text.IndexOf("clientid", StringComparison.OrdinalIgnoreCase) >= 0
                || text.IndexOf("grant_type", StringComparison.OrdinalIgnoreCase) >= 0;
            for (int start = 0; start < text.Length; start++)
            {
                // Each key: a maximal run of key characters.
                if (!SecretNames.IsKeyChar(text[start]) || (start > 0 && SecretNames.IsKeyChar(text[start - 1])))
                {
                    continue;
                }

                int end = start;
                while (end < text.Length && SecretNames.IsKeyChar(text[end]))
                {
                    end++;
                }

                int keyStart = start;
                string key = text.Substring(keyStart, end - keyStart);
                start = end;
                if (!options.MayNameSink(key))
                {
                    continue;
                }

                // A weak key counts when the text also has client_id or grant_type.
                Sink? sink = Sink.Named(key, TextFieldKind(text, keyStart, end), options);
                if (sink is null || (sink.IsWeak && !oauthText))
                {
                    continue;
                }

                string? value = ReadValue(text, keyStart, end);
                if (value is not null && IsEmbeddedSecret(value, sink, options))
                {
                    return (sink, value);
                }
            }

            return null;
        }

        /// <summary>Whether the key at <paramref name="keyStart"/> is an XML element, a JSON field (quoted) or a form field.</summary>
        private static SinkKind TextFieldKind(string text, int keyStart, int keyEnd)
        {
            char before = keyStart > 0 ? text[keyStart - 1] : '\0';
            char after = keyEnd < text.Length ? text[keyEnd] : '\0';
            return before == '<' && after == '>' ? SinkKind.XmlElement
                : before is '"' or '\'' && after == before ? SinkKind.JsonField
                : SinkKind.FormField;
        }

        /// <summary>Reads the value after a key: <c>key=value</c>, <c>"key": "value"</c>, <c>&lt;key&gt;value&lt;/key&gt;</c>.</summary>
        private static string? ReadValue(string text, int keyStart, int keyEnd)
        {
            bool quotedKey = keyStart > 0 && keyEnd < text.Length && text[keyStart - 1] is '"' or '\'' && text[keyEnd] == text[keyStart - 1];
            bool xmlKey = keyStart > 0 && keyEnd < text.Length && text[keyStart - 1] == '<' && text[keyEnd] == '>';
            int i = keyEnd;
            if (xmlKey)
            {
                int close = text.IndexOf('<', i + 1);
                return close < 0 ? null : text.Substring(i + 1, close - i - 1);
            }

            if (quotedKey)
            {
                i++;
            }

            while (i < text.Length && text[i] == ' ')
            {
                i++;
            }

            if (i >= text.Length || !(text[i] == '=' || (quotedKey && text[i] == ':')))
            {
                return null;
            }

            i++;
            while (i < text.Length && text[i] == ' ')
            {
                i++;
            }

            if (i < text.Length && text[i] is '"' or '\'')
            {
                char quote = text[i];
                int close = text.IndexOf(quote, i + 1);
                return close < 0 ? null : text.Substring(i + 1, close - i - 1);
            }

            if (quotedKey)
            {
                // JSON values that are not strings (numbers, null, objects) are not secrets.
                return null;
            }

            int valueEnd = i;
            while (valueEnd < text.Length && !IsValueDelimiter(text[valueEnd]))
            {
                valueEnd++;
            }

            // client_secret=abc{hole}: only part of the value is in the text.
            if (valueEnd < text.Length && text[valueEnd] == Hole)
            {
                return null;
            }

            return text.Substring(i, valueEnd - i);
        }

        private static bool IsEmbeddedSecret(string value, Sink sink, SecretOptions options)
        {
            if (value.IndexOf(Hole) >= 0)
            {
                return false;
            }

            foreach (char c in value)
            {
                // Values in bodies are URL-encoded tokens; regular expressions, format strings and markup are not secrets.
                if (!char.IsLetterOrDigit(c) && "-._~%+/=!@#$*^".IndexOf(c) < 0)
                {
                    return false;
                }
            }

            return IsReportable(value, sink, options, vaultNames: false);
        }

        private static bool IsValueDelimiter(char c) => c is '&' or ';' or ',' or '"' or '\'' or '`' or Hole || char.IsWhiteSpace(c);
    }
}
