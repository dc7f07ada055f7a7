import { CompiledQuery, type Compilable, type Kysely } from 'kysely';
import type { Database } from './schema.js';

/** A bound value; null binds NULL (the first call's nulls compile as markers like any other value). */
type Value = string | number | null;
type Slot = number | { constant: unknown };

/**
 * A hot query built and compiled once per database handle instead of on every call: building and compiling a
 * Kysely query costs more than running a small indexed read. `build` must pass its arguments to the builder
 * as they are (they are bound as parameters; any transformation belongs to the caller).
 */
export function precompiled<A extends [Value, ...Value[]], R>(build: (db: Kysely<Database>, ...args: A) => Compilable<R>) {
  const compiled = new WeakMap<object, { sql: string; slots: Slot[] }>();
  return async (db: Kysely<Database>, ...args: A): Promise<R[]> => {
    const adapter = db.getExecutor().adapter; // one per store, shared by its transactions
    let query = compiled.get(adapter);
    if (!query) {
      query = compile(db, build, args);
      compiled.set(adapter, query);
    }
    const parameters = query.slots.map((slot) => (typeof slot === 'number' ? args[slot] : slot.constant));
    const result = await db.executeQuery<R>(CompiledQuery.raw(query.sql, parameters) as CompiledQuery<R>);
    return result.rows;
  };
}

/**
 * `precompiled` for a statement over a list of rows of `Row`'s values (a multi-row VALUES) and further arguments,
 * compiled once per row count: callers write in chunks of a fixed size, so a flush reuses one text (and on SQLite
 * the statement prepared for it) instead of building and compiling the query each time.
 */
export function precompiledRows<Row extends [Value, ...Value[]], A extends [Value, ...Value[]], R>(
  build: (db: Kysely<Database>, rows: Row[], ...args: A) => Compilable<R>,
) {
  const byCount = new Map<number, (db: Kysely<Database>, ...values: [Value, ...Value[]]) => Promise<R[]>>();
  return (db: Kysely<Database>, rows: Row[], ...args: A): Promise<R[]> => {
    const count = rows.length;
    let run = byCount.get(count);
    if (!run) {
      const width = rows[0].length;
      // The rows' values, then the arguments, as one flat list (markers at compile time, the values at run time).
      run = precompiled((db, ...values: [Value, ...Value[]]) => {
        const unflattened = Array.from({ length: count }, (_, i) => values.slice(i * width, (i + 1) * width) as Row);
        return build(db, unflattened, ...(values.slice(count * width) as A));
      });
      byCount.set(count, run);
    }
    return run(db, ...(rows.flat() as Value[] as [Value, ...Value[]]), ...args);
  };
}

/** Compiles with a unique marker in place of each argument, then records where each marker landed among the parameters. */
function compile<A extends Value[], R>(db: Kysely<Database>, build: (db: Kysely<Database>, ...args: A) => Compilable<R>, samples: A) {
  const markers = samples.map((sample, i) => (typeof sample === 'number' ? -(2 ** 40) - i : `\u0000arg${i}\u0000`)) as A;
  const { sql, parameters } = build(db, ...markers).compile();
  const slots: Slot[] = parameters.map((p) => {
    const index = markers.indexOf(p as Value);
    return index >= 0 ? index : { constant: p };
  });
  markers.forEach((_, i) => {
    if (!slots.includes(i)) throw new Error(`precompiled query does not bind argument ${i} as a parameter`);
  });
  return { sql, slots };
}
