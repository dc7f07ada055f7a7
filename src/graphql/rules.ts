import {
  FieldsOnCorrectTypeRule,
  GraphQLError,
  isObjectType,
  Kind,
  specifiedRules,
  type ASTNode,
  type ASTVisitor,
  type FieldNode,
  type GraphQLCompositeType,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import { githubError } from './errors.js';
import { SERVED } from './resolvers.js';

type Ancestors = readonly (ASTNode | readonly ASTNode[])[];

/**
 * Where a selected field sits in the document, as GitHub's validation errors say it: the operation (`query`,
 * `query Name`) or fragment (`fragment Name`), then each field by its response key.
 */
export function documentPath(ancestors: Ancestors, field: FieldNode): string[] {
  const path: string[] = [];
  for (const ancestor of ancestors) {
    if ('length' in ancestor) continue;
    const node = ancestor as ASTNode;
    if (node.kind === Kind.OPERATION_DEFINITION) path.push(node.name ? `${node.operation} ${node.name.value}` : node.operation);
    else if (node.kind === Kind.FRAGMENT_DEFINITION) path.push(`fragment ${node.name.value}`);
    else if (node.kind === Kind.FIELD) path.push(node.alias?.value ?? node.name.value);
  }
  return [...path, field.alias?.value ?? field.name.value];
}

/** GitHub's wording for a field its schema lacks (graphql-js's own rule says it differently). */
function undefinedFieldRule(context: ValidationContext): ASTVisitor {
  return {
    Field(node, _key, _parent, _path, ancestors) {
      const parent = context.getParentType();
      if (!parent || context.getFieldDef()) return undefined;
      const fieldName = node.name.value;
      context.reportError(
        new GraphQLError(`Field '${fieldName}' doesn't exist on type '${parent.name}'`, {
          nodes: node,
          path: documentPath(ancestors, node),
          extensions: { code: 'undefinedField', typeName: parent.name, fieldName },
        }),
      );
      return false;
    },
  };
}

interface Refusal {
  type: 'UNSUPPORTED_FIELD' | 'UNSUPPORTED_ARGUMENT';
  message: string;
  node: ASTNode;
  extensions: { typeName: string; fieldName: string; argumentName?: string };
}

/** Why orghub does not answer this selection of a field of GitHub's schema, if it does not. */
function refusal(context: ValidationContext, parent: GraphQLCompositeType, node: FieldNode): Refusal | undefined {
  const schema = context.getSchema();
  const fieldName = node.name.value;
  const roots = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()];
  // On an interface or union the field is answered if every type orghub answers with that can stand there serves it.
  for (const type of isObjectType(parent) ? [parent] : schema.getPossibleTypes(parent)) {
    const fields = SERVED[type.name];
    // A type orghub never answers with (other than a root) is never reached: its fields are not asked.
    if (!fields && !roots.includes(type)) continue;
    const field = fields?.[fieldName];
    if (!field) {
      const message = `Field '${fieldName}' on type '${parent.name}' is not supported by orghub`;
      return { type: 'UNSUPPORTED_FIELD', message, node, extensions: { typeName: parent.name, fieldName } };
    }
    const argument = node.arguments?.find((arg) => !(field.args ?? []).includes(arg.name.value));
    if (argument) {
      const argumentName = argument.name.value;
      const message = `Argument '${argumentName}' on field '${parent.name}.${fieldName}' is not supported by orghub`;
      return { type: 'UNSUPPORTED_ARGUMENT', message, node: argument, extensions: { typeName: parent.name, fieldName, argumentName } };
    }
  }
  return undefined;
}

/** Fields (and arguments) of GitHub's schema that orghub does not answer are refused up front, each named. */
function servedFieldsRule(context: ValidationContext): ASTVisitor {
  return {
    Field(node, _key, _parent, _path, ancestors) {
      const parent = context.getParentType();
      // Introspection (`__schema`, `__type`, `__typename` and the types they return) is graphql-js's own, always served.
      if (!parent || !context.getFieldDef() || node.name.value.startsWith('__') || parent.name.startsWith('__')) return undefined;
      const refused = refusal(context, parent, node);
      if (!refused) return undefined;
      const { argumentName } = refused.extensions;
      const path = [...documentPath(ancestors, node), ...(argumentName ? [argumentName] : [])];
      context.reportError(githubError(refused.type, refused.message, { nodes: refused.node, path, extensions: refused.extensions }));
      return false;
    },
  };
}

/** GraphQL's validation with GitHub's wording for unknown fields, then orghub's refusal of what it does not serve. */
export const VALIDATION_RULES: readonly ValidationRule[] = [
  ...specifiedRules.filter((rule) => rule !== FieldsOnCorrectTypeRule),
  undefinedFieldRule,
  servedFieldsRule,
];
