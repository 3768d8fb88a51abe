using System;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using static Peddler.Analyzers.Operations;
using static Peddler.Analyzers.SinkFinder;
using static Peddler.Analyzers.ValueSources;

namespace Peddler.Analyzers;

public sealed partial class HardCodedSecretAnalyzer
{
    /// <summary>
    /// The argument callback: a value passed to a parameter named for a secret, to a known API, as
    /// the value of a key/value pair, to <c>SetEnvironmentVariable</c>, or as HTTP Basic credentials.
    /// </summary>
    private sealed partial class Analysis
    {
        public void AnalyzeArgument(OperationAnalysisContext context)
        {
            var argument = (IArgumentOperation)context.Operation;
            IParameterSymbol? parameter = argument.Parameter;
            if (parameter is null || argument.ArgumentKind == ArgumentKind.ParamArray)
            {
                return;
            }

            // An omitted argument carries the parameter's default: it is judged (and reported once) at
            // the default's declaration, not at every call site. Local functions' defaults are seen
            // only this way.
            IOperation? value = argument.ArgumentKind == ArgumentKind.DefaultValue ? DeclaredDefault(argument, parameter) : argument.Value;
            if (value is null)
            {
                return;
            }

            // Basic credentials arrive as Convert.ToBase64String(...): the only non-constant value worth a look.
            bool mayBeBasicCredentials = parameter.Ordinal == 1 && parameter.ContainingType?.Name == "AuthenticationHeaderValue";
            if (!mayBeBasicCredentials && !MayCarryConstant(value))
            {
                return;
            }

            IMethodSymbol? method = argument.Parent switch
            {
                IInvocationOperation invocation => invocation.TargetMethod,
                IObjectCreationOperation creation => creation.Constructor,
                _ => null,
            };
            ImmutableArray<IArgumentOperation> arguments = argument.Parent switch
            {
                IInvocationOperation invocation => invocation.Arguments,
                IObjectCreationOperation creation => creation.Arguments,
                _ => ImmutableArray<IArgumentOperation>.Empty,
            };

            if (!TryGetOptions(context, out SecretOptions options))
            {
                return;
            }

            bool nameMayMatch = options.MayNameSink(parameter.Name) || parameter.Name == "password" || _sinks.IsServerSecretValue(parameter);
            int index = arguments.IndexOf(argument);
            string? previousKey = index > 0 ? ConstantString(arguments[index - 1].Value) : null;
            bool pairMayMatch = options.MayNameSink(previousKey);
            bool special = method is not null && parameter.Ordinal == 1
                && (_sinks.IsSetEnvironmentVariable(method) || _sinks.IsAuthenticationHeaderValueConstructor(method));
            string? chainedKey = method?.Name == "Append" ? ChainedFormKey(argument, options) : null;
            if (!nameMayMatch && !pairMayMatch && !special && chainedKey is null)
            {
                return;
            }

            if (method is not null && special && index == 1)
            {
                if (_sinks.IsSetEnvironmentVariable(method))
                {
                    // Environment.SetEnvironmentVariable("…SECRET…", "value").
                    if (previousKey is not null && Sink.Named(previousKey, SinkKind.EnvironmentVariable, options) is { } variable)
                    {
                        ReportValue(context, value, variable, options, replaceable: false);
                    }
                }
                else if (previousKey is not null && previousKey.Trim().Equals("Basic", StringComparison.OrdinalIgnoreCase))
                {
                    AnalyzeBasicCredentials(context, value, options);
                }

                return;
            }

            // IdentityServer stores what it is given as the hash to compare with: a literal is a
            // committed credential only when hashed in place ("…".Sha256()); a precomputed hash or
            // a certificate thumbprint is not.
            if (_sinks.IsServerSecretValue(parameter) && !Wrappers.IsHash(value))
            {
                return;
            }

            Sink? sink = null;
            if (method is not null)
            {
                sink = _sinks.SecretParameter(method, parameter);
            }

            sink ??= NameSink(parameter.Name, SinkKind.Parameter, options, context.Operation, parameter, context.ContainingSymbol);
            if (sink is null && chainedKey is not null)
            {
                // builder.Append("…&client_secret=").Append("…").
                sink = NameSink(chainedKey, SinkKind.FormField, options, context.Operation, null, context.ContainingSymbol);
            }

            if (sink is null && pairMayMatch && method is not null && !IsTextParameter(parameter.Name)
                && KeyValueApis.IsKeyValuePair(method, arguments[index - 1].Parameter, parameter))
            {
                // dictionary.Add("client_secret", "…"), new KeyValuePair<string, string>("client_secret", "…"),
                // but not AddModelError("ClientSecret", errorMessage: "…") nor AddColumn(name: "ClientSecret", table: "…").
                sink = KeySink(arguments[index - 1].Value, options, context.Operation, context.ContainingSymbol);
            }

            if (sink is not null)
            {
                ReportValue(context, value, sink, options);
            }
        }

        /// <summary>
        /// <c>new AuthenticationHeaderValue("Basic", …)</c>: a constant base64 <c>id:secret</c>, or
        /// <c>Convert.ToBase64String(Encoding.X.GetBytes(…))</c> over text whose part after the
        /// first colon is written in source.
        /// </summary>
        private void AnalyzeBasicCredentials(OperationAnalysisContext context, IOperation value, SecretOptions options)
        {
            IOperation v = Unwrap(value);
            if (v.ConstantValue.HasValue)
            {
                if (v.ConstantValue.Value is string encoded && ValueRules.DecodeBase64(encoded) is { } decoded)
                {
                    ReportCredentialText(context, v.Syntax, decoded, options);
                }

                return;
            }

            if (v is IInvocationOperation { TargetMethod.Name: "ToBase64String", Arguments.Length: >= 1 } toBase64
                && Unwrap(toBase64.Arguments[0].Value) is IInvocationOperation { TargetMethod.Name: "GetBytes" } getBytes
                && getBytes.Arguments.Length >= 1)
            {
                IOperation text = Unwrap(getBytes.Arguments[0].Value);
                string? template = TextTemplates.Template(text);
                if (template is not null)
                {
                    ReportCredentialText(context, text.Syntax, template, options);
                }
            }
        }

        private void ReportCredentialText(OperationAnalysisContext context, SyntaxNode node, string text, SecretOptions options)
        {
            if (ValueRules.IsCredentialText(text, options))
            {
                Report(context, node, new Sink("Basic credentials", SinkKind.BasicCredentials, SinkStrength.Known), replaceable: false);
            }
        }
    }
}
