import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { ESLint } from 'eslint';
import type { Log } from 'sarif';

/** Where ESLint resolves its SARIF formatter from: this project. */
const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The rules the fixtures break: real ESLint rules, run as a scanner would. */
const RULES = { 'no-unused-vars': 'error', eqeqeq: 'warn', 'no-eval': 'error' } as const;

/**
 * Runs ESLint 8 with `@microsoft/eslint-formatter-sarif` over `files` (name → source) written to a temp folder:
 * the SARIF log a real tool produces for them, its paths relative to that folder (`checkoutUri`).
 */
export async function eslintSarif(files: Record<string, string>): Promise<{ log: Log; checkoutUri: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'orghub-eslint-'));
  try {
    for (const [name, source] of Object.entries(files)) writeFileSync(join(dir, name), source);
    // ESLint resolves formatter packages from its `cwd`: the project's, with the fixture files named by absolute path.
    const eslint = new ESLint({
      cwd: PROJECT_ROOT,
      useEslintrc: false,
      overrideConfig: { rules: RULES, parserOptions: { ecmaVersion: 2022, sourceType: 'module' } },
    });
    const results = await eslint.lintFiles(Object.keys(files).map((name) => join(dir, name)));
    const formatter = await eslint.loadFormatter('@microsoft/eslint-formatter-sarif');
    const text = await formatter.format(results);
    return { log: JSON.parse(text) as Log, checkoutUri: `file://${dir}/` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The `sarif` field as GitHub takes it: gzip, then base64. */
export function encodeSarif(content: string | object): string {
  return gzipSync(Buffer.from(typeof content === 'string' ? content : JSON.stringify(content))).toString('base64');
}

/** A SARIF log of one run of `tool` with `count` results of one rule, each on its own line (for limits and benchmarks). */
export function syntheticSarif(count: number, options: { tool?: string; runs?: number; securitySeverity?: string } = {}): Log {
  const run = {
    tool: {
      driver: {
        name: options.tool ?? 'SyntheticScanner',
        version: '1.0.0',
        rules: [{ id: 'synthetic/rule', name: 'SyntheticRule', shortDescription: { text: 'A synthetic rule' }, properties: { 'security-severity': options.securitySeverity ?? '7.5', tags: ['security'] } }],
      },
    },
    results: Array.from({ length: count }, (_, i) => ({
      ruleId: 'synthetic/rule',
      ruleIndex: 0,
      level: 'warning' as const,
      message: { text: `Result ${i}` },
      locations: [{ physicalLocation: { artifactLocation: { uri: `src/file${i % 50}.js` }, region: { startLine: i + 1, startColumn: 1 } } }],
    })),
  };
  return { version: '2.1.0', $schema: 'https://json.schemastore.org/sarif-2.1.0.json', runs: Array.from({ length: options.runs ?? 1 }, () => run) };
}
