/**
 * The answer guard of the endpoint function: each answer of the user's function is checked against the contracts
 * of the Flows bound to the endpoint (src/validator/answer-check.ts) before it is encrypted. A violation is
 * reported (the metric `AnswerContractViolations`, the request's action and screen, the rule codes and the JSON
 * paths, which hold only names the Flow JSON declares); the answer itself goes to Meta unchanged, and nothing of it
 * is logged. The guard never fails a request: an error inside it is swallowed.
 *
 * The contracts travel in one environment variable, `FLOW_ENDPOINT_ANSWER_CONTRACT`: the JSON summary, deflated
 * (raw DEFLATE) and base64-encoded, decoded once per sandbox.
 */
import { deflateRawSync, inflateRawSync } from 'zlib';
import { ContractSummary, judgeAnswer } from '../../validator/answer-check';
import { EndpointMetric } from '../contract';
import type { FlowRequest, OutcomeRecord } from './exchange';

/** Violations named in a log line at most; the rest are counted. */
const MAX_LOGGED = 3;

/** The environment variable's value for a summary. */
export function encodeContracts(summary: ContractSummary): string {
  return deflateRawSync(Buffer.from(JSON.stringify(summary), 'utf8'), { level: 9 }).toString('base64');
}

/** The summary in an environment variable's value; undefined when there is none or it cannot be read. */
export function decodeContracts(encoded: string | undefined): ContractSummary | undefined {
  if (!encoded) return undefined;
  try {
    const summary = JSON.parse(inflateRawSync(Buffer.from(encoded, 'base64')).toString('utf8'));
    return summary?.v === 1 && Array.isArray(summary.f) && summary.f.length > 0 ? summary : undefined;
  } catch {
    return undefined;
  }
}

/** A checker of answers, or undefined when there is no contract (the guard is off, or no Flow is known). */
export type AnswerChecker = (request: FlowRequest, answer: unknown) => OutcomeRecord | undefined;

export function answerGuard(encoded: string | undefined): AnswerChecker | undefined {
  const summary = decodeContracts(encoded);
  if (!summary) return undefined;
  return (request, answer) => {
    try {
      const verdict = judgeAnswer(summary.f, { action: request.action, screen: request.screen, flowToken: request.flow_token }, answer);
      const errors = verdict.findings.filter(f => f.severity === 'error');
      if (errors.length === 0) return undefined;
      const named = errors.slice(0, MAX_LOGGED).map(e => `${e.code} at ${loggable(e.path)}`).join(', ');
      const more = errors.length > MAX_LOGGED ? ` and ${errors.length - MAX_LOGGED} more` : '';
      // verdict.screen is a screen of the Flow JSON (or SUCCESS), never a name made up by the answer.
      const target = verdict.screen !== undefined ? ` answering with screen ${verdict.screen}` : '';
      return {
        metric: EndpointMetric.ANSWER_CONTRACT_VIOLATIONS,
        status: 200,
        reason: `the handler's answer breaks the Flow JSON's contract${target}: ${named}${more}; it was sent unchanged`,
        action: loggable(request.action),
        screen: request.screen === undefined ? undefined : loggable(request.screen),
        rule: errors[0].code,
      };
    } catch {
      return undefined;
    }
  };
}

/** A name or path, as far as it is safe to log: letters, digits and `_.:-[]$'`, at most 120 characters. */
function loggable(value: string): string {
  return value.replace(/[^A-Za-z0-9_.:\-[\]$']/g, '').slice(0, 120);
}
