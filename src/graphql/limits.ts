import {
  getArgumentValues,
  getNamedType,
  isCompositeType,
  isObjectType,
  Kind,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLError,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import type { Caller } from '../http/auth/index.js';
import { hasAnyScope } from '../http/scopes.js';
import { githubError } from './errors.js';
import { SERVED } from './resolvers.js';

/** GitHub's node limit: values of `first`/`last` within 1–100, at most 500,000 nodes in one call. */
const PAGE_LIMIT = 100;
const NODE_LIMIT = 500_000;

/** What one query costs and may return, and what stops it from running, found before it runs. */
export interface QueryPlan {
  /** Points against the `graphql` rate limit: requests its connections need, divided by 100, rounded, at least 1. */
  cost: number;
  /** The most nodes it can return. */
  nodeCount: number;
  /** `rateLimit(dryRun: true)` was asked: the query is not charged. */
  dryRun: boolean;
  /** Pagination and node-limit errors: the query is refused. */
  errors: GraphQLError[];
  /** A field the token's scopes do not reach: the query is refused. */
  scopeErrors: GraphQLError[];
}

/** Requests needed to fulfil a selection and nodes it may return, for one parent node. */
interface Load {
  requests: number;
  nodes: number;
}

const add = (a: Load, b: Load): Load => ({ requests: a.requests + b.requests, nodes: a.nodes + b.nodes });
const NOTHING: Load = { requests: 0, nodes: 0 };

/**
 * Walks the operation as GitHub's rate-limit documentation computes a query's score: each connection counts one
 * request per parent node, assuming every connection returns its `first`/`last` count. A fragment is walked once
 * however often it is spread, since its load per parent node does not change.
 */
export function planQuery(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: Map<string, FragmentDefinitionNode>,
  variables: Record<string, unknown>,
  caller: Caller,
  tokenSettingsUrl: string,
): QueryPlan {
  const plan: QueryPlan = { cost: 1, nodeCount: 0, dryRun: false, errors: [], scopeErrors: [] };
  const fragmentLoads = new Map<string, Load>();
  const refusedScopes = new Set<string>();

  function walk(selectionSet: SelectionSetNode, parent: GraphQLCompositeType, path: string[]): Load {
    let load = NOTHING;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        load = add(load, field(selection, parent, path));
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        if (isCompositeType(type)) load = add(load, walk(selection.selectionSet, type, path));
      } else {
        const name = selection.name.value;
        let fragmentLoad = fragmentLoads.get(name);
        const fragment = fragments.get(name);
        const type = fragment && schema.getType(fragment.typeCondition.name.value);
        if (!fragmentLoad && fragment && isCompositeType(type)) {
          fragmentLoad = walk(fragment.selectionSet, type, [`fragment ${name}`]);
          fragmentLoads.set(name, fragmentLoad);
        }
        load = add(load, fragmentLoad ?? NOTHING);
      }
    }
    return load;
  }

  function field(node: FieldNode, parent: GraphQLCompositeType, path: string[]): Load {
    const name = node.name.value;
    // Introspection costs nothing; unions have no fields but `__typename`.
    if (name.startsWith('__') || !('getFields' in parent)) return NOTHING;
    const definition = parent.getFields()[name];
    if (!definition) return NOTHING;
    const here = [...path, node.alias?.value ?? name];
    checkScopes(node, parent);
    const args = getArgumentValues(definition, node, variables);
    if (parent === schema.getQueryType() && name === 'rateLimit' && args.dryRun === true) plan.dryRun = true;
    const type = getNamedType(definition.type);
    const below = node.selectionSet && isCompositeType(type) ? walk(node.selectionSet, type, here) : NOTHING;
    if (!isConnection(definition)) return below;
    const size = pageSize(node, name, args, here);
    return { requests: 1 + size * below.requests, nodes: size + size * below.nodes };
  }

  /** `first`/`last` as GitHub requires them on every connection; the page size assumed for the cost. */
  function pageSize(node: FieldNode, connection: string, args: Record<string, unknown>, path: string[]): number {
    const bounds = (['first', 'last'] as const).filter((bound) => typeof args[bound] === 'number');
    if (bounds.length === 0) {
      const message = `You must provide a \`first\` or \`last\` value to properly paginate the \`${connection}\` connection.`;
      plan.errors.push(githubError('MISSING_PAGINATION_BOUNDARIES', message, { nodes: node, path }));
      return 0;
    }
    for (const bound of bounds) {
      const value = args[bound] as number;
      if (value > PAGE_LIMIT) {
        const message = `Requesting ${value} records on the \`${connection}\` connection exceeds the \`${bound}\` limit of ${PAGE_LIMIT} records.`;
        plan.errors.push(githubError('EXCESSIVE_PAGINATION', message, { nodes: node, path: [...path, bound] }));
      } else if (value < 0) {
        // GitHub's range is 1–100; 0 is taken as an empty page, as Relay reads it.
        const message = `\`${bound}\` on the \`${connection}\` connection cannot be less than zero (got ${value}).`;
        plan.errors.push(githubError('EXCESSIVE_PAGINATION', message, { nodes: node, path: [...path, bound] }));
      }
    }
    return Math.max(0, Math.min(...bounds.map((bound) => args[bound] as number)));
  }

  /** GitHub's INSUFFICIENT_SCOPES, once per field the token's scopes do not reach. */
  function checkScopes(node: FieldNode, parent: GraphQLCompositeType): void {
    const name = node.name.value;
    const types = isObjectType(parent) ? [parent] : schema.getPossibleTypes(parent);
    for (const type of types) {
      const scopes = SERVED[type.name]?.[name]?.scopes;
      const key = `${type.name}.${name}`;
      if (!scopes || hasAnyScope(caller.effective, scopes) || refusedScopes.has(key)) continue;
      refusedScopes.add(key);
      const quoted = (list: readonly string[]) => `[${list.map((scope) => `'${scope}'`).join(', ')}]`;
      plan.scopeErrors.push(
        githubError(
          'INSUFFICIENT_SCOPES',
          `Your token has not been granted the required scopes to execute this query. The '${name}' field requires one of the following scopes: ` +
            `${quoted(scopes)}, but your token has only been granted the: ${quoted(caller.scopes)} scopes. ` +
            `Please modify your token's scopes at: ${tokenSettingsUrl}.`,
          { nodes: node },
        ),
      );
    }
  }

  const root = operation.operation === 'query' ? schema.getQueryType() : operation.operation === 'mutation' ? schema.getMutationType() : schema.getSubscriptionType();
  if (!root) return plan;
  const label = operation.name ? `${operation.operation} ${operation.name.value}` : operation.operation;
  const load = walk(operation.selectionSet, root, [label]);
  plan.cost = Math.max(1, Math.round(load.requests / 100));
  plan.nodeCount = load.nodes;
  if (load.nodes > NODE_LIMIT) {
    const message = `This query requests up to ${load.nodes.toLocaleString('en-US')} possible nodes which exceeds the maximum limit of ${NODE_LIMIT.toLocaleString('en-US')}.`;
    plan.errors.push(githubError('MAX_NODE_LIMIT_EXCEEDED', message, { nodes: operation }));
  }
  return plan;
}

/** A Relay connection: paged by `first`/`last`. */
function isConnection(field: GraphQLField<unknown, unknown>): boolean {
  return field.args.some((arg) => arg.name === 'first') && field.args.some((arg) => arg.name === 'last');
}
