/**
 * GitHub's audit log search syntax ("Searching the audit log"): whitespace-separated terms, all of which an event
 * must match. A term is `qualifier:value` or free text (matched against the action), either one negated by a leading
 * `-`; a value with spaces is quoted (`actor:"x y"`).
 *
 * - `action:org.add_member` is that action; `action:org` (no dot) every action of the category.
 * - `actor:LOGIN`, `user:LOGIN`: who acted, who was acted on. `repo:ORG/NAME`, `team:ORG/SLUG`.
 * - `created:` takes a date (`2024-01-31`, a whole day in UTC) or a date-time (`2024-01-31T12:00`, `…T12:00:00Z`,
 *   `…T12:00:00+02:00`, to the unit given), after `>`, `>=`, `<`, `<=`, or alone (that day, that minute …), or a range
 *   `FROM..TO` (both ends included, `*` for an open end).
 */

type Qualifier = 'action' | 'actor' | 'user' | 'repo' | 'team' | 'created';

const QUALIFIERS: readonly Qualifier[] = ['action', 'actor', 'user', 'repo', 'team', 'created'];
const MAX_TERMS = 50;

/** Epoch-millisecond bounds of a `created:` term: `from` included, `to` excluded; undefined is open. */
export interface TimeRange {
  from?: number;
  to?: number;
}

export type Term =
  | { field: 'action' | 'actor' | 'user' | 'repo' | 'team' | 'text'; negated: boolean; value: string }
  | { field: 'created'; negated: boolean; range: TimeRange };

/** What is wrong with a phrase, in words for the 422 answer. */
export class PhraseError extends Error {}

/** The phrase's terms; a PhraseError says what is malformed. */
export function parsePhrase(phrase: string): Term[] {
  // No login, action or name holds one (PostgreSQL text cannot even be compared with one).
  if (phrase.includes('\u0000')) throw new PhraseError('it contains a NUL character');
  const found = words(phrase);
  // Each term is a condition of the one statement: a bound keeps the statement within both stores' limits.
  if (found.length > MAX_TERMS) throw new PhraseError(`it has ${found.length} terms, more than the ${MAX_TERMS} a search takes`);
  return found.map(term);
}

interface Word {
  /** The word with its quotes removed. */
  text: string;
  /** Where its first unquoted `:` is (-1: none): a quoted colon is part of a value. */
  colon: number;
  raw: string;
}

/** Splits on whitespace outside double quotes, removing the quotes. */
function words(phrase: string): Word[] {
  const found: Word[] = [];
  let i = 0;
  while (i < phrase.length) {
    if (/\s/.test(phrase[i])) {
      i += 1;
      continue;
    }
    const start = i;
    let text = '';
    let colon = -1;
    let quoted = false;
    for (; i < phrase.length && (quoted || !/\s/.test(phrase[i])); i++) {
      const c = phrase[i];
      if (c === '"') quoted = !quoted;
      else {
        if (c === ':' && !quoted && colon === -1) colon = text.length;
        text += c;
      }
    }
    const raw = phrase.slice(start, i);
    if (quoted) throw new PhraseError(`${JSON.stringify(raw)} has no closing quote`);
    found.push({ text, colon, raw });
  }
  return found;
}

function term(word: Word): Term {
  const negated = word.text.startsWith('-');
  const text = negated ? word.text.slice(1) : word.text;
  const colon = negated && word.colon !== -1 ? word.colon - 1 : word.colon;
  if (colon === -1) {
    if (text === '') throw new PhraseError(`${JSON.stringify(word.raw)} negates nothing: put the qualifier or text right after the -`);
    return { field: 'text', negated, value: text.toLowerCase() };
  }
  const name = text.slice(0, colon).toLowerCase();
  const value = text.slice(colon + 1);
  if (!QUALIFIERS.includes(name as Qualifier)) {
    throw new PhraseError(`${JSON.stringify(word.raw)} has an unknown qualifier "${text.slice(0, colon)}:" (use ${QUALIFIERS.map((q) => `${q}:`).join(', ')})`);
  }
  if (value === '') throw new PhraseError(`${JSON.stringify(word.raw)} gives ${name}: no value`);
  if (name === 'created') return { field: 'created', negated, range: createdRange(value, word.raw) };
  // Logins are matched case-insensitively by the accounts they name; actions, teams and repositories are lower case.
  return { field: name as Exclude<Qualifier, 'created'>, negated, value: name === 'actor' || name === 'user' ? value : value.toLowerCase() };
}

const DATE_HINT = 'use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, optionally after >, >=, <, <=, or FROM..TO';

function createdRange(value: string, raw: string): TimeRange {
  const comparison = /^(>=|<=|>|<)(.*)$/.exec(value);
  if (comparison) {
    const [, operator, rest] = comparison;
    const at = moment(rest, raw);
    switch (operator) {
      case '>=':
        return { from: at.start };
      case '>':
        return { from: at.end };
      case '<=':
        return { to: at.end };
      default:
        return { to: at.start };
    }
  }
  const dots = value.indexOf('..');
  if (dots !== -1) {
    const from = value.slice(0, dots);
    const to = value.slice(dots + 2);
    return { from: from === '*' ? undefined : moment(from, raw).start, to: to === '*' ? undefined : moment(to, raw).end };
  }
  const at = moment(value, raw);
  return { from: at.start, to: at.end };
}

const MOMENT = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** A date or date-time as the span it names: [start, end) in epoch milliseconds, as long as its finest unit. */
function moment(text: string, raw: string): { start: number; end: number } {
  const match = MOMENT.exec(text);
  if (!match) throw new PhraseError(`${JSON.stringify(raw)}: ${text === '' ? 'a date is missing' : `${JSON.stringify(text)} is not a date`} (${DATE_HINT})`);
  const [, year, month, day, hour, minute, second, fraction, zone] = match;
  const parts = [year, month, day, hour ?? '0', minute ?? '0', second ?? '0'].map(Number);
  const ms = fraction === undefined ? 0 : Number(fraction.padEnd(3, '0'));
  const date = new Date(0);
  date.setUTCFullYear(parts[0], parts[1] - 1, parts[2]);
  date.setUTCHours(parts[3], parts[4], parts[5], ms);
  // Date rolls 2024-02-30 over into March: a date that does not exist reads back differently.
  const exists = date.getUTCFullYear() === parts[0] && date.getUTCMonth() === parts[1] - 1 && date.getUTCDate() === parts[2] &&
    date.getUTCHours() === parts[3] && date.getUTCMinutes() === parts[4] && date.getUTCSeconds() === parts[5];
  const offset = zoneOffsetMinutes(zone);
  if (!exists || offset === undefined) throw new PhraseError(`${JSON.stringify(raw)}: ${JSON.stringify(text)} is not a date (${DATE_HINT})`);
  const start = date.getTime() - offset * 60_000;
  const unit = hour === undefined ? 86_400_000 : second === undefined ? 60_000 : fraction === undefined ? 1000 : 1;
  return { start, end: start + unit };
}

/** `Z` or none: 0; `+02:00`, `-0530`: minutes east of UTC; undefined when out of range. */
function zoneOffsetMinutes(zone: string | undefined): number | undefined {
  if (zone === undefined || zone === 'Z') return 0;
  const [, sign, hours, minutes] = /^([+-])(\d{2}):?(\d{2})$/.exec(zone)!;
  if (Number(hours) > 14 || Number(minutes) > 59) return undefined;
  return (sign === '-' ? -1 : 1) * (Number(hours) * 60 + Number(minutes));
}
