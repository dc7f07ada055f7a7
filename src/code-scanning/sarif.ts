import { gunzipSync } from 'node:zlib';
import type { Log, ReportingDescriptor, Result, Run } from 'sarif';
import type { CodeScanningAlertTable } from '../db/schema.js';

/**
 * GitHub's documented limits ("SARIF support for code scanning", "SARIF results exceed one or more limits"): the
 * gzip-compressed file at most 10 MB (refused at upload, 413), and per file and run the hard limits below, which fail
 * the processing with GitHub's message.
 */
export const SARIF_LIMITS = {
  compressedBytes: 10 * 1024 * 1024,
  runsPerFile: 20,
  resultsPerRun: 25_000,
  rulesPerRun: 25_000,
  extensionsPerRun: 100,
  locationsPerResult: 1_000,
  tagsPerRule: 20,
  threadFlowLocationsPerResult: 10_000,
};

/**
 * A decompressed SARIF document is bounded too (GitHub states no figure): text compresses up to ~1000:1, so without a
 * bound a 10 MB upload could make gigabytes.
 */
const MAX_DECOMPRESSED_BYTES = 256 * 1024 * 1024;

/** Why an upload could not be processed: its `errors`, as `GET …/sarifs/{sarif_id}` shows them. */
export class SarifRejected extends Error {
  constructor(readonly errors: string[]) {
    super(errors.join('; '));
  }
}

/** What identifies one analysis, given with the upload. */
export interface UploadContext {
  ref: string;
  commitSha: string;
  category: string | null;
  toolName: string | null;
  checkoutUri: string | null;
}

/** One result of the file as an alert stores it, and its identity within the repository. */
export type IngestedResult = Pick<
  CodeScanningAlertTable,
  | 'tool_name' | 'tool_version' | 'tool_guid' | 'category' | 'fingerprint' | 'rule_id' | 'rule_name' | 'rule_description'
  | 'rule_full_description' | 'rule_tags' | 'rule_help' | 'rule_help_uri' | 'severity' | 'security_severity_level'
  | 'ref' | 'commit_sha' | 'analysis_key' | 'environment' | 'message' | 'path' | 'start_line' | 'end_line'
  | 'start_column' | 'end_column'
>;

/** The analyses of one upload: per tool and category, its distinct results (a later upload is compared per analysis). */
export interface Analysis {
  toolName: string;
  category: string;
  results: IngestedResult[];
}

/** Whether `text` is base64 as GitHub takes the `sarif` field (standard alphabet, padding optional). */
export function isBase64(text: string): boolean {
  return text.length > 0 && /^[A-Za-z0-9+/\r\n]+={0,2}\s*$/.test(text);
}

