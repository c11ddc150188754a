import { RetryBudgetExhausted } from './retry';

/** CloudFormation shows the failure reason to a person; the whole response must stay under 4096 bytes. */
export const MAX_REASON_LENGTH = 1000;
const MAX_QUOTED_ERROR_LENGTH = 160;

/** A failure whose message already says what happened and what to do. */
export class FlowFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FlowFailure';
  }
}

/** Meta's validation errors, quoted as far as the reason's size allows. */
export function rejectedFlowJson(flowName: string, validationErrors: string[]): FlowFailure {
  const head = `Meta rejected the Flow JSON of '${flowName}' with ${validationErrors.length} validation error(s): `;
  const tail = ' Fix the Flow JSON file and deploy again.';
  let quoted = '';
  let shown = 0;
  for (const error of validationErrors) {
    const item = `${shown + 1}) ${truncate(error.replace(/\s+/g, ' '), MAX_QUOTED_ERROR_LENGTH)}; `;
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
  RetryBudgetExhausted: 'The service kept failing with retryable errors; nothing was left behind. Deploy again later.',
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
