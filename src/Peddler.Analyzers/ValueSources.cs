using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using static Peddler.Analyzers.Operations;

namespace Peddler.Analyzers;

/// <summary>A constant string that reaches a sink, and the expression to report.</summary>
internal readonly struct Leaf
{
    public Leaf(SyntaxNode node, string value)
    {
        Node = node;
        Value = value;
    }

    public SyntaxNode Node { get; }

    public string Value { get; }
}

/// <summary>
/// The value model of PDL001: the constant strings a value that reaches a sink can evaluate to,
/// and where each is written — through <c>??</c>, <c>?:</c>, <c>switch</c> arms, assignments, a local
/// written once, a member written only by its initializer, a wrapper (<c>ClientSecret.Parse("…")</c>,
/// <c>"…".Sha256()</c>), a parameter's default. A constant declared in the same file is found at its
/// declaration, so that it is reported once however many sinks it reaches.
/// </summary>
internal static class ValueSources
{
    private const int MaxDepth = 6;

    /// <summary>Cheap test before any name analysis: can this value hold a constant string at all?</summary>
    public static bool MayCarryConstant(IOperation? value)
    {
        if (value is null)
        {
            return false;
        }

        IOperation v = Unwrap(value);
        if (v.ConstantValue.HasValue)
        {
            return v.ConstantValue.Value is string && v is not INameOfOperation;
        }

        return v.Kind is OperationKind.Coalesce or OperationKind.Conditional or OperationKind.SwitchExpression
            or OperationKind.LocalReference or OperationKind.FieldReference or OperationKind.PropertyReference
            or OperationKind.SimpleAssignment or OperationKind.Invocation or OperationKind.ObjectCreation;
    }

    /// <summary>Every constant string <paramref name="value"/> can evaluate to, with the expression to report it at.</summary>
    public static List<Leaf> Leaves(IOperation value)
    {
        var leaves = new List<Leaf>();
        CollectLeaves(value, leaves, 0);
        return leaves;
    }

    /// <summary>The bound default of <paramref name="parameter"/> when it is declared in the same file as the call; otherwise <see langword="null"/>.</summary>
    public static IOperation? DeclaredDefault(IArgumentOperation argument, IParameterSymbol parameter)
    {
        if (parameter.DeclaringSyntaxReferences.Length != 1 || argument.SemanticModel is null
            || parameter.DeclaringSyntaxReferences[0].GetSyntax() is not Microsoft.CodeAnalysis.CSharp.Syntax.ParameterSyntax { Default: { } declared }
            || declared.SyntaxTree != argument.Syntax.SyntaxTree)
        {
            return null;
        }

        return argument.SemanticModel.GetOperation(declared.Value);
    }

    /// <summary>The constant key of a lookup: <c>config["k"]</c>, <c>GetEnvironmentVariable("k")</c>, <c>GetValue&lt;string&gt;("k")</c>, <c>GetSection("k").Value</c>.</summary>
    public static string? LookupKey(IOperation value)
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

    private static void CollectLeaves(IOperation? operation, List<Leaf> leaves, int depth)
    {
        if (operation is null || depth > MaxDepth)
        {
            return;
        }

        IOperation op = Unwrap(operation);
        switch (op)
        {
            case INameOfOperation:
                return;
            case ICoalesceOperation coalesce:
                CollectLeaves(coalesce.Value, leaves, depth + 1);
                CollectLeaves(coalesce.WhenNull, leaves, depth + 1);
                return;
            case IConditionalOperation { WhenFalse: not null } conditional:
                CollectLeaves(conditional.WhenTrue, leaves, depth + 1);
                CollectLeaves(conditional.WhenFalse, leaves, depth + 1);
                return;
            case ISwitchExpressionOperation switchExpression:
                foreach (ISwitchExpressionArmOperation arm in switchExpression.Arms)
                {
                    CollectLeaves(arm.Value, leaves, depth + 1);
                }

                return;
            case ISimpleAssignmentOperation assignment:
                CollectLeaves(assignment.Value, leaves, depth + 1);
                return;
        }

        if (op.ConstantValue.HasValue)
        {
            if (op.ConstantValue.Value is string constant && !IsDeclaredSecretReference(op) && !ValueRules.IsVaultSecretName(op, constant))
            {
                leaves.Add(new Leaf(ConstantDeclaration(op) ?? op.Syntax, constant));
            }

            return;
        }

        switch (op)
        {
            case ILocalReferenceOperation local:
                FollowLocal(local, leaves, depth);
                break;
            case IFieldReferenceOperation { Field: { } field } reference
                when field.IsReadOnly || field.DeclaredAccessibility == Accessibility.Private:
                if (!IsSecretNamedInSource(field))
                {
                    AddMemberInitializer(field, reference, leaves);
                }

                break;
            case IPropertyReferenceOperation { Property: { IsIndexer: false } property } reference:
                if (!IsSecretNamedInSource(property))
                {
                    AddMemberInitializer(property, reference, leaves);
                }

                break;
            case IInvocationOperation { Arguments.Length: 0, TargetMethod: { MethodKind: MethodKind.Ordinary } method } invocation:
                if (!IsSecretNamedInSource(method))
                {
                    AddMemberInitializer(method, invocation, leaves);
                }

                break;
            case IInvocationOperation or IObjectCreationOperation:
                // ClientSecret.Parse("…"), new Secret("…"), "…".Sha256(), JsonSerializer.SerializeToElement("…"), Wrap("…").
                CollectLeaves(Wrappers.WrappedValue(op), leaves, depth + 1);
                break;
        }
    }

