#!/usr/bin/env node
import * as fs from 'fs';
import { join } from 'path';
import { CHECK_ANSWER_USAGE, checkAnswer } from './check-answer';
import { EXIT_INVALID, EXIT_USAGE, EXIT_VALID } from './exit-codes';
import { printReports } from './report';
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
  '       whatsapp-flow graph <file...> [--format mermaid|markdown]   (a Mermaid flowchart of the screens)',
  CHECK_ANSWER_USAGE,
  '       whatsapp-flow --version',
  'Run it from the package without installing it: npx -p cdk-whatsapp-flows whatsapp-flow <command>',
].join('\n');

/** The code of the problem that stands for a file that cannot be read: the other files are checked all the same. */
export const FILE_UNREADABLE = 'FILE_UNREADABLE';

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
  if (command === '--version') {
    io.stdout(packageVersion());
    return EXIT_VALID;
  }
  if (command === 'graph') return graph(rest, io);
  if (command === 'check-answer') return checkAnswer(rest, io, USAGE);
  if (command !== 'validate') {
    io.stderr(command === undefined ? USAGE : `Unknown command "${command}".${didYouMean(command, ['validate', 'graph', 'check-answer', '--version'])}\n${USAGE}`);
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
    let text: string;
    try {
      text = io.readFile(file);
    } catch (error) {
      // One missing file among several: say so as that file's error, and check the others.
      reports.push({ file, errors: [{ code: FILE_UNREADABLE, path: '$', message: `Cannot read the file: ${reasonOf(error)}` }], warnings: [] });
      continue;
    }
    const result = FlowJsonValidator.validateText(text, { ignoreWarnings: ignored });
    reports.push({ file, errors: result.errors, warnings: result.warnings });
  }

  if (format === 'json') {
    io.stdout(JSON.stringify(reports, undefined, 2));
  } else {
    printReports(reports, io, 'file');
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

/**
 * `whatsapp-flow graph <file...>`: a Mermaid flowchart of each file on stdout. One file gives the chart alone; with
 * several, each chart starts with a `%% file` comment line. `--format markdown` puts each chart under a heading in a
 * ```mermaid block, ready for a pull request. A file that cannot be read, is not JSON or has no screens is reported on
 * stderr and makes the exit code 1; the other files are drawn all the same.
 */
function graph(args: string[], io: CliIo): number {
  const files: string[] = [];
  let format = 'mermaid';
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--format' || arg.startsWith('--format=')) {
      format = arg === '--format' ? args[++i] : arg.slice('--format='.length);
      if (format !== 'mermaid' && format !== 'markdown') {
        io.stderr(`graph --format takes "mermaid" or "markdown", not ${JSON.stringify(format ?? '')}.\n${USAGE}`);
        return EXIT_USAGE;
      }
    } else if (arg.startsWith('-') && arg !== '-') {
      io.stderr(`Unknown option "${arg}".${didYouMean(arg, ['--format'])}\n${USAGE}`);
      return EXIT_USAGE;
    } else {
      files.push(arg);
    }
  }
  if (files.length === 0) {
    io.stderr(`graph takes one or more files.\n${USAGE}`);
    return EXIT_USAGE;
  }
  let code = EXIT_VALID;
  const charts: string[] = [];
  for (const file of files) {
    const chart = chartOf(file, io);
    if (chart === undefined) {
      code = EXIT_INVALID;
    } else if (format === 'markdown') {
      charts.push(`## ${file}\n\n\`\`\`mermaid\n${chart}\n\`\`\``);
    } else {
      charts.push(files.length > 1 ? `%% ${file}\n${chart}` : chart);
    }
  }
  if (charts.length > 0) io.stdout(charts.join('\n\n'));
  return code;
}

/** One file's chart, or undefined after saying on stderr why there is none. */
function chartOf(file: string, io: CliIo): string | undefined {
  let text: string;
  try {
    text = io.readFile(file);
  } catch (error) {
    io.stderr(`Cannot read ${file}: ${reasonOf(error)}`);
    return undefined;
  }
  let flow: unknown;
  try {
    flow = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    const problem = FlowJsonValidator.validateText(text).errors[0];
    io.stderr(formatProblem(file, problem));
    return undefined;
  }
  const chart = flowToMermaid(flow);
  if (chart === undefined) {
    io.stderr(`${file} has no screens to draw. Run "whatsapp-flow validate ${file}" to see why.`);
  }
  return chart;
}

/** An error's message; errors from another realm (a test's sandbox) are not `instanceof Error`. */
function reasonOf(error: unknown): string {
  const message = (error as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' ? message : String(error);
}

/** This package's version, read from its package.json at run time (lib/cli/ and src/cli/ are both two levels down). */
function packageVersion(): string {
  const manifest = JSON.parse(fs.readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8'));
  return String(manifest.version);
}

const nodeIo: CliIo = {
  stdout: line => process.stdout.write(`${line}\n`),
  stderr: line => process.stderr.write(`${line}\n`),
  readFile: path => fs.readFileSync(path, 'utf8'),
};

if (require.main === module) {
  process.exitCode = run(process.argv.slice(2), nodeIo);
}
