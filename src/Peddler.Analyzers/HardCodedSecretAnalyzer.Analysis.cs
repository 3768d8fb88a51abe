using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using Microsoft.CodeAnalysis.Text;

namespace Peddler.Analyzers;

public sealed partial class HardCodedSecretAnalyzer
{
    /// <summary>The per-compilation state and the operation callbacks.</summary>
    private sealed partial class Analysis
    {
        private static readonly ImmutableDictionary<string, string?> Replaceable =
            ImmutableDictionary<string, string?>.Empty.Add(ReplaceableProperty, "true");

        private readonly KnownSecretSinks _sinks;
        private readonly bool _isTestProject;
        private readonly AnalyzerOptions _options;

        // One diagnostic per location: a literal can reach a sink through several paths
        // (a secret-named local that is also passed to a secret parameter).
        private readonly ConcurrentDictionary<(SyntaxTree, TextSpan), byte> _reported = new();

        private readonly ConcurrentDictionary<SyntaxTree, SecretOptions> _treeOptions = new();

        public Analysis(Compilation compilation, AnalyzerOptions options)
        {
            _options = options;
            _sinks = new KnownSecretSinks(compilation);
            _isTestProject = SecretOptions.IsTestProject(options, compilation);
        }

        public void AnalyzeAssignment(OperationAnalysisContext context)
        {
            var assignment = (IAssignmentOperation)context.Operation;
            if (!MayCarryConstant(assignment.Value) || !TryGetOptions(context, out SecretOptions options))
            {
                return;
            }

            Sink? sink = null;
            switch (assignment.Target)
            {
                case IPropertyReferenceOperation property when property.Property.IsIndexer:
                    sink = KeySink(property.Arguments.Length == 1 ? property.Arguments[0].Value : null, options, context.Operation, context.ContainingSymbol);
                    break;
                case IPropertyReferenceOperation property when _sinks.IsServerSecretProperty(property.Property):
                    sink = Wrappers.IsHash(assignment.Value) ? _sinks.SecretProperty(property.Property) : null;
                    break;
                case IPropertyReferenceOperation property:
                    sink = _sinks.SecretProperty(property.Property)
                        ?? NameSink(property.Property.Name, SinkKind.Property, options, context.Operation, property.Property, context.ContainingSymbol);
                    break;
                case IFieldReferenceOperation field:
                    sink = NameSink(field.Field.Name, SinkKind.Field, options, context.Operation, field.Field, context.ContainingSymbol);
                    break;
                case ILocalReferenceOperation local:
                    sink = NameSink(local.Local.Name, SinkKind.Local, options, context.Operation, null, context.ContainingSymbol);
                    break;
                case IParameterReferenceOperation parameter:
                    sink = NameSink(parameter.Parameter.Name, SinkKind.Parameter, options, context.Operation, parameter.Parameter, context.ContainingSymbol);
                    break;
                case IDynamicMemberReferenceOperation member:
                    sink = NameSink(member.MemberName, SinkKind.Property, options, context.Operation, null, context.ContainingSymbol);
                    break;
                case IDynamicIndexerAccessOperation indexer:
                    sink = KeySink(indexer.Arguments.Length == 1 ? indexer.Arguments[0] : null, options, context.Operation, context.ContainingSymbol);
                    break;
                case IInvalidOperation invalid when UnboundMemberName(invalid.Syntax) is { } name:
                    // A member of a type that does not bind (a package the compilation does not reference).
                    sink = NameSink(name, SinkKind.Property, options, context.Operation, null, context.ContainingSymbol);
                    break;
            }

            if (sink is not null)
            {
                ReportValue(context, assignment.Value, sink, options);
            }
        }

        public void AnalyzeDeclarator(OperationAnalysisContext context)
        {
            var declarator = (IVariableDeclaratorOperation)context.Operation;
            IOperation? value = declarator.Initializer?.Value;
            if (value is null || !MayCarryConstant(value) || !TryGetOptions(context, out SecretOptions options))
            {
                return;
            }

            Sink? sink = NameSink(declarator.Symbol.Name, SinkKind.Local, options, context.Operation, null, context.ContainingSymbol);
            if (sink is not null)
            {
                ReportValue(context, value, sink, options);
            }
        }

