/** The endpoint function exactly as it ships (assets/endpoint/runtime/endpoint.lambda/index.js), in one sandbox. */
import * as path from 'path';
import { ensureBundle, FunctionSandbox, Outcome, ROOT } from '../../support/function-sandbox';

export const ENDPOINT_ASSET = path.join(ROOT, 'assets/endpoint/runtime/endpoint.lambda/index.js');

/** Builds the asset with its projen bundle task when it is missing or older than its sources. */
export function ensureEndpointBundle(): void {
  ensureBundle(ENDPOINT_ASSET, [path.join(ROOT, 'src/endpoint'), path.join(ROOT, 'src/endpoint/runtime')], 'bundle:endpoint/runtime/endpoint.lambda');
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

/** What the Function URL sends back to Meta. */
export interface HttpResult {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export type EndpointOutcome = Outcome<HttpResult>;

/** The shipped endpoint function, pointed at the stand-in through the SDK's service endpoint variables. */
export class EndpointSandbox extends FunctionSandbox<Record<string, unknown>, HttpResult> {
  constructor(endpoint: string, env: Record<string, string>) {
    ensureEndpointBundle();
    super({
      asset: ENDPOINT_ASSET,
      functionName: 'WireStack-EndpointFunction',
      env: {
        AWS_ENDPOINT_URL_KMS: endpoint,
        AWS_ENDPOINT_URL_LAMBDA: endpoint,
        AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoint,
        ...env,
      },
    });
  }

  invoke(event: Record<string, unknown>, budgetMs = 8_000): Promise<EndpointOutcome> {
    return super.invoke(event, budgetMs);
  }
}
