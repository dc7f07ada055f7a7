import type { PageInfo } from '@octokit/graphql-schema';
import { githubError } from './errors.js';

/** The Relay arguments of every connection orghub serves. */
export const PAGE_ARGS = ['first', 'after', 'last', 'before'] as const;

export interface PageArgs {
  first?: number | null;
  last?: number | null;
  after?: string | null;
  before?: string | null;
}

export interface Edge<T> {
  cursor: string;
  node: T;
}

export interface Connection<T> {
  edges: Edge<T>[];
  nodes: T[];
  pageInfo: PageInfo;
  totalCount: number;
}

/** A list in a stable order (by id, as the REST lists): its length and any slice of it. */
export interface OrderedList<T> {
  total(): Promise<number>;
  slice(offset: number, limit: number): Promise<T[]>;
}

// Cursors name a position in the list (opaque to clients, as GitHub's are), so they follow the REST lists' offsets.
const encodeCursor = (position: number) => Buffer.from(`cursor:${position}`).toString('base64');

function decodeCursor(cursor: string): number {
  const match = /^cursor:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64').toString());
  if (!match) throw githubError('INVALID_CURSOR_ARGUMENTS', `\`${cursor}\` does not appear to be a valid cursor.`);
  return Number(match[1]);
}

/**
 * Relay's pagination over a list: `after`/`before` bound it, then `first` keeps the head and `last` the tail. The
 * page is read in one slice; `hasNextPage`/`hasPreviousPage` say whether the list goes on past either end of it.
 */
export async function paginate<T>(args: PageArgs, list: OrderedList<T>): Promise<Connection<T>> {
  const afterPosition = args.after == null ? 0 : decodeCursor(args.after);
  const beforePosition = args.before == null ? undefined : decodeCursor(args.before);
  const totalCount = await list.total();
  // Positions are 1-based: the slice is the items after `afterPosition` and before `beforePosition`.
  let start = Math.min(afterPosition, totalCount);
  let end = Math.max(start, Math.min(beforePosition === undefined ? totalCount : beforePosition - 1, totalCount));
  if (args.first != null) end = Math.min(end, start + args.first);
  if (args.last != null) start = Math.max(start, end - args.last);
  const nodes = end > start ? await list.slice(start, end - start) : [];
  const edges = nodes.map((node, i) => ({ cursor: encodeCursor(start + i + 1), node }));
  return {
    edges,
    nodes,
    totalCount,
    pageInfo: {
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
      hasPreviousPage: start > 0,
      hasNextPage: start + nodes.length < totalCount,
    },
  };
}
