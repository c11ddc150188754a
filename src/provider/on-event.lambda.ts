import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { awsClients, REQUEST_TIMEOUT_MS } from './aws-clients';
import { failureReason } from './failure';
import { isRetryable, ThrottleBackoff, ThrottleBackoffOptions, ThrottledOut } from './retry';
import { DEFAULT_WAIT_MS, pendingCreateId, WAIT_ENV, WAIT_FIELD, WaitState } from './waiting';
import { KEY_REGISTRATION_RESOURCE_TYPE } from '../endpoint/contract';
import { KeyRegistrationLifecycle } from '../endpoint/key-registration-lifecycle';
import { FLOW_RESOURCE_TYPE } from '../flow/contract';
import { FlowLifecycle } from '../flow/flow-lifecycle';
import { TEMPLATE_RESOURCE_TYPE } from '../template/contract';
import { TemplateLifecycle } from '../template/template-lifecycle';

/**
 * What the handler answers: the physical id and a few string attributes; from onEvent, whether the operation is
 * finished or waits; from `isComplete`, `IsComplete` (with empty Data while it is false, as the framework requires).
 */
type ProviderResponse = {
  readonly PhysicalResourceId: string;
  readonly Data: Record<string, string | undefined>;
  readonly IsComplete?: boolean;
  readonly [WAIT_FIELD]?: WaitState;
};

/**
 * The event onEvent gets, or the one `isComplete` gets: the same, with onEvent's answer merged in. Only the latter
 * has `Data` (onEvent always answers with it), which is how the two are told apart.
 */
type ProviderEvent = CloudFormationCustomResourceEvent & { readonly Data?: object; readonly [WAIT_FIELD]?: WaitState };

/** Used when there is no Lambda context, as when the handler runs outside Lambda. */
const DEFAULT_BUDGET_MS = 5 * 60_000;

/** Logs say what happened to which resource; they never hold the event, the Flow JSON or the ResponseURL. */
function log(message: string): void {
  console.log(message);
}

/** What tests change; the shipped function uses the defaults. */
export interface HandlerOptions {
  /** First back-off delay for 5xx and timeouts. @default 500 */
  readonly retryBaseDelayMs?: number;
  /** @default 20000 */
  readonly requestTimeoutMs?: number;
  /** @default - ThrottleBackoff's defaults */
  readonly throttle?: ThrottleBackoffOptions;
  /** How long an operation may wait for the rate limit. @default - the RATE_LIMIT_WAIT_MS the provider sets, or 45 minutes */
  readonly waitMs?: number;
}

/**
 * The Provider framework's `onEvent` and `isComplete` for every resource type of the library, in one function.
 * A call that carries onEvent's answer (its `Data`) is an `isComplete` call: it confirms a finished operation, or
 * carries on with one that waits for the rate limit.
 */
export function makeHandler(options: HandlerOptions = {}) {
  // One throttling ladder per sandbox: the next call starts from what the last refusal taught.
  const throttle = new ThrottleBackoff(options.throttle);
  const clients = () => awsClients(options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS);
  const waitMs = options.waitMs ?? (Number(process.env[WAIT_ENV]) || DEFAULT_WAIT_MS);

  /**
   * Whether CloudFormation is rolling the stack back. A retryable failure to read it (throttling, a 5xx) is thrown
   * for the caller to retry within its budget; when it cannot be read otherwise, it is taken as not.
   */
  async function readRollingBack(stackId: string): Promise<boolean> {
    try {
      const status = await clients().stackStatus(stackId);
      return /ROLLBACK_IN_PROGRESS$/.test(status ?? '');
    } catch (error) {
      if (isRetryable(error)) throw error;
      log(`could not read the stack's status (${(error as Error).name})`);
      return false;
    }
  }

  async function isRollingBack(stackId: string): Promise<boolean> {
    try {
      return await readRollingBack(stackId);
    } catch (error) {
      log(`could not read the stack's status (${(error as Error).name})`);
      return false;
    }
  }

  /** Runs the operation; a Flow operation throttled out before it changed anything is handed over to wait. */
  async function run(event: ProviderEvent, budgetMs: number, waiting?: WaitState): Promise<ProviderResponse> {
    const deadline = Date.now() + budgetMs;
    if (waiting) throttle.continueStreak(waiting.since);
    const common = {
      socialMessaging: clients().socialMessaging,
      remainingMs: () => deadline - Date.now(),
      log,
      retryBaseDelayMs: options.retryBaseDelayMs,
      throttle,
    };
    switch (event.ResourceType) {
      case FLOW_RESOURCE_TYPE: {
        const flows = new FlowLifecycle({
          ...common,
          readFlowJson: (bucket, key) => clients().readObject(bucket, key),
          downloadFlowJson: (url) => clients().download(url),
          isRollingBack: readRollingBack,
        });
        try {
          return await flows.handle(event);
        } catch (error) {
          if (!(error instanceof ThrottledOut) || flows.mutated) throw error;
          const now = Date.now();
          const state = waiting ?? { since: now, deadline: now + waitMs };
          if (now >= state.deadline) throw error;
          log(`${event.RequestType}: ${error.operation} is throttled and nothing was changed yet: waiting for the rate limit `
            + `(up to ${Math.round((state.deadline - now) / 60_000)} more minutes)`);
          const physicalId = event.RequestType === 'Create' ? pendingCreateId(event.RequestId) : event.PhysicalResourceId;
          return { PhysicalResourceId: physicalId, Data: {}, [WAIT_FIELD]: state };
        }
      }
      case KEY_REGISTRATION_RESOURCE_TYPE:
        return new KeyRegistrationLifecycle(common).handle(event);
      case TEMPLATE_RESOURCE_TYPE:
        return new TemplateLifecycle({ ...common, isRollingBack }).handle(event);
      default:
        throw new Error(`this provider does not handle resources of type ${event.ResourceType}`);
    }
  }

  return async function handler(event: ProviderEvent, context?: Context): Promise<ProviderResponse> {
    const budgetMs = context?.getRemainingTimeInMillis() ?? DEFAULT_BUDGET_MS;
    const unchanged = { PhysicalResourceId: (event as { PhysicalResourceId?: string }).PhysicalResourceId ?? '', Data: {} };
    try {
      if (!event.Data) return await run(event, budgetMs);
      const waiting = event[WAIT_FIELD];
      // isComplete of an operation onEvent finished: nothing to do.
      if (!waiting) return { ...unchanged, IsComplete: true };
      // isComplete: carry on with an operation that waits; it may wait again only until its deadline.
      log(`${event.RequestType}: carrying on after waiting for the rate limit since ${new Date(waiting.since).toISOString()}`);
      const continued = await run(event, Math.min(budgetMs, Math.max(0, waiting.deadline - Date.now()) + 60_000), waiting);
      if (continued[WAIT_FIELD]) return { ...unchanged, IsComplete: false };
      return { IsComplete: true, PhysicalResourceId: continued.PhysicalResourceId, Data: continued.Data };
    } catch (error) {
      const reason = failureReason(error);
      log(`${event.RequestType} failed: ${reason}`);
      throw new Error(reason);
    }
  };
}

/** The shipped function's entry point. */
export const handler = makeHandler();
