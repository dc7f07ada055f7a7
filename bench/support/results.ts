import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';

const RESULTS = fileURLToPath(new URL('../RESULTS.md', import.meta.url));

/** One line saying when and where figures were taken. */
export function machineLine(): string {
  const cpu = cpus();
  return [
    `date ${new Date().toISOString().replace(/\.\d{3}Z$/, 'Z')}`,
    `${cpu.length} cores (${cpu[0]?.model.trim() ?? 'unknown CPU'})`,
    `${Math.round(totalmem() / 2 ** 30)} GiB RAM`,
    `node ${process.version}`,
    `${process.platform}/${process.arch}`,
    `load average at start ${loadavg().map((n) => n.toFixed(2)).join(' ')}`,
  ].join(', ');
}

/**
 * Replaces the section between `<!-- NAME:start -->` and `<!-- NAME:end -->` in bench/RESULTS.md (appending it
 * when absent), so each benchmark rewrites only its own figures and the hand-written notes around them stay.
 */
export function writeSection(name: string, markdown: string): void {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const block = `${start}\n${markdown.trim()}\n${end}`;
  const current = existsSync(RESULTS) ? readFileSync(RESULTS, 'utf8') : '# orghub benchmark results\n';
  const from = current.indexOf(start);
  const to = current.indexOf(end);
  const next = from >= 0 && to > from ? current.slice(0, from) + block + current.slice(to + end.length) : `${current.trimEnd()}\n\n${block}\n`;
  writeFileSync(RESULTS, next);
  process.stdout.write(`figures written to bench/RESULTS.md (section ${name})\n`);
}

/** `--name value` / `--name=value` pairs from argv; a flag followed by another flag (`--no-write`) is a switch. */
export function parseFlags(argv = process.argv.slice(2)): Record<string, string> {
  // `--help`: the script's opening comment, which says how it is run, instead of a run.
  if (argv.includes('--help') || argv.includes('-h')) {
    const opening = /\/\*\*([\s\S]*?)\*\//.exec(readFileSync(process.argv[1]!, 'utf8'));
    console.log(opening ? opening[1]!.replace(/^ ?\* ?/gm, '').trim() : 'no usage comment');
    process.exit(0);
  }
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new Error(`unexpected argument ${arg}`);
    const [key, inline] = arg.slice(2).split('=', 2);
    const next = argv[i + 1];
    out[key] = inline ?? (next !== undefined && !next.startsWith('--') ? argv[++i] : '');
  }
  return out;
}

export const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
export const pct = (n: number) => `${(n * 100).toFixed(0)}%`;
export const verdict = (ok: boolean) => (ok ? '**met**' : '**missed**');
