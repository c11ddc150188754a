#!/usr/bin/env node
import * as fs from 'fs';
import { FlowJsonProblem, FlowJsonValidator } from '../validator';
import { formatProblem } from '../validator/format';

/** Where the command reads files and writes lines; tests pass their own. */
export interface CliIo {
  readonly stdout: (line: string) => void;
  readonly stderr: (line: string) => void;
  readonly readFile: (path: string) => string;
}

export const EXIT_VALID = 0;
export const EXIT_INVALID = 1;
export const EXIT_USAGE = 2;

const USAGE = 'Usage: whatsapp-flow validate <file...> [--format text|json]';

interface FileReport {
  readonly file: string;
  readonly errors: FlowJsonProblem[];
  readonly warnings: FlowJsonProblem[];
}

/** Runs the command line with its arguments (without "node" and the script) and returns the exit code. */
export function run(argv: string[], io: CliIo): number {
  const [command, ...rest] = argv;
  if (command === '--help' || command === '-h' || command === 'help') {
    io.stdout(USAGE);
    return EXIT_VALID;
  }
  if (command !== 'validate') {
    io.stderr(command === undefined ? USAGE : `Unknown command "${command}".\n${USAGE}`);
    return EXIT_USAGE;
  }

  const files: string[] = [];
  let format = 'text';
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (arg === '--format' || arg.startsWith('--format=')) {
      format = arg === '--format' ? rest[++i] : arg.slice('--format='.length);
      if (format !== 'text' && format !== 'json') {
        io.stderr(`--format takes "text" or "json", not ${JSON.stringify(format ?? '')}.\n${USAGE}`);
        return EXIT_USAGE;
      }
    } else if (arg.startsWith('-') && arg !== '-') {
      io.stderr(`Unknown option "${arg}".\n${USAGE}`);
      return EXIT_USAGE;
    } else {
      files.push(arg);
    }
  }
  if (files.length === 0) {
    io.stderr(`No files given.\n${USAGE}`);
    return EXIT_USAGE;
  }

  const reports: FileReport[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = io.readFile(file);
    } catch (error) {
      io.stderr(`Cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
      return EXIT_USAGE;
    }
    const result = FlowJsonValidator.validateText(text);
    reports.push({ file, errors: result.errors, warnings: result.warnings });
  }

  if (format === 'json') {
    io.stdout(JSON.stringify(reports, undefined, 2));
  } else {
    printText(reports, io);
  }
  return reports.some(r => r.errors.length > 0) ? EXIT_INVALID : EXIT_VALID;
}

function printText(reports: FileReport[], io: CliIo): void {
  for (const report of reports) {
    for (const problem of report.errors) io.stdout(formatProblem(report.file, problem));
    for (const problem of report.warnings) io.stdout(formatProblem(report.file, problem, 'warning'));
  }
  const errors = sum(reports.map(r => r.errors.length));
  const warnings = sum(reports.map(r => r.warnings.length));
  const invalidFiles = reports.filter(r => r.errors.length > 0).length;
  io.stdout(`${reports.length} ${plural(reports.length, 'file')} checked: ${invalidFiles} invalid, `
    + `${errors} ${plural(errors, 'error')}, ${warnings} ${plural(warnings, 'warning')}.`);
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function plural(count: number, word: string): string {
  return count === 1 ? word : `${word}s`;
}

const nodeIo: CliIo = {
  stdout: line => process.stdout.write(`${line}\n`),
  stderr: line => process.stderr.write(`${line}\n`),
  readFile: path => fs.readFileSync(path, 'utf8'),
};

if (require.main === module) {
  process.exitCode = run(process.argv.slice(2), nodeIo);
}
