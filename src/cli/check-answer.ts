/**
 * `whatsapp-flow check-answer <flow.json> --action ACTION [--screen SCREEN] [--flow-token TOKEN] <answer.json...>`:
 * checks answers of a Flow endpoint against the Flow JSON's contract (FlowAnswerContract), with the exit codes and
 * output formats of `validate`: 0 every answer fits, 1 an answer breaks the contract, 2 a usage or input error.
 */
import { EXIT_INVALID, EXIT_USAGE, EXIT_VALID } from './exit-codes';
import type { CliIo } from './main';
import { printReports } from './report';
import { FlowAnswerContract, FlowAnswerProblem, FlowAnswerRequest } from '../validator/answer-contract';
import { didYouMean } from '../validator/suggest';

export const CHECK_ANSWER_USAGE = '       whatsapp-flow check-answer <flow.json> --action INIT|data_exchange|BACK [--screen SCREEN] [--flow-token TOKEN] <answer.json...> [--format text|json]';

const ACTIONS = ['INIT', 'data_exchange', 'BACK'];
const OPTIONS = ['--action', '--screen', '--flow-token', '--format'];

interface AnswerReport {
  readonly file: string;
  readonly errors: FlowAnswerProblem[];
  readonly warnings: FlowAnswerProblem[];
}

/** Runs `check-answer` with the arguments after the command name; returns the exit code. */
export function checkAnswer(args: string[], io: CliIo, usage: string): number {
  const files: string[] = [];
  const options: Record<string, string | undefined> = {};
  const usageError = (message: string) => {
    io.stderr(`${message}\n${usage}`);
    return EXIT_USAGE;
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const option = OPTIONS.find(o => arg === o || arg.startsWith(`${o}=`));
    if (option) {
      const value = arg === option ? args[++i] : arg.slice(option.length + 1);
      if (value === undefined || value === '') return usageError(`${option} needs a value.`);
      options[option] = value;
    } else if (arg.startsWith('-') && arg !== '-') {
      return usageError(`Unknown option "${arg}".${didYouMean(arg, OPTIONS)}`);
    } else {
      files.push(arg);
    }
  }
  const format = options['--format'] ?? 'text';
  if (format !== 'text' && format !== 'json') return usageError(`--format takes "text" or "json", not ${JSON.stringify(format)}.`);
  const action = options['--action'];
  if (action === undefined) return usageError('check-answer needs --action: the action of the request the answer is for (INIT, data_exchange or BACK).');
  if (!ACTIONS.includes(action)) return usageError(`--action takes INIT, data_exchange or BACK, not "${action}".${didYouMean(action, ACTIONS)}`);
  if (action === 'data_exchange' && options['--screen'] === undefined) {
    return usageError('A data_exchange request comes from a screen: give it with --screen.');
  }
  if (files.length < 2) return usageError('check-answer takes the Flow JSON file, then one or more answer files.');

  const [flowFile, ...answerFiles] = files;
  const flowText = read(flowFile, io);
  if (flowText === undefined) return EXIT_USAGE;
  let contract: FlowAnswerContract;
  try {
    contract = FlowAnswerContract.fromFlowJsonText(flowText);
  } catch (error) {
    io.stderr(`${flowFile}: ${(error as Error).message}`);
    return EXIT_USAGE;
  }
  const request: FlowAnswerRequest = { action, screen: options['--screen'], flowToken: options['--flow-token'] };
  const reports: AnswerReport[] = [];
  for (const file of answerFiles) {
    const text = read(file, io);
    if (text === undefined) return EXIT_USAGE;
    let answer: unknown;
    try {
      answer = JSON.parse(text.replace(/^\uFEFF/, ''));
    } catch (error) {
      io.stderr(`${file} is not valid JSON: ${(error as Error).message}`);
      return EXIT_USAGE;
    }
    const result = contract.check(answer, request);
    reports.push({ file, errors: result.errors, warnings: result.warnings });
  }

  if (format === 'json') {
    io.stdout(JSON.stringify(reports, undefined, 2));
  } else {
    printReports(reports, io, 'answer');
  }
  return reports.some(r => r.errors.length > 0) ? EXIT_INVALID : EXIT_VALID;
}

function read(file: string, io: CliIo): string | undefined {
  try {
    return io.readFile(file);
  } catch (error) {
    io.stderr(`Cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
}

