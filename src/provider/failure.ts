import { RetryBudgetExhausted } from './retry';

/** CloudFormation shows the failure reason to a person; the whole response must stay under 4096 bytes. */
export const MAX_REASON_LENGTH = 1000;
const MAX_QUOTED_ERROR_LENGTH = 240;

/** A failure whose message already says what happened and what to do. */
export class FlowFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FlowFailure';
  }
}

/**
 * One of Meta's validation errors as a person reads it: `path or line:column: message`. Meta sends them either as
 * plain text or as JSON-encoded objects (`{"error","error_type","message","line_start","column_start","pointers"}`),
 * whose message comes last and would otherwise be cut off.
 */
export function metaValidationError(raw: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return raw.replace(/\s+/g, ' ').trim();
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return raw.replace(/\s+/g, ' ').trim();
  const e = parsed as Record<string, unknown>;
  const pointer = Array.isArray(e.pointers) ? e.pointers.find((p) => p && typeof p === 'object') as Record<string, unknown> | undefined : undefined;
  const path = stringOf(pointer?.path);
  const line = stringOf(e.line_start ?? pointer?.line_start);
  const column = stringOf(e.column_start ?? pointer?.column_start);
  const where = path ?? (line ? (column ? `${line}:${column}` : `line ${line}`) : undefined);
  const message = stringOf(e.message) ?? stringOf(e.error_user_msg) ?? stringOf(e.error) ?? raw;
  const code = stringOf(e.error);
  const text = `${code && code !== message ? `${code}: ` : ''}${message}`.replace(/\s+/g, ' ').trim();
  return where ? `${where}: ${text}` : text;
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : undefined;
}

/** Meta's validation errors, quoted as far as the reason's size allows. */
export function rejectedFlowJson(flowName: string, validationErrors: string[]): FlowFailure {
  const head = `Meta rejected the Flow JSON of '${flowName}' with ${validationErrors.length} validation error(s): `;
  const tail = ' Fix the Flow JSON file and deploy again.';
  let quoted = '';
  let shown = 0;
  for (const error of validationErrors) {
    const item = `${shown + 1}) ${truncate(metaValidationError(error), MAX_QUOTED_ERROR_LENGTH)}; `;
    const more = ` ... and ${validationErrors.length - shown - 1} more.`;
    if (head.length + quoted.length + item.length + more.length + tail.length > MAX_REASON_LENGTH) break;
    quoted += item;
    shown++;
  }
  const rest = validationErrors.length - shown;
  return new FlowFailure(head + quoted.replace(/; $/, rest > 0 ? `; ... and ${rest} more.` : '.') + tail);
}

const ADVICE: Record<string, string> = {
  AccessDeniedException: 'Check that the WhatsApp Business Account id is right and linked to AWS End User Messaging Social in this account and region.',
  AccessDeniedByMetaException: 'Meta refused the request: check the WhatsApp Business Account\'s link and its Meta permissions.',
  ResourceNotFoundException: 'Check that the WhatsApp Business Account and the Flow exist in this account and region.',
  ValidationException: 'Fix the property the message names and deploy again.',
  InvalidParametersException: 'Fix the property the message names and deploy again.',
  LimitExceededException: 'A quota of the WhatsApp Business Account was reached: remove unused Flows or ask for a higher quota.',
  RetryBudgetExhausted: 'The service kept failing with retryable errors. Deploy again later.',
};

/** The reason CloudFormation shows: short, never the Flow JSON, and with a next step. */
export function failureReason(error: unknown): string {
  if (error instanceof FlowFailure) return truncate(error.message, MAX_REASON_LENGTH);
  const e = error as Error;
  const name = e instanceof RetryBudgetExhausted ? e.name : (e?.name ?? 'Error');
  const advice = ADVICE[name] ?? '';
  const message = truncate(`${name}: ${e?.message ?? String(error)}`, MAX_REASON_LENGTH - advice.length - 1);
  return advice ? `${message} ${advice}` : message;
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 3)}...`;
}
