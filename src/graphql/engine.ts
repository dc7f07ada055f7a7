import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  execute,
  getOperationAST,
  getVariableValues,
  GraphQLError,
  Kind,
  parse,
  validate,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLFieldResolver,
} from 'graphql';
import { isoSeconds } from '../clock.js';
import { setRateLimitHeaders } from '../ratelimit/limiter.js';
import { graphqlContext, type GraphqlContext } from './context.js';
import { githubError, githubShape } from './errors.js';
import { planQuery, type QueryPlan } from './limits.js';
import { SERVED } from './resolvers.js';
import { VALIDATION_RULES } from './rules.js';
import { githubSchema } from './schema.js';

/** The body of a GraphQL answer: always a 200, errors included, as GitHub answers. */
export interface GraphqlAnswer {
  data?: unknown;
  errors?: Record<string, unknown>[];
}

/** Tokens one document may hold: parsing (and everything after it) stays bounded whatever is sent. */
const MAX_TOKENS = 20_000;

const answerWith = (errors: readonly GraphQLError[], withData = false): GraphqlAnswer => ({
  ...(withData && { data: null }),
  errors: errors.map(githubShape),
});

/** A query ready to run, or the answer that refuses it (which costs the minimum, 1 point). */
type Prepared =
  | { refused: GraphqlAnswer }
  | { refused?: undefined; document: DocumentNode; variables: Record<string, unknown>; plan: QueryPlan; operationName?: string };

function prepare(request: FastifyRequest): Prepared {
  const body = (request.body ?? {}) as { query?: unknown; variables?: unknown; operationName?: unknown };
  const refuse = (message: string): Prepared => ({ refused: { errors: [{ message }] } });
  // GitHub's message for a missing query; the two after it are orghub's own wording for what GitHub does not document.
  if (typeof body.query !== 'string' || body.query.trim() === '') return refuse('A query attribute must be specified and must be a string.');
  if (body.variables != null && (typeof body.variables !== 'object' || Array.isArray(body.variables))) return refuse('Variables must be a JSON object.');
  if (body.operationName != null && typeof body.operationName !== 'string') return refuse('The operationName attribute must be a string.');
  const operationName = body.operationName ?? undefined;
  const schema = githubSchema();

  let document: DocumentNode;
  try {
    document = parse(body.query, { maxTokens: MAX_TOKENS });
  } catch (error) {
    if (error instanceof GraphQLError) return { refused: answerWith([error]) };
    // The parser descends once per nesting level: thousands of levels (within MAX_TOKENS) exhaust the stack.
    if (error instanceof RangeError) return refuse('The query is nested too deeply to be parsed.');
    throw error;
  }
  const invalid = validate(schema, document, VALIDATION_RULES, { maxErrors: 50 });
  if (invalid.length) return { refused: answerWith(invalid) };
  const operation = getOperationAST(document, operationName);
  if (!operation) {
    const message = operationName ? `Unknown operation named "${operationName}".` : 'Must provide operation name if query contains multiple operations.';
    return refuse(message);
  }
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], (body.variables ?? {}) as Record<string, unknown>, { maxErrors: 50 });
  if (coerced.errors) return { refused: answerWith(coerced.errors) };

  const caller = request.caller!;
  const plan = planQuery(schema, operation, fragmentsOf(document), coerced.coerced, caller, `${request.urls.html}/settings/tokens`);
  if (plan.errors.length) return { refused: answerWith(plan.errors) };
  // GitHub answers a token short of a field's scopes with `data: null`.
  if (plan.scopeErrors.length) return { refused: answerWith(plan.scopeErrors, true) };
  return { document, variables: coerced.coerced, plan, operationName };
}

function fragmentsOf(document: DocumentNode): Map<string, FragmentDefinitionNode> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  return fragments;
}

/** Each field through its served resolver; validation has refused every other field, so none is left unresolved. */
const fieldResolver: GraphQLFieldResolver<unknown, GraphqlContext> = (source, args, ctx, info) => {
  const field = SERVED[info.parentType.name]?.[info.fieldName];
  if (!field) throw githubError('UNSUPPORTED_FIELD', `Field '${info.fieldName}' on type '${info.parentType.name}' is not supported by orghub`);
  return field.resolve(source, args, ctx);
};

/**
 * `POST /graphql` for an authenticated caller: GitHub's published schema, the fields of it orghub serves resolved from
 * real state. Every answer is a 200 with GitHub's GraphQL shape; the query's cost is charged against the caller's
 * `graphql` rate limit, a query that never ran (a syntax error, a refused field) costing the minimum, 1 point.
 */
export async function answerQuery(request: FastifyRequest, reply: FastifyReply): Promise<GraphqlAnswer> {
  const { ctx } = request.server;
  const caller = request.caller!;
  const prepared = prepare(request);
  const limit = ctx.config.rateLimit.authenticated;
  const cost = prepared.refused ? 1 : prepared.plan.cost;
  const charged = !prepared.refused && prepared.plan.dryRun
    ? await ctx.graphqlRateLimiter.peek(request.rateSubject, limit)
    : await ctx.graphqlRateLimiter.consume(request.rateSubject, limit, cost);
  setRateLimitHeaders(reply, charged);
  if (charged.exceeded) return answerWith([githubError('RATE_LIMITED', `API rate limit exceeded for user ID ${caller.userId}.`)]);
  if (prepared.refused) return prepared.refused;

  const rateLimit = {
    cost,
    limit: charged.limit,
    nodeCount: prepared.plan.nodeCount,
    remaining: charged.remaining,
    resetAt: isoSeconds(new Date(charged.reset * 1000)),
    used: charged.used,
  };
  const result = await execute({
    schema: githubSchema(),
    document: prepared.document,
    operationName: prepared.operationName,
    variableValues: prepared.variables,
    contextValue: graphqlContext(ctx, caller, request.urls, rateLimit),
    fieldResolver,
  });
  const errors = result.errors?.map((error) => {
    if (!error.originalError || error.originalError instanceof GraphQLError) return githubShape(error);
    // A failure of orghub's own (the database): logged, and answered as GitHub answers its own.
    request.log.error({ err: error.originalError, path: error.path }, 'graphql resolver failed');
    return githubShape(
      new GraphQLError(`Something went wrong while executing your query. Please include \`${request.id}\` when reporting this issue.`, {
        nodes: error.nodes,
        path: error.path,
      }),
    );
  });
  return { data: result.data ?? null, ...(errors && { errors }) };
}
