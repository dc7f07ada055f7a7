// The parts of ESLint 8's Node.js API the SARIF tests use (eslint ships no types; @types/eslint is not installed).
declare module 'eslint' {
  namespace ESLint {
    interface Options {
      cwd?: string;
      useEslintrc?: boolean;
      overrideConfig?: { rules?: Record<string, string | [string, ...unknown[]]>; parserOptions?: Record<string, unknown> };
    }
    interface LintResult {
      filePath: string;
      messages: { ruleId: string | null; severity: number; message: string; line: number; column: number }[];
    }
    interface Formatter {
      format(results: LintResult[]): string | Promise<string>;
    }
  }
  class ESLint {
    constructor(options?: ESLint.Options);
    lintFiles(patterns: string | string[]): Promise<ESLint.LintResult[]>;
    loadFormatter(name?: string): Promise<ESLint.Formatter>;
  }
}
