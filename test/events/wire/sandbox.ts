/**
 * The events function exactly as it ships (assets/events/flow-events.lambda/index.js), run in a worker thread as
 * one Lambda sandbox. A thread rather than jest's module sandbox: the bundled SDK uses dynamic `import()`.
 */
import { execSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Worker } from 'worker_threads';
import type { SNSEvent } from 'aws-lambda';

const ROOT = path.resolve(__dirname, '../../..');
export const FLOW_EVENTS_ASSET = path.join(ROOT, 'assets/events/flow-events.lambda/index.js');
const SOURCES = path.join(ROOT, 'src/events');

function isStale(): boolean {
  if (!fs.existsSync(FLOW_EVENTS_ASSET)) return true;
  const built = fs.statSync(FLOW_EVENTS_ASSET).mtimeMs;
  return fs.readdirSync(SOURCES).some((f) => f.endsWith('.ts') && fs.statSync(path.join(SOURCES, f)).mtimeMs > built);
}

/** Builds the asset with its projen bundle task when it is missing or older than its sources. */
export function ensureFlowEventsBundle(): void {
  if (isStale()) execSync('npx projen bundle:events/flow-events.lambda', { cwd: ROOT, stdio: 'pipe' });
}

/** What one invocation gave back. */
export interface Outcome {
  readonly result?: any;
  /** The message of the error the function threw: what Lambda records as the invocation's ErrorMessage. */
  readonly error?: string;
  readonly errorType?: string;
  /** Every console line of the invocation: what CloudWatch Logs would hold. */
  readonly logs: string[];
  readonly ms: number;
}

const SANDBOX = `
const { parentPort, workerData } = require('worker_threads');
const { format } = require('util');
const started = process.hrtime.bigint();
const { handler } = require(workerData.asset);
const loadMs = Number(process.hrtime.bigint() - started) / 1e6;
let logs = [];
for (const m of ['log', 'info', 'warn', 'error', 'debug']) console[m] = (...args) => { logs.push(format(...args)); };
parentPort.postMessage({ loaded: loadMs });
parentPort.on('message', async ({ event, budgetMs }) => {
  logs = [];
  const deadline = Date.now() + budgetMs;
  const context = { ...workerData.context, awsRequestId: String(deadline), getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()) };
  const t = process.hrtime.bigint();
  try {
    const result = await handler(event, context);
    parentPort.postMessage({ result, logs, ms: Number(process.hrtime.bigint() - t) / 1e6 });
  } catch (e) {
    parentPort.postMessage({ error: e && e.message, errorType: e && e.name, logs, ms: Number(process.hrtime.bigint() - t) / 1e6 });
  }
});
`;

export const FUNCTION_NAME = 'WireStack-FlowEventsHandler';
export const BUS_ARN = 'arn:aws:events:us-east-1:111111111111:event-bus/default';

/** The shipped function, pointed at `endpoint` through the SDK's service endpoint variable. */
export class FlowEventsFunctionSandbox {
  /** Milliseconds the bundle took to load in the sandbox. */
  public loadMs = 0;
  private worker?: Worker;

  constructor(private readonly endpoint: string, private readonly env: Record<string, string> = {}) {
    ensureFlowEventsBundle();
  }

  async start(): Promise<void> {
    const env: Record<string, string> = {
      ...process.env as Record<string, string>,
      AWS_ENDPOINT_URL_EVENTBRIDGE: this.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIAWIREDOUBLE000002',
      AWS_SECRET_ACCESS_KEY: 'wire-double-secret-key-do-not-log',
      AWS_LAMBDA_FUNCTION_NAME: FUNCTION_NAME,
      EVENT_BUS_NAME: BUS_ARN,
      RETRY_BASE_DELAY_MS: '1',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...this.env,
    };
    delete env.AWS_PROFILE;
    this.worker = new Worker(SANDBOX, {
      eval: true,
      env,
      workerData: { asset: FLOW_EVENTS_ASSET, context: { functionName: FUNCTION_NAME, memoryLimitInMB: '256' } },
    });
    this.worker.unref();
    this.loadMs = await new Promise<number>((resolve, reject) => {
      this.worker!.once('error', reject);
      this.worker!.once('message', (m: { loaded: number }) => resolve(m.loaded));
    });
  }

  async invoke(event: SNSEvent, budgetMs = 30_000): Promise<Outcome> {
    const worker = this.worker!;
    return new Promise<Outcome>((resolve, reject) => {
      const onError = (e: Error) => reject(e);
      worker.once('error', onError);
      worker.once('message', (outcome: Outcome) => {
        worker.off('error', onError);
        resolve(outcome);
      });
      worker.postMessage({ event, budgetMs });
    });
  }

  async stop(): Promise<void> {
    await this.worker?.terminate();
  }
}
