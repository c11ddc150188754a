/** The events function exactly as it ships (assets/events/flow-events.lambda/index.js), in one sandbox. */
import * as path from 'path';
import type { SNSEvent } from 'aws-lambda';
import { ensureBundle, FunctionSandbox, Outcome, ROOT } from '../../support/function-sandbox';

export const FLOW_EVENTS_ASSET = path.join(ROOT, 'assets/events/flow-events.lambda/index.js');
export const FUNCTION_NAME = 'WireStack-FlowEventsHandler';
export const BUS_ARN = 'arn:aws:events:us-east-1:111111111111:event-bus/default';
export type { Outcome };

/** Builds the asset with its projen bundle task when it is missing or older than its sources. */
export function ensureFlowEventsBundle(): void {
  ensureBundle(FLOW_EVENTS_ASSET, [path.join(ROOT, 'src/events')], 'bundle:events/flow-events.lambda');
}

/** The shipped function, pointed at `endpoint` through the SDK's service endpoint variable. */
export class FlowEventsFunctionSandbox extends FunctionSandbox<SNSEvent> {
  constructor(endpoint: string, env: Record<string, string> = {}) {
    ensureFlowEventsBundle();
    super({
      asset: FLOW_EVENTS_ASSET,
      functionName: FUNCTION_NAME,
      env: { AWS_ENDPOINT_URL_EVENTBRIDGE: endpoint, EVENT_BUS_NAME: BUS_ARN, ...env },
      handlerOptions: { retryBaseDelayMs: 1 },
    });
  }
}