    /// <summary>
    /// The initializer of the <c>const</c> field or local <paramref name="op"/> refers to, when it is
    /// declared in the same file: a constant is reported once, at its declaration, however many
    /// sinks it reaches. <see langword="null"/> for other constants and for declarations elsewhere
    /// (reported at the use, where the diagnostic can be shown).
    /// </summary>
    private static ExpressionSyntax? ConstantDeclaration(IOperation op)
    {
        ISymbol? symbol = op switch
        {
            IFieldReferenceOperation { Field.IsConst: true } field => field.Field,
            ILocalReferenceOperation { Local.IsConst: true } local => local.Local,
            _ => null,
        };
        return symbol is { DeclaringSyntaxReferences.Length: 1 }
            && symbol.DeclaringSyntaxReferences[0].GetSyntax() is VariableDeclaratorSyntax { Initializer.Value: { } value }
            && value.SyntaxTree == op.Syntax.SyntaxTree
            ? value
            : null;
    }

    /// <summary>
    /// A reference to a secret-named constant declared in source is reported at its declaration;
    /// reporting every use as well would only repeat it.
    /// </summary>
    private static bool IsDeclaredSecretReference(IOperation op) => op switch
    {
        IFieldReferenceOperation field => IsSecretNamedInSource(field.Field),
        ILocalReferenceOperation local => SecretNames.Classify(local.Local.Name) == SecretNameKind.Strong,
        _ => false,
    };

    private static bool IsSecretNamedInSource(ISymbol symbol) =>
        symbol.DeclaringSyntaxReferences.Length > 0 && SecretNames.Classify(symbol.Name) == SecretNameKind.Strong;

    /// <summary>A local assigned once: follow its initializer (reported at the initializer's literals).</summary>
    private static void FollowLocal(ILocalReferenceOperation reference, List<Leaf> leaves, int depth) =>
        CollectLeaves(ValueFlow.SingleInitializer(reference), leaves, depth + 1);

    /// <summary>
    /// A field written only by its initializer (readonly or private), a get-only
    /// auto-property with an initializer, or a property or parameterless method whose body is a
    /// constant: the constant is reported at its declaration when that is in the same file
    /// (once, however many sinks it reaches), otherwise at the use.
    /// </summary>
    private static void AddMemberInitializer(ISymbol member, IOperation reference, List<Leaf> leaves)
    {
        if (member.DeclaringSyntaxReferences.Length != 1)
        {
            return;
        }

        SyntaxNode declaration = member.DeclaringSyntaxReferences[0].GetSyntax();
        ExpressionSyntax? value = declaration switch
        {
            VariableDeclaratorSyntax { Initializer: { } init } variable when !ValueFlow.IsWrittenInType(variable, variable.Identifier.ValueText) => init.Value,
            PropertyDeclarationSyntax { ExpressionBody: { } body } => body.Expression,
            PropertyDeclarationSyntax { Initializer: { } init, AccessorList: { } accessors } property
                when IsGetOnlyAuto(accessors) && !ValueFlow.IsWrittenInType(property, property.Identifier.ValueText) => init.Value,
            PropertyDeclarationSyntax { AccessorList: { } accessors } => SingleReturn(accessors),
            MethodDeclarationSyntax { ExpressionBody: { } body } => body.Expression,
            MethodDeclarationSyntax { Body: { Statements.Count: 1 } body } => (body.Statements[0] as ReturnStatementSyntax)?.Expression,
            _ => null,
        };
        if (value is null)
        {
            return;
        }

        string? constant = null;
        bool sameFile = value.SyntaxTree == reference.Syntax.SyntaxTree;
        if (sameFile && reference.SemanticModel is not null)
        {
            IOperation? op = reference.SemanticModel.GetOperation(value);
            if (op is not null && Unwrap(op) is { ConstantValue.HasValue: true } c && c is not INameOfOperation)
            {
                constant = c.ConstantValue.Value as string;
            }
        }
        else
        {
            constant = ValueFlow.EvaluateSyntax(value);
        }

        if (constant is not null)
        {
            // Reported once, at the declaration, when it is in the same file.
            leaves.Add(new Leaf(sameFile ? value : reference.Syntax, constant));
        }
    }

    /// <summary>A getter that is a single <c>return</c> or arrow.</summary>
    private static ExpressionSyntax? SingleReturn(AccessorListSyntax accessors)
    {
        foreach (AccessorDeclarationSyntax accessor in accessors.Accessors)
        {
            if (accessor.IsKind(SyntaxKind.GetAccessorDeclaration))
            {
                return accessor.ExpressionBody?.Expression
                    ?? (accessor.Body is { Statements.Count: 1 } body ? (body.Statements[0] as ReturnStatementSyntax)?.Expression : null);
            }
        }

        return null;
    }

    private static bool IsGetOnlyAuto(AccessorListSyntax accessors)
    {
        foreach (AccessorDeclarationSyntax accessor in accessors.Accessors)
        {
            if (!accessor.IsKind(SyntaxKind.GetAccessorDeclaration) || accessor.Body is not null || accessor.ExpressionBody is not null)
            {
                return false;
            }
        }

        return true;
    }
}