        public void AnalyzeMemberInitializer(OperationAnalysisContext context)
        {
            var initializer = (ISymbolInitializerOperation)context.Operation;
            if (!MayCarryConstant(initializer.Value) || !TryGetOptions(context, out SecretOptions options))
            {
                return;
            }

            Sink? sink = null;
            switch (initializer)
            {
                case IFieldInitializerOperation field:
                    foreach (IFieldSymbol symbol in field.InitializedFields)
                    {
                        sink ??= NameSink(symbol.Name, SinkKind.Field, options, context.Operation, symbol, symbol);
                    }

                    break;
                case IPropertyInitializerOperation property:
                    foreach (IPropertySymbol symbol in property.InitializedProperties)
                    {
                        sink ??= _sinks.SecretProperty(symbol) ?? NameSink(symbol.Name, SinkKind.Property, options, context.Operation, symbol, symbol);
                    }

                    break;
                case IParameterInitializerOperation parameter:
                    sink = NameSink(parameter.Parameter.Name, SinkKind.Parameter, options, context.Operation, parameter.Parameter, context.ContainingSymbol);
                    break;
            }

            if (sink is not null)
            {
                ReportValue(context, initializer.Value, sink, options);
            }
        }

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

        /// <summary>The bound default of <paramref name="parameter"/> when it is declared in the same file as the call; otherwise <see langword="null"/>.</summary>
        private static IOperation? DeclaredDefault(IArgumentOperation argument, IParameterSymbol parameter)
        {
            if (parameter.DeclaringSyntaxReferences.Length != 1 || argument.SemanticModel is null
                || parameter.DeclaringSyntaxReferences[0].GetSyntax() is not Microsoft.CodeAnalysis.CSharp.Syntax.ParameterSyntax { Default: { } declared }
                || declared.SyntaxTree != argument.Syntax.SyntaxTree)
            {
                return null;
            }

            return argument.SemanticModel.GetOperation(declared.Value);
        }

        public void AnalyzeReturn(OperationAnalysisContext context)
        {
            var ret = (IReturnOperation)context.Operation;
            if (ret.ReturnedValue is null || !MayCarryConstant(ret.ReturnedValue))
            {
                return;
            }

            string? name = null;
            ISymbol? owner = null;
            for (IOperation? parent = ret.Parent; parent is not null; parent = parent.Parent)
            {
                if (parent is IAnonymousFunctionOperation)
                {
                    return;
                }

                if (parent is ILocalFunctionOperation localFunction)
                {
                    owner = localFunction.Symbol;
                    name = localFunction.Symbol.Name;
                    break;
                }
            }

            if (name is null && context.ContainingSymbol is IMethodSymbol method)
            {
                owner = method.MethodKind == MethodKind.PropertyGet ? method.AssociatedSymbol : method;
                if (method.MethodKind is MethodKind.PropertyGet or MethodKind.Ordinary)
                {
                    name = owner?.Name;
                }
            }

            if (name is null || !TryGetOptions(context, out SecretOptions options))
            {
                return;
            }

            Sink? sink = NameSink(name, SinkKind.ReturningMember, options, context.Operation, owner, context.ContainingSymbol);
            if (sink is not null)
            {
                ReportValue(context, ret.ReturnedValue, sink, options);
            }
        }

        public void AnalyzeTuple(OperationAnalysisContext context)
        {
            var tuple = (ITupleOperation)context.Operation;
            ImmutableArray<IOperation> elements = tuple.Elements;
            if (!TryGetOptions(context, out SecretOptions options))
            {
                return;
            }

            // ("client_secret", "…"): a constant key followed by the value.
            for (int i = 0; i + 1 < elements.Length; i++)
            {
                string? key = ConstantString(elements[i]);
                if (!options.MayNameSink(key) || !MayCarryConstant(elements[i + 1]))
                {
                    continue;
                }

                Sink? sink = KeySink(elements[i], options, context.Operation, context.ContainingSymbol);
                if (sink is not null)
                {
                    ReportValue(context, elements[i + 1], sink, options);
                }
            }

            // (ClientId: "…", ClientSecret: "…") and (string ClientId, string ClientSecret) t = (…, "…").
            ITypeSymbol? type = tuple.Parent is IConversionOperation conversion ? conversion.Type : tuple.Type;
            if (type is INamedTypeSymbol { IsTupleType: true } named && named.TupleElements.Length == elements.Length)
            {
                for (int i = 0; i < elements.Length; i++)
                {
                    string name = named.TupleElements[i].Name;
                    if (!options.MayNameSink(name) || !MayCarryConstant(elements[i]))
                    {
                        continue;
                    }

                    Sink? sink = NameSink(name, SinkKind.TupleElement, options, context.Operation, named.TupleElements[i], context.ContainingSymbol);
                    if (sink is not null)
                    {
                        ReportValue(context, elements[i], sink, options);
                    }
                }
            }
        }

