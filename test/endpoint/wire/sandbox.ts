/**
 * The endpoint function exactly as it ships (assets/endpoint/runtime/endpoint.lambda/index.js), run in a worker
 * thread as one Lambda sandbox. A thread rather than jest's module sandbox: the bundled SDK uses dynamic `import()`.
 */
import { execSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Worker } from 'worker_threads';

const ROOT = path.resolve(__dirname, '../../..');
export const ENDPOINT_ASSET = path.join(ROOT, 'assets/endpoint/runtime/endpoint.lambda/index.js');
const SOURCES = [path.join(ROOT, 'src/endpoint'), path.join(ROOT, 'src/endpoint/runtime')];

function isStale(): boolean {
  if (!fs.existsSync(ENDPOINT_ASSET)) return true;
  const built = fs.statSync(ENDPOINT_ASSET).mtimeMs;
  return SOURCES.some((dir) => fs.readdirSync(dir).some((f) => f.endsWith('.ts') && fs.statSync(path.join(dir, f)).mtimeMs > built));
}

/** Builds the asset with its projen bundle task when it is missing or older than its sources. */
export function ensureEndpointBundle(): void {
  if (isStale()) execSync('npx projen bundle:endpoint/runtime/endpoint.lambda', { cwd: ROOT, stdio: 'pipe' });
}

/** What the Function URL hands the function for one HTTP request (payload format 2.0). */
export function functionUrlEvent(body: string, headers: Record<string, string> = {}, method = 'POST'): Record<string, unknown> {
  return {
    version: '2.0',
    rawPath: '/',
    rawQueryString: '',
    headers: { 'content-type': 'application/json', 'user-agent': 'facebookexternalua', ...headers },
    requestContext: { http: { method, path: '/', protocol: 'HTTP/1.1', sourceIp: '31.13.0.1', userAgent: 'facebookexternalua' } },
    body,
    isBase64Encoded: false,
  };
}

export interface EndpointOutcome {
  readonly result?: { statusCode: number; headers: Record<string, string>; body: string };
  readonly error?: string;
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
  const context = { functionName: 'WireStack-EndpointFunction', awsRequestId: String(deadline), getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()) };
  const t = process.hrtime.bigint();
  try {
    const result = await handler(event, context);
    parentPort.postMessage({ result, logs, ms: Number(process.hrtime.bigint() - t) / 1e6 });
  } catch (e) {
    parentPort.postMessage({ error: e && e.message, logs, ms: Number(process.hrtime.bigint() - t) / 1e6 });
  }
});
`;

/** The shipped endpoint function, pointed at the stand-in through the SDK's service endpoint variables. */
export class EndpointSandbox {
  /** Milliseconds the bundle took to load. */
  public loadMs = 0;
  private worker?: Worker;

  constructor(private readonly endpoint: string, private readonly env: Record<string, string>) {
    ensureEndpointBundle();
  }

  async start(): Promise<void> {
    const env: Record<string, string> = {
      ...process.env as Record<string, string>,
      AWS_ENDPOINT_URL_KMS: this.endpoint,
      AWS_ENDPOINT_URL_LAMBDA: this.endpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: this.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIAWIREDOUBLE000003',
      AWS_SECRET_ACCESS_KEY: 'wire-double-secret-key-do-not-log',
      AWS_LAMBDA_FUNCTION_NAME: 'WireStack-EndpointFunction',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...this.env,
    };
    delete env.AWS_PROFILE;
    this.worker = new Worker(SANDBOX, { eval: true, env, workerData: { asset: ENDPOINT_ASSET } });
    this.worker.unref();
    this.loadMs = await new Promise<number>((resolve, reject) => {
      this.worker!.once('error', reject);
      this.worker!.once('message', (m: { loaded: number }) => resolve(m.loaded));
    });
  }

  async invoke(event: Record<string, unknown>, budgetMs = 8_000): Promise<EndpointOutcome> {
    const worker = this.worker!;
    return new Promise<EndpointOutcome>((resolve, reject) => {
      const onError = (e: Error) => reject(e);
      worker.once('error', onError);
      worker.once('message', (outcome: EndpointOutcome) => {
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