/** The upload as received: gzip, then base64. Throws SarifRejected when it is not what it should be. */
export function decodeSarif(base64: string): Log {
  let json: string;
  try {
    json = gunzipSync(Buffer.from(base64, 'base64'), { maxOutputLength: MAX_DECOMPRESSED_BYTES }).toString('utf8');
  } catch (error) {
    const tooLarge = (error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
    throw new SarifRejected([tooLarge ? 'SARIF file is too large' : 'Invalid SARIF: the file is not gzip-compressed data']);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    throw new SarifRejected([`Invalid SARIF: the file is not valid JSON (${(error as Error).message})`]);
  }
  return validLog(parsed);
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The structure processing relies on (`version` 2.1.0, `runs` with `tool.driver.name`, results with messages), and the hard limits. */
function validLog(parsed: unknown): Log {
  if (!isObject(parsed)) throw new SarifRejected(['Invalid SARIF: the document is not a JSON object']);
  if (parsed.version !== '2.1.0') throw new SarifRejected([`Invalid SARIF: version ${JSON.stringify(parsed.version)} is not supported, only 2.1.0`]);
  const runs = parsed.runs;
  if (!Array.isArray(runs)) throw new SarifRejected(['Invalid SARIF: instance requires property "runs"']);
  if (runs.length > SARIF_LIMITS.runsPerFile) {
    throw new SarifRejected([`Analysis SARIF file rejected due to run limits: ${runs.length} runs, more than the limit of ${SARIF_LIMITS.runsPerFile}`]);
  }
  const errors: string[] = [];
  runs.forEach((run: unknown, r) => {
    const at = `runs[${r}]`;
    if (!isObject(run) || !isObject(run.tool) || !isObject(run.tool.driver) || typeof run.tool.driver.name !== 'string') {
      errors.push(`Invalid SARIF: ${at}.tool.driver requires property "name"`);
      return;
    }
    const results = run.results ?? [];
    const rules = run.tool.driver.rules ?? [];
    const extensions = run.tool.extensions ?? [];
    if (!Array.isArray(results)) return errors.push(`Invalid SARIF: ${at}.results is not an array`);
    if (!Array.isArray(rules)) return errors.push(`Invalid SARIF: ${at}.tool.driver.rules is not an array`);
    if (!Array.isArray(extensions)) return errors.push(`Invalid SARIF: ${at}.tool.extensions is not an array`);
    if (results.length > SARIF_LIMITS.resultsPerRun) {
      errors.push(`Analysis SARIF file rejected due to result limits: ${at} has ${results.length} results, more than the limit of ${SARIF_LIMITS.resultsPerRun}`);
    }
    if (rules.length > SARIF_LIMITS.rulesPerRun) {
      errors.push(`Analysis SARIF file rejected due to rule limits: ${at} has ${rules.length} rules, more than the limit of ${SARIF_LIMITS.rulesPerRun}`);
    }
    if (extensions.length > SARIF_LIMITS.extensionsPerRun) {
      errors.push(`Analysis SARIF file rejected due to extension limits: ${at} has ${extensions.length} extensions, more than the limit of ${SARIF_LIMITS.extensionsPerRun}`);
    }
    rules.forEach((rule: unknown, i) => {
      const tags = isObject(rule) && isObject(rule.properties) ? rule.properties.tags : undefined;
      if (Array.isArray(tags) && tags.length > SARIF_LIMITS.tagsPerRule) {
        errors.push(`Analysis SARIF file rejected due to rule tag limits: ${at}.tool.driver.rules[${i}] has ${tags.length} tags, more than the limit of ${SARIF_LIMITS.tagsPerRule}`);
      }
    });
    results.forEach((result: unknown, i) => {
      if (errors.length >= MAX_REPORTED_ERRORS) return;
      const where = `${at}.results[${i}]`;
      if (!isObject(result) || !isObject(result.message) || (typeof result.message.text !== 'string' && typeof result.message.id !== 'string')) {
        errors.push(`Invalid SARIF: ${where} requires property "message"`);
        return;
      }
      if (result.locations !== undefined && !Array.isArray(result.locations)) errors.push(`Invalid SARIF: ${where}.locations is not an array`);
      else if ((result.locations?.length ?? 0) > SARIF_LIMITS.locationsPerResult) {
        errors.push(`Analysis SARIF file rejected due to location limit: ${where} has more than ${SARIF_LIMITS.locationsPerResult} locations`);
      }
      const flowLocations = threadFlowLocations(result);
      if (flowLocations > SARIF_LIMITS.threadFlowLocationsPerResult) {
        errors.push(`Alert(s) in SARIF file exceeded thread flow location limits: ${where} has ${flowLocations}, more than the limit of ${SARIF_LIMITS.threadFlowLocationsPerResult}`);
      }
      if (typeof result.ruleId !== 'string' && !(isObject(result.rule) && typeof result.rule.id === 'string') && typeof result.ruleIndex !== 'number') {
        errors.push(`Invalid SARIF: ${where} names no rule (ruleId, rule.id or ruleIndex)`);
      }
    });
  });
  if (errors.length > 0) throw new SarifRejected(errors.slice(0, MAX_REPORTED_ERRORS));
  return parsed as unknown as Log;
}

/** A broken file with thousands of bad results reports the first few. */
const MAX_REPORTED_ERRORS = 10;

function threadFlowLocations(result: Record<string, unknown>): number {
  if (!Array.isArray(result.codeFlows)) return 0;
  let count = 0;
  for (const flow of result.codeFlows) {
    for (const thread of (isObject(flow) && Array.isArray(flow.threadFlows) ? flow.threadFlows : []) as unknown[]) {
      if (isObject(thread) && Array.isArray(thread.locations)) count += thread.locations.length;
    }
  }
  return count;
}

/**
 * The analyses of a log: per run, its tool (`tool.driver`) and category (the upload's, else the run's
 * `automationDetails.id`), the distinct results with their rules' descriptions and severities. Results are one alert
 * each when their fingerprints differ: the rule plus `partialFingerprints` when given, else the rule plus the location.
 */
export function analysesOf(log: Log, upload: UploadContext): Analysis[] {
  const byKey = new Map<string, Analysis & { seen: Set<string> }>();
  for (const run of log.runs) {
    const driver = run.tool.driver;
    // GitHub's default when a run names no tool: the `tool_name` given with the upload, else "API".
    const toolName = driver.name || upload.toolName || 'API';
    const category = upload.category ?? categoryOfRun(run);
    const key = JSON.stringify([toolName, category]);
    let analysis = byKey.get(key);
    if (!analysis) {
      analysis = { toolName, category, results: [], seen: new Set() };
      byKey.set(key, analysis);
    }
    const rulesById = new Map((driver.rules ?? []).map((rule) => [rule.id, rule]));
    for (const result of run.results ?? []) {
      const rule = ruleOf(result, driver.rules ?? [], rulesById);
      const ruleId = result.ruleId ?? result.rule?.id ?? rule?.id ?? null;
      const location = result.locations?.[0]?.physicalLocation;
      const region = location?.region;
      const path = relativePath(location?.artifactLocation?.uri ?? null, upload.checkoutUri ?? null);
      const fingerprint = result.partialFingerprints && Object.keys(result.partialFingerprints).length > 0
        ? JSON.stringify([ruleId, Object.entries(result.partialFingerprints).sort(([a], [b]) => a.localeCompare(b))])
        : JSON.stringify([ruleId, path, region?.startLine ?? null, region?.startColumn ?? null]);
      if (analysis.seen.has(fingerprint)) continue;
      analysis.seen.add(fingerprint);
      const tags = rule?.properties?.tags;
      const description = rule?.shortDescription?.text ?? rule?.fullDescription?.text ?? ruleId ?? '';
      analysis.results.push({
        tool_name: toolName,
        tool_version: driver.semanticVersion ?? driver.version ?? null,
        tool_guid: driver.guid ?? null,
        category,
        fingerprint,
        rule_id: ruleId,
        rule_name: rule?.name ?? ruleId ?? '',
        rule_description: description,
        rule_full_description: rule?.fullDescription?.text ?? description,
        rule_tags: Array.isArray(tags) ? JSON.stringify(tags.slice(0, SHOWN_TAGS)) : null,
        rule_help: rule?.help?.markdown ?? rule?.help?.text ?? null,
        rule_help_uri: rule?.helpUri ?? null,
        severity: severityOf(result, rule),
        security_severity_level: securitySeverityLevel(rule?.properties?.['security-severity']),
        ref: upload.ref,
        commit_sha: upload.commitSha,
        analysis_key: `api/${category || toolName}`,
        environment: '{}',
        message: result.message.text ?? result.message.id ?? '',
        path,
        start_line: region?.startLine ?? null,
        end_line: region?.endLine ?? region?.startLine ?? null,
        start_column: region?.startColumn ?? null,
        end_column: region?.endColumn ?? null,
      });
    }
  }
  return [...byKey.values()].map(({ toolName, category, results }) => ({ toolName, category, results }));
}

/** GitHub's soft limit: "Only 10 tags will be included". */
const SHOWN_TAGS = 10;

/** `automationDetails.id` is `category/run-id`: the category is what precedes the last slash (the whole id when it ends with one). */
function categoryOfRun(run: Run): string {
  const id = run.automationDetails?.id;
  if (!id) return '';
  const slash = id.lastIndexOf('/');
  return slash === -1 ? id : id.slice(0, slash + 1);
}

function ruleOf(result: Result, rules: ReportingDescriptor[], byId: Map<string, ReportingDescriptor>): ReportingDescriptor | undefined {
  const index = result.ruleIndex ?? result.rule?.index;
  if (index !== undefined && rules[index]) return rules[index];
  const id = result.ruleId ?? result.rule?.id;
  return id === undefined ? undefined : byId.get(id);
}

/** Paths in the repository: `checkout_uri` (the analysis' base directory) and `file://` prefixes removed. */
function relativePath(uri: string | null, checkoutUri: string | null): string | null {
  if (uri === null) return null;
  let path = uri;
  if (checkoutUri) {
    const base = checkoutUri.endsWith('/') ? checkoutUri : `${checkoutUri}/`;
    if (path.startsWith(base)) path = path.slice(base.length);
  }
  return path.replace(/^file:\/\//, '').replace(/^\/+/, '') || uri;
}

/**
 * GitHub's order: the rule's `problem.severity` (`recommendation` shown as `note`), else the result's `level`, else
 * the rule's `defaultConfiguration.level`, else `warning` (SARIF's default level).
 */
function severityOf(result: Result, rule: ReportingDescriptor | undefined): IngestedResult['severity'] {
  const problem = rule?.properties?.['problem.severity'];
  if (problem === 'error' || problem === 'warning') return problem;
  if (problem === 'recommendation') return 'note';
  return result.level ?? rule?.defaultConfiguration?.level ?? 'warning';
}

/** GitHub's bands of the `security-severity` score: over 9.0 critical, 7.0–8.9 high, 4.0–6.9 medium, 0.1–3.9 low. */
function securitySeverityLevel(score: unknown): IngestedResult['security_severity_level'] {
  const value = typeof score === 'string' || typeof score === 'number' ? Number(score) : NaN;
  if (!Number.isFinite(value) || value <= 0) return null;
  if (value >= 9) return 'critical';
  if (value >= 7) return 'high';
  if (value >= 4) return 'medium';
  return 'low';
}
