import fjs from 'fast-json-stringify';
import { describeOperation } from '../src/http/openapi.js';
const d = describeOperation('orgs/get')!;
const schema = d.responses['200'];
const body = JSON.parse(process.argv[2] ?? '{}');
const stringify = (fjs as any)(schema);
function time(name: string, f: () => unknown) {
  for (let round = 0; round < 3; round++) {
    const n = 50000;
    const c0 = process.cpuUsage();
    for (let i = 0; i < n; i++) f();
    const c = process.cpuUsage(c0);
    if (round) console.log(name, ((c.user + c.system) / n).toFixed(2), 'us cpu');
  }
}
import { readFileSync } from 'node:fs';
const sample = JSON.parse(readFileSync('/tmp/orgbody.json', 'utf8'));
time('fjs', () => stringify(sample));
time('JSON.stringify', () => JSON.stringify(sample));
console.log(JSON.stringify(schema).length, JSON.stringify(schema).slice(0, 1500));
