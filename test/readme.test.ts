import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { operations } from '../src/app.js';
import type { Operation } from '../src/http/operation.js';
import { describeOperation } from '../src/http/openapi.js';

/** What installation and fine-grained tokens need for `op`, as README's table names it. */
function permissionLabel(op: Operation): string {
  if (op.appJwt === 'only') return 'app JWT only';
  if (!op.permissions) return 'not available';
  const entries = Object.entries(op.permissions);
  if (entries.length === 0) return 'none needed';
  return entries.map(([name, level]) => `\`${name}\` ${level}`).join(' and ');
}

/** README's operation → permission table, built from the operation table (rows in order of first appearance). */
function permissionTable(): string {
  const rows = new Map<string, string[]>();
  for (const op of operations) {
    if (op.outsideApi) continue;
    const described = describeOperation(op.operationId);
    const label = permissionLabel(op);
    rows.set(label, [...(rows.get(label) ?? []), `\`${op.method ?? described!.method} ${op.path ?? described!.path}\``]);
  }
  return ['| permission | operations |', '|---|---|', ...[...rows].map(([label, ops]) => `| ${label} | ${ops.join(', ')} |`)].join('\n');
}

describe('README', () => {
  it("lists each operation's permission as the operation table declares it", () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const start = readme.indexOf('| permission | operations |');
    assert.ok(start >= 0, 'README has the operation → permission table');
    const end = readme.indexOf('\n\n', start);
    assert.equal(readme.slice(start, end === -1 ? undefined : end), permissionTable(), 'README.md table differs: regenerate it with permissionTable() (test/readme.test.ts)');
  });
});
