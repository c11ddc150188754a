import { execSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Worker } from 'worker_threads';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';

const ROOT = path.resolve(__dirname, '../../..');
/** The handler exactly as it ships in the Lambda asset. */
export const HANDLER_ASSET = path.join(ROOT, 'assets/provider/on-event.lambda/index.js');
const LOCK = path.join(ROOT, 'assets/.wire-bundle.lock');

/** Fake credentials: distinctive, so a log that leaks them is caught. */
export const FAKE_CREDENTIALS = { accessKeyId: 'AKIAWIREDOUBLE000001', secretAccessKey: 'wire-double-secret-key-do-not-log' };

export interface HandlerResponse {
  readonly PhysicalResourceId: string;
  readonly Data: Record<string, string>;
}

/** What one Lambda invocation of the handler gave back. */
export interface HandlerOutcome {
  readonly result?: HandlerResponse;
  /** The message of the error the handler threw. */
  readonly error?: string;
  /** Every console line of the invocation: what CloudWatch Logs would hold. */
  readonly logs: string[];
}

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(file));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(file).mtimeMs);
  }
  return newest;
}

function isStale(): boolean {
  return !fs.existsSync(HANDLER_ASSET) || fs.statSync(HANDLER_ASSET).mtimeMs < newestSource(path.join(ROOT, 'src'));
}

/**
 * Builds the asset with `npx projen bundle` when it is missing or older than the handler's sources.
 * Jest runs test files in parallel workers: a lock directory keeps them from writing it at once.
 */
export function ensureBundle(): void {
  if (!isStale()) return;
  fs.mkdirSync(path.dirname(LOCK), { recursive: true });
  const until = Date.now() + 120_000;
  for (;;) {
    try {
      fs.mkdirSync(LOCK);
      break;
    } catch {
      if (Date.now() > until) throw new Error(`${LOCK} is held for too long; remove it if no test is running`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  try {
    if (isStale()) execSync('npx projen bundle', { cwd: ROOT, stdio: 'pipe' });
  } catch (e) {
    throw new Error(`could not build ${HANDLER_ASSET} with 'npx projen bundle': ${(e as Error).message}`);
  } finally {
    fs.rmdirSync(LOCK);
  }
}

/** What the shipped bundle's `makeHandler` takes: tests inject it, the production entry point never reads it from the environment. */
export interface HandlerOptions {
  /** @default 1 - retries back off fast so the suite stays quick */
  readonly retryBaseDelayMs?: number;
  /** @default 1000 - a hung request gives up after this long, as it would after 20 s on Lambda */
  readonly requestTimeoutMs?: number;
  /** Throttling's back-off. @default - 1 to 5 ms, at most 20 ms: fast, so the suite stays quick */
  readonly throttle?: { readonly minDelayMs?: number; readonly firstSpreadMs?: number; readonly maxDelayMs?: number };
  /** How long an operation may wait for the rate limit across invocations. @default - the handler's (45 minutes) */
  readonly waitMs?: number;
  /** `true`: the handler's own defaults (the shipped function's back-off; `throttle` still applies), for benchmarks. @default false */
  readonly productionTimings?: boolean;
}

/**
 * One Lambda sandbox: a worker thread that loads the asset and runs one invocation at a time.
 * A thread rather than jest's module sandbox: the bundled SDK uses dynamic `import()`, as it may on Lambda.
 */
const SANDBOX = `
const { parentPort, workerData } = require('worker_threads');
const { format } = require('util');
const shipped = require(workerData.asset);
// An older bundle (a benchmark's "before") has no factory: its handler reads the environment.
const handler = shipped.makeHandler ? shipped.makeHandler(workerData.options) : shipped.handler;
const METHODS = ['log', 'info', 'warn', 'error', 'debug', 'trace'];
parentPort.on('message', async ({ event, budgetMs }) => {
  const logs = [];
  for (const m of METHODS) console[m] = (...args) => { logs.push(format(...args)); };
  const deadline = Date.now() + budgetMs;
  const context = {
    ...workerData.context,
    awsRequestId: String(deadline),
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  try {
    parentPort.postMessage({ result: await handler(event, context), logs });
  } catch (e) {
    parentPort.postMessage({ error: e && e.message, logs });
  }
});
`;

const CONTEXT = {
  callbackWaitsForEmptyEventLoop: true,
  functionName: 'WireStack-WhatsAppFlowProviderOnEvent',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:111111111111:function:WireStack-WhatsAppFlowProviderOnEvent',
  memoryLimitInMB: '256',
  logGroupName: '/aws/lambda/WireStack-WhatsAppFlowProviderOnEvent',
  logStreamName: '2026/01/01/[$LATEST]wire',
};

/**
 * The shipped handler as a Lambda function pointed at `endpoint` through the SDK's standard endpoint
 * variables. Like Lambda, it reuses an idle sandbox (its SDK clients stay warm) and starts another one
 * for a concurrent invocation.
 */
export class HandlerFunction {
  private readonly idle: Worker[] = [];
  private readonly all: Worker[] = [];
  private readonly env: Record<string, string>;
  private readonly options: HandlerOptions;
  /**
   * An older handler asset than the one this tree builds (`WIRE_HANDLER_ASSET`, for a benchmark's "before"): a
   * synchronous provider, without the isComplete waiter.
   */
  public readonly asset = process.env.WIRE_HANDLER_ASSET ?? HANDLER_ASSET;
  public readonly legacy = process.env.WIRE_HANDLER_ASSET !== undefined;

  constructor(endpoint: string, options: HandlerOptions = {}) {
    ensureBundle();
    this.env = {
      ...process.env as Record<string, string>,
      AWS_ENDPOINT_URL_SOCIALMESSAGING: endpoint,
      AWS_ENDPOINT_URL_S3: endpoint,
      AWS_ENDPOINT_URL_CLOUDFORMATION: endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: FAKE_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: FAKE_CREDENTIALS.secretAccessKey,
      // Node 20 is what this machine has; the SDK's notice about it is noise here.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
    delete this.env.AWS_PROFILE;
    this.options = options.productionTimings ? { waitMs: options.waitMs, throttle: options.throttle } : {
      retryBaseDelayMs: options.retryBaseDelayMs ?? 1,
      requestTimeoutMs: options.requestTimeoutMs ?? 1_000,
      throttle: options.throttle ?? { minDelayMs: 1, firstSpreadMs: 5, maxDelayMs: 20 },
      waitMs: options.waitMs,
    };
  }

  /** Invokes the handler with a context that grants `budgetMs` milliseconds. */
  async invoke(event: CloudFormationCustomResourceEvent, budgetMs: number): Promise<HandlerOutcome> {
    const worker = this.idle.pop() ?? this.start();
    try {
      return await new Promise<HandlerOutcome>((resolve, reject) => {
        const onError = (e: Error) => reject(e);
        worker.once('error', onError);
        worker.once('message', (outcome: HandlerOutcome) => {
          worker.off('error', onError);
          resolve(outcome);
        });
        worker.postMessage({ event, budgetMs });
      });
    } finally {
      this.idle.push(worker);
    }
  }

  /** Ends every sandbox. */
  async close(): Promise<void> {
    await Promise.all(this.all.map(w => w.terminate()));
    this.all.length = 0;
    this.idle.length = 0;
  }

  private start(): Worker {
    const worker = new Worker(SANDBOX, { eval: true, env: this.env, workerData: { asset: this.asset, context: CONTEXT, options: this.options } });
    worker.unref();
    this.all.push(worker);
    return worker;
  }
}