        public void AnalyzeDeconstruction(OperationAnalysisContext context)
        {
            var deconstruction = (IDeconstructionAssignmentOperation)context.Operation;
            IOperation target = deconstruction.Target is IDeclarationExpressionOperation declaration ? declaration.Expression : deconstruction.Target;
            if (target is not ITupleOperation targets || Unwrap(deconstruction.Value) is not ITupleOperation values
                || targets.Elements.Length != values.Elements.Length || !TryGetOptions(context, out SecretOptions options))
            {
                return;
            }

            for (int i = 0; i < targets.Elements.Length; i++)
            {
                IOperation element = targets.Elements[i] is IDeclarationExpressionOperation d ? d.Expression : targets.Elements[i];
                (string? name, SinkKind kind) = element switch
                {
                    ILocalReferenceOperation local => (local.Local.Name, SinkKind.Local),
                    IFieldReferenceOperation field => (field.Field.Name, SinkKind.Field),
                    IPropertyReferenceOperation property => (property.Property.Name, SinkKind.Property),
                    IParameterReferenceOperation parameter => (parameter.Parameter.Name, SinkKind.Parameter),
                    _ => ((string?)null, SinkKind.Local),
                };
                if (name is null || !options.MayNameSink(name) || !MayCarryConstant(values.Elements[i]))
                {
                    continue;
                }

                Sink? sink = NameSink(name, kind, options, context.Operation, null, context.ContainingSymbol);
                if (sink is not null)
                {
                    ReportValue(context, values.Elements[i], sink, options);
                }
            }
        }

        public void AnalyzeCoalesce(OperationAnalysisContext context)
        {
            var coalesce = (ICoalesceOperation)context.Operation;
            if (!MayCarryConstant(coalesce.WhenNull))
            {
                return;
            }

            string? key = LookupKey(coalesce.Value);
            if (key is null || !IsKeyLike(key) || !TryGetOptions(context, out SecretOptions options) || !options.MayNameSink(key))
            {
                return;
            }

            if (NameSink(key, SinkKind.ConfigurationFallback, options, context.Operation, null, context.ContainingSymbol) is { } sink)
            {
                ReportValue(context, coalesce.WhenNull, sink, options);
            }
        }

        /// <summary>Whether a parameter takes prose (a message or description) rather than a value.</summary>
        private static bool IsTextParameter(string name)
        {
            foreach (string word in SecretNames.SplitWords(name))
            {
                switch (word)
                {
                    case "message": case "error": case "description": case "text": case "reason": case "title":
                    case "label": case "hint": case "prompt": case "caption": case "format": case "comment":
                    case "note": case "summary": case "detail": case "details": case "help": case "tooltip":
                        return true;
                }
            }

            return false;
        }

        /// <summary>For <c>b.Append("…client_secret=").Append(value)</c>: the key the previous <c>Append</c> ended with.</summary>
        private static string? ChainedFormKey(IArgumentOperation argument, SecretOptions options)
        {
            if (argument.Parent is not IInvocationOperation { Instance: { } instance } || !argument.Value.ConstantValue.HasValue)
            {
                return null;
            }

            if (Unwrap(instance) is not IInvocationOperation { TargetMethod.Name: "Append", Arguments.Length: 1 } previous
                || ConstantString(previous.Arguments[0].Value) is not { } text)
            {
                return null;
            }

            string trimmed = text.TrimEnd();
            if (!trimmed.EndsWith("=", StringComparison.Ordinal))
            {
                return null;
            }

            int end = trimmed.Length - 1;
            int start = end;
            while (start > 0 && SecretNames.IsKeyChar(trimmed[start - 1]))
            {
                start--;
            }

            string? key = start < end ? trimmed.Substring(start, end - start) : null;
            return options.MayNameSink(key) ? key : null;
        }

