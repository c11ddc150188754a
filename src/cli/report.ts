import type { CliIo } from './main';
import { formatProblem } from '../validator/format';

/** What a command found in one file: each problem with its code, JSON path and message. */
export interface ProblemReport {
  readonly file: string;
  readonly errors: { readonly code: string; readonly path: string; readonly message: string }[];
  readonly warnings: { readonly code: string; readonly path: string; readonly message: string }[];
}

/** The text output of `validate` and `check-answer`: one line a problem, then a count of what was checked. */
export function printReports(reports: ProblemReport[], io: CliIo, checked: 'file' | 'answer'): void {
  for (const report of reports) {
    for (const problem of report.errors) io.stdout(formatProblem(report.file, problem));
    for (const problem of report.warnings) io.stdout(formatProblem(report.file, problem, 'warning'));
  }
  const errors = reports.reduce((n, r) => n + r.errors.length, 0);
  const warnings = reports.reduce((n, r) => n + r.warnings.length, 0);
  const invalid = reports.filter(r => r.errors.length > 0).length;
  io.stdout(`${reports.length} ${plural(reports.length, checked)} checked: ${invalid} invalid, `
    + `${errors} ${plural(errors, 'error')}, ${warnings} ${plural(warnings, 'warning')}.`);
}

function plural(count: number, word: string): string {
  return count === 1 ? word : `${word}s`;
}
