#!/usr/bin/env node
import * as fs from 'fs';
import { CHECK_ANSWER_USAGE, checkAnswer } from './check-answer';
import { EXIT_INVALID, EXIT_USAGE, EXIT_VALID } from './exit-codes';
import { FlowJsonProblem, FlowJsonValidator } from '../validator';
import { formatProblem } from '../validator/format';
import { flowToMermaid } from '../validator/mermaid';
import { RULES, isRuleCode } from '../validator/rules';
import { didYouMean } from '../validator/suggest';

/** Where the command reads files and writes lines; tests pass their own. */
export interface CliIo {
  readonly stdout: (line: string) => void;
  readonly stderr: (line: string) => void;
  readonly readFile: (path: string) => string;
}

export { EXIT_INVALID, EXIT_USAGE, EXIT_VALID };

const USAGE = [
  'Usage: whatsapp-flow validate <file...> [--format text|json] [--ignore CODE[,CODE...]]',
  '       whatsapp-flow graph <file>     (prints a Mermaid flowchart of the screens)',
  CHECK_ANSWER_USAGE,
].join('\n');

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
  if (command === 'graph') return graph(rest, io);
  if (command === 'check-answer') return checkAnswer(rest, io, USAGE);
  if (command !== 'validate') {
    io.stderr(command === undefined ? USAGE : `Unknown command "${command}".${didYouMean(command, ['validate', 'graph', 'check-answer'])}\n${USAGE}`);
    return EXIT_USAGE;
  }

  const files: string[] = [];
  const ignored: string[] = [];
  let format = 'text';
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (arg === '--format' || arg.startsWith('--format=')) {
      format = arg === '--format' ? rest[++i] : arg.slice('--format='.length);
      if (format !== 'text' && format !== 'json') {
        io.stderr(`--format takes "text" or "json", not ${JSON.stringify(format ?? '')}.\n${USAGE}`);
        return EXIT_USAGE;
      }
    } else if (arg === '--ignore' || arg.startsWith('--ignore=')) {
      const value = arg === '--ignore' ? rest[++i] : arg.slice('--ignore='.length);
      const codes = (value ?? '').split(',').map(c => c.trim()).filter(c => c !== '');
      if (codes.length === 0) {
        io.stderr(`--ignore takes one or more warning codes, for example --ignore DESIGN_SENTENCE_CASE.\n${USAGE}`);
        return EXIT_USAGE;
      }
      for (const code of codes) {
        const problem = ignoreProblem(code);
        if (problem) {
          io.stderr(`${problem}\n${USAGE}`);
          return EXIT_USAGE;
        }
      }
      ignored.push(...codes);
    } else if (arg.startsWith('-') && arg !== '-') {
      io.stderr(`Unknown option "${arg}".${didYouMean(arg, ['--format', '--ignore'])}\n${USAGE}`);
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
    const text = read(file, io);
    if (text === undefined) return EXIT_USAGE;
    const result = FlowJsonValidator.validateText(text, { ignoreWarnings: ignored });
    reports.push({ file, errors: result.errors, warnings: result.warnings });
  }

  if (format === 'json') {
    io.stdout(JSON.stringify(reports, undefined, 2));
  } else {
    printText(reports, io);
  }
  return reports.some(r => r.errors.length > 0) ? EXIT_INVALID : EXIT_VALID;
}

/** Why a code cannot be ignored, or undefined when it can. */
function ignoreProblem(code: string): string | undefined {
  if (!isRuleCode(code)) {
    return `--ignore: "${code}" is not a rule code.${didYouMean(code, Object.keys(RULES))} The codes are listed in the README.`;
  }
  if (RULES[code].severity === 'error') {
    return `--ignore: ${code} is an error, and only warnings can be silenced (Meta would refuse the Flow).`;
  }
  return undefined;
}

/** `whatsapp-flow graph <file>`: a Mermaid flowchart on stdout. */
function graph(args: string[], io: CliIo): number {
  if (args.length !== 1 || args[0].startsWith('-')) {
    io.stderr(`graph takes exactly one file.\n${USAGE}`);
    return EXIT_USAGE;
  }
  const text = read(args[0], io);
  if (text === undefined) return EXIT_USAGE;
  let flow: unknown;
  try {
    flow = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    io.stderr(`${args[0]} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
    return EXIT_INVALID;
  }
  const chart = flowToMermaid(flow);
  if (chart === undefined) {
    io.stderr(`${args[0]} has no screens to draw. Run "whatsapp-flow validate ${args[0]}" to see why.`);
    return EXIT_INVALID;
  }
  io.stdout(chart);
  return EXIT_VALID;
}

function read(file: string, io: CliIo): string | undefined {
  try {
    return io.readFile(file);
  } catch (error) {
    io.stderr(`Cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
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