        private bool TryGetOptions(OperationAnalysisContext context, out SecretOptions options)
        {
            SyntaxTree tree = context.Operation.Syntax.SyntaxTree;
            if (!_treeOptions.TryGetValue(tree, out options!))
            {
                options = SecretOptions.For(_options, tree);
                _treeOptions.TryAdd(tree, options);
            }

            return !_isTestProject || options.AnalyzeTestProjects;
        }

        /// <summary>
        /// The sink <paramref name="name"/> names here, as a <paramref name="kind"/>: a configured or
        /// strong name always, a weak name only in client-authentication context.
        /// </summary>
        private static Sink? NameSink(string name, SinkKind kind, SecretOptions options, IOperation site, ISymbol? target, ISymbol? containing)
        {
            Sink? sink = Sink.Named(name, kind, options);
            return sink is { IsWeak: true } && !IsClientAuthentication(site, target, containing) ? null : sink;
        }

        /// <summary>The sink <paramref name="keyOperation"/> names when it is a constant client-secret key.</summary>
        private static Sink? KeySink(IOperation? keyOperation, SecretOptions options, IOperation site, ISymbol? containing)
        {
            string? key = keyOperation is null ? null : ConstantString(keyOperation);
            return key is null || !IsKeyLike(key) ? null : NameSink(key, SinkKind.Key, options, site, null, containing);
        }

        /// <summary>Whether a key is a plain name (letters, digits, <c>_ - . : @ $</c>), not a pattern or a sentence.</summary>
        private static bool IsKeyLike(string key)
        {
            if (key.Length == 0 || key.Length > 128)
            {
                return false;
            }

            foreach (char c in key)
            {
                if (!char.IsLetterOrDigit(c) && c != '_' && c != '-' && c != '.' && c != ':' && c != '@' && c != '$')
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>The constant key of a lookup: <c>config["k"]</c>, <c>GetEnvironmentVariable("k")</c>, <c>GetValue&lt;string&gt;("k")</c>, <c>GetSection("k").Value</c>.</summary>
        private static string? LookupKey(IOperation value)
        {
            IOperation v = Unwrap(value);
            if (v is IPropertyReferenceOperation { Property.IsIndexer: true } indexer && indexer.Arguments.Length == 1)
            {
                return ConstantString(indexer.Arguments[0].Value);
            }

            if (v is IPropertyReferenceOperation { Instance: { } instance })
            {
                v = Unwrap(instance);
            }

            if (v is IInvocationOperation invocation)
            {
                foreach (IArgumentOperation argument in invocation.Arguments)
                {
                    string? key = ConstantString(argument.Value);
                    if (key is not null)
                    {
                        return key;
                    }
                }
            }

            return null;
        }

        private static string? ConstantString(IOperation operation)
        {
            IOperation o = Unwrap(operation);
            if (o is INameOfOperation)
            {
                return null;
            }

            return o.ConstantValue.HasValue ? o.ConstantValue.Value as string : null;
        }

        private static IOperation Unwrap(IOperation operation)
        {
            IOperation o = operation;
            while (true)
            {
                switch (o)
                {
                    case IConversionOperation conversion:
                        o = conversion.Operand;
                        continue;
                    case IParenthesizedOperation parenthesized:
                        o = parenthesized.Operand;
                        continue;
                    default:
                        return o;
                }
            }
        }

        private void Report(OperationAnalysisContext context, SyntaxNode node, Sink sink, bool replaceable)
        {
            if (!_reported.TryAdd((node.SyntaxTree, node.Span), 0))
            {
                return;
            }

            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.HardCodedClientSecret,
                node.GetLocation(),
                replaceable ? Replaceable : ImmutableDictionary<string, string?>.Empty,
                sink.Display));
        }
    }
}
