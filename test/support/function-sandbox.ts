/**
 * A function exactly as it ships (its esbuild bundle under assets/), run in a worker thread as one Lambda sandbox.
 * A thread rather than jest's module sandbox: the bundled SDK uses dynamic `import()`, as it may on Lambda.
 */
import { execSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Worker } from 'worker_threads';

export const ROOT = path.resolve(__dirname, '../..');

/** Builds a bundle with its projen task when it is missing or older than any `.ts` file in its source folders. */
export function ensureBundle(asset: string, sourceDirs: string[], bundleTask: string): void {
  const built = fs.existsSync(asset) ? fs.statSync(asset).mtimeMs : 0;
  const stale = sourceDirs.some((dir) => fs.readdirSync(dir).some((f) => f.endsWith('.ts') && fs.statSync(path.join(dir, f)).mtimeMs > built));
  if (stale) execSync(`npx projen ${bundleTask}`, { cwd: ROOT, stdio: 'pipe' });
}

/** What one invocation gave back. */
export interface Outcome<Result = any> {
  readonly result?: Result;
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
const shipped = require(workerData.asset);
const handler = workerData.handlerOptions ? shipped.makeHandler(workerData.handlerOptions) : shipped.handler;
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

export interface FunctionSandboxOptions {
  /** The bundle's path. */
  readonly asset: string;
  /** The Lambda function's name, in the context and in AWS_LAMBDA_FUNCTION_NAME. */
  readonly functionName: string;
  /** The function's environment, on top of the test process's (AWS_PROFILE removed, fake credentials set). */
  readonly env: Record<string, string>;
  /** Given: the sandbox runs the bundle's `makeHandler(handlerOptions)` instead of its `handler`. */
  readonly handlerOptions?: Record<string, unknown>;
}

/** One Lambda sandbox of a shipped function: `start()`, then `invoke()` one event at a time, then `stop()`. */
export class FunctionSandbox<Event = unknown, Result = any> {
  /** Milliseconds the bundle took to load in the sandbox. */
  public loadMs = 0;
  private worker?: Worker;

  constructor(private readonly options: FunctionSandboxOptions) {}

  async start(): Promise<void> {
    const env: Record<string, string> = {
      ...process.env as Record<string, string>,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIAWIREDOUBLE000009',
      AWS_SECRET_ACCESS_KEY: 'wire-double-secret-key-do-not-log',
      AWS_LAMBDA_FUNCTION_NAME: this.options.functionName,
      // Node 20 is what this machine has; the SDK's notice about it is noise here.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...this.options.env,
    };
    delete env.AWS_PROFILE;
    this.worker = new Worker(SANDBOX, {
      eval: true,
      env,
      workerData: { asset: this.options.asset, handlerOptions: this.options.handlerOptions, context: { functionName: this.options.functionName, memoryLimitInMB: '256' } },
    });
    this.worker.unref();
    this.loadMs = await new Promise<number>((resolve, reject) => {
      this.worker!.once('error', reject);
      this.worker!.once('message', (m: { loaded: number }) => resolve(m.loaded));
    });
  }

  async invoke(event: Event, budgetMs = 30_000): Promise<Outcome<Result>> {
    const worker = this.worker!;
    return new Promise<Outcome<Result>>((resolve, reject) => {
      const onError = (e: Error) => reject(e);
      worker.once('error', onError);
      worker.once('message', (outcome: Outcome<Result>) => {
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
