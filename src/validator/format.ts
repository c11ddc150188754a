import { FlowJsonProblem } from './flow-json-validator';

/** One problem a line, as the command line and the synth-time check both show it: `file:path  code  message`. */
export function formatProblem(file: string, problem: FlowJsonProblem, severity?: 'warning'): string {
  const code = severity ? `${severity} ${problem.code}` : problem.code;
  return `${file}:${problem.path}  ${code}  ${problem.message}`;
}
