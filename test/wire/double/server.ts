import { randomUUID } from 'node:crypto';
import { IncomingMessage, ServerResponse } from 'node:http';
import { CallLog, MUTATING_OPERATIONS } from './calls';
import { ServiceError } from './errors';
import { Fault, Faults } from './faults';
import { blob, bool, defineRoute, Input, optInt, optStr, Route, str } from './input';
import { MEDIA_ROUTES, MediaStore } from './media';
import { PublicKeyStore } from './public-keys';
import { RateLimit } from './rate-limit';
import { ObjectStore, sendS3Error, serveObject } from './s3';
import { FlowRecord, FlowStore } from './state';
import { TEMPLATE_ROUTES, TemplateStore } from './templates';

/** Values of the SDK's MetaFlowCategory enum. */
const CATEGORIES = new Set([
  'APPOINTMENT_BOOKING', 'CONTACT_US', 'CUSTOMER_SUPPORT', 'LEAD_GENERATION', 'OTHER', 'SHOPPING', 'SIGN_IN', 'SIGN_UP', 'SURVEY',
]);

/** Where the flow JSON of ListWhatsAppFlowAssets' download URL is served (no S3 bucket name starts with `_`). */
export const ASSET_PATH_PREFIX = '/_double/flow-assets/';

export interface Context {
  readonly store: FlowStore;
  readonly endpoint: string;
  readonly keys: PublicKeyStore;
  readonly templates: TemplateStore;
  /** Media Meta holds for the phone numbers (GetWhatsAppMessageMedia). */
  readonly media: MediaStore;
}

/** The ten flow operations, with the HTTP bindings of @aws-sdk/client-socialmessaging (dist-cjs/schemas). */
const ROUTES: Route[] = [
  defineRoute('CreateWhatsAppFlow', 'POST /v1/whatsapp/flow/create', ['id', 'flowName', 'categories'], (i, { store }) =>
    store.create({
      wabaId: str(i, 'id'),
      name: str(i, 'flowName'),
      categories: categories(i, true)!,
      json: blob(i, 'flowJson'),
      publish: bool(i, 'publish'),
      cloneFlowId: optStr(i, 'cloneFlowId'),
      endpointUri: optStr(i, 'endpointUri'),
    })),

  defineRoute('UpdateWhatsAppFlow', 'POST /v1/whatsapp/flow/update', ['id', 'flowId'], (i, { store }) => {
    store.update(str(i, 'id'), str(i, 'flowId'), {
      name: optStr(i, 'flowName'), categories: categories(i, false), endpointUri: optStr(i, 'endpointUri'), metaAppId: optStr(i, 'metaAppId'),
    });
    return {};
  }),

  defineRoute('UpdateWhatsAppFlowAssets', 'POST /v1/whatsapp/flow/assets/update', ['id', 'flowId', 'flowJson'], (i, { store }) =>
    ({ validationErrors: store.updateAssets(str(i, 'id'), str(i, 'flowId'), blob(i, 'flowJson')!) })),

  defineRoute('PublishWhatsAppFlow', 'POST /v1/whatsapp/flow/publish', ['id', 'flowId'], (i, { store }) => {
    store.publish(str(i, 'id'), str(i, 'flowId'));
    return {};
  }),

  defineRoute('DeprecateWhatsAppFlow', 'POST /v1/whatsapp/flow/deprecate', ['id', 'flowId'], (i, { store }) => {
    store.deprecate(str(i, 'id'), str(i, 'flowId'));
    return {};
  }),

  defineRoute('DeleteWhatsAppFlow', 'DELETE /v1/whatsapp/flow', ['id', 'flowId'], (i, { store }) => {
    store.delete(str(i, 'id'), str(i, 'flowId'));
    return {};
  }),

  defineRoute('GetWhatsAppFlow', 'GET /v1/whatsapp/flow', ['id', 'flowId'], (i, { store }) => {
    const flow = store.get(str(i, 'id'), str(i, 'flowId'));
    return {
      flowId: flow.flowId,
      flowName: flow.name,
      flowStatus: flow.status,
      categories: flow.categories,
      validationErrors: flow.validationErrors,
      jsonVersion: jsonVersion(flow),
      endpointUri: flow.endpointUri,
      application: flow.metaAppId ? { id: flow.metaAppId, name: `app ${flow.metaAppId}`, link: '' } : undefined,
      preview: preview(flow),
    };
  }),

  defineRoute('GetWhatsAppFlowPreview', 'GET /v1/whatsapp/flow/preview', ['id', 'flowId'], (i, { store }) => {
    const flow = store.get(str(i, 'id'), str(i, 'flowId'));
    // Booleans in @httpQuery arrive as the strings "true"/"false".
    if (i.invalidate === 'true') flow.previewGeneration++;
    return { flowId: flow.flowId, preview: preview(flow) };
  }),

  defineRoute('ListWhatsAppFlows', 'GET /v1/whatsapp/flow/list', ['id'], (i, { store }) => {
    const page = store.list(str(i, 'id'), optStr(i, 'nextToken'), optInt(i, 'maxResults'));
    return {
      flows: page.flows.map(f => ({
        flowId: f.flowId,
        flowName: f.name,
        flowStatus: f.status,
        flowCategories: f.categories, // `flowCategories` here, `categories` in GetWhatsAppFlow
        validationErrors: f.validationErrors,
      })),
      nextToken: page.nextToken,
    };
  }),

  // Business public keys per phone number (PutWhatsAppBusinessPublicKey, GetWhatsAppBusinessPublicKey).
  defineRoute('PutWhatsAppBusinessPublicKey', 'PUT /v1/whatsapp/business-public-key', ['originationPhoneNumberId'], (i, { keys }) => {
    keys.put(str(i, 'originationPhoneNumberId'), { businessPublicKey: optStr(i, 'businessPublicKey'), kmsKeyArn: optStr(i, 'kmsKeyArn') });
    return {};
  }),

  defineRoute('GetWhatsAppBusinessPublicKey', 'GET /v1/whatsapp/business-public-key', ['originationPhoneNumberId'], (i, { keys }) =>
    keys.get(str(i, 'originationPhoneNumberId'))),

  defineRoute('ListWhatsAppFlowAssets', 'GET /v1/whatsapp/flow/assets', ['id', 'flowId'], (i, { store, endpoint }) => {
    const flow = store.get(str(i, 'id'), str(i, 'flowId'));
    const assets = flow.json === undefined ? [] : [{
      name: 'flow.json',
      assetType: 'FLOW_JSON',
      downloadUrl: `${endpoint}${ASSET_PATH_PREFIX}${flow.flowId}/flow.json`,
    }];
    return { flowAssets: assets };
  }),

  // Message templates (templates.ts).
  ...TEMPLATE_ROUTES,

  // Received media (media.ts).
  ...MEDIA_ROUTES,
];

export interface HandlerDeps extends Context {
  readonly faults: Faults;
  readonly calls: CallLog;
  readonly objects: ObjectStore;
  /** CloudFormation's view: each stack id's StackStatus, as DescribeStacks reports it. */
  readonly stacks: Map<string, string>;
  /** Meta's rate limit on the social-messaging operations. */
  readonly rateLimit?: RateLimit;
}

/** One HTTP exchange: route, check, inject faults, apply, answer, log. */
export async function handle(req: IncomingMessage, res: ServerResponse, deps: HandlerDeps): Promise<void> {
  const at = Date.now();
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const raw = await readBody(req);

  if (url.pathname.startsWith(ASSET_PATH_PREFIX)) {
    const flowId = url.pathname.slice(ASSET_PATH_PREFIX.length).split('/')[0];
    const flow = deps.store.find(flowId);
    const json = flow && !flow.deleted ? flow.json : undefined;
    res.writeHead(json ? 200 : 404, { 'content-type': 'application/json' });
    res.end(json ?? '{"message":"asset not found"}');
    deps.calls.record({ operation: 'DownloadFlowAsset', flowId, at, status: json ? 200 : 404, mutating: false });
    return;
  }

  if (req.method === 'POST' && url.pathname === '/' && raw.toString('utf8').startsWith('Action=')) {
    describeStacks(res, new URLSearchParams(raw.toString('utf8')), deps);
    return;
  }

  const route = ROUTES.find(r => r.method === req.method && r.path === url.pathname);
  if (!route) {
    if (url.pathname.startsWith('/v1/')) {
      sendJson(res, 404, { message: `No operation at ${req.method} ${url.pathname}` }, 'UnknownOperationException');
      return;
    }
    const fault = deps.faults.take('GetObject');
    const status = fault
      ? sendS3Error(res, 503, 'SlowDown', `Injected fault on GetObject (${fault.error})`, '')
      : serveObject(req, res, url.pathname, deps.objects);
    deps.calls.record({ operation: 'GetObject', at, status, mutating: false, fault: fault ? 'before-apply' : undefined });
    return;
  }

  let input: Input = {};
  let flowId: string | undefined;
  let faultKind: 'before-apply' | 'after-apply' | 'hang' | undefined;
  let status: number;
  let error: string | undefined;
  try {
    input = parseInput(route, url, raw);
    flowId = typeof input.flowId === 'string' ? input.flowId : undefined;
    if (deps.rateLimit && !deps.rateLimit.take(route.operation)) {
      faultKind = 'before-apply';
      const retryAfter = deps.rateLimit.current?.retryAfterSeconds;
      if (retryAfter !== undefined) res.setHeader('retry-after', String(retryAfter));
      throw new ServiceError('ThrottledRequestException', `Rate limit exceeded on ${route.operation}`);
    }
    const fault = deps.faults.take(route.operation);
    if (fault?.hang) {
      // No answer at all: the client's request timeout ends the exchange (or the double's stop does).
      if (fault.afterApply) route.run(input, deps);
      deps.calls.record({
        operation: route.operation,
        wabaId: typeof input.id === 'string' ? input.id : undefined,
        flowId,
        at,
        status: 0,
        error: fault.error,
        fault: 'hang',
        mutating: MUTATING_OPERATIONS.has(route.operation),
      });
      return;
    }
    if (fault && !fault.afterApply) {
      faultKind = 'before-apply';
      throw injected(fault, route.operation);
    }
    const output = route.run(input, deps) as { flowId?: string };
    flowId = flowId ?? output.flowId;
    if (fault) {
      faultKind = 'after-apply';
      throw injected(fault, route.operation);
    }
    status = sendJson(res, 200, output);
  } catch (e) {
    const err = e instanceof ServiceError ? e : new ServiceError('InternalServiceException', `double bug: ${(e as Error).message}`);
    error = err.errorName;
    status = sendJson(res, err.status, { message: err.message }, err.errorName);
  }
  deps.calls.record({
    operation: route.operation,
    wabaId: typeof input.id === 'string' ? input.id : undefined,
    flowId,
    at,
    status,
    error,
    fault: faultKind,
    mutating: MUTATING_OPERATIONS.has(route.operation),
  });
}

/** CloudFormation's DescribeStacks (awsQuery: a form body in, XML out), enough for the handler's rollback check. */
function describeStacks(res: ServerResponse, form: URLSearchParams, deps: HandlerDeps): void {
  const at = Date.now();
  const stackId = form.get('StackName') ?? '';
  const status = deps.stacks.get(stackId);
  const fault = deps.faults.take('DescribeStacks');
  let body: string;
  let code = 200;
  if (form.get('Action') !== 'DescribeStacks' || fault || !status) {
    code = fault ? 500 : 400;
    const [type, message] = fault ? ['InternalFailure', 'Injected fault'] : ['ValidationError', `Stack with id ${stackId} does not exist`];
    body = `<ErrorResponse><Error><Type>Sender</Type><Code>${type}</Code><Message>${message}</Message></Error>`
      + `<RequestId>${randomUUID()}</RequestId></ErrorResponse>`;
  } else {
    body = '<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStacksResult><Stacks><member>'
      + `<StackId>${stackId}</StackId><StackName>${stackId.split('/')[1] ?? stackId}</StackName>`
      + `<CreationTime>2026-01-01T00:00:00Z</CreationTime><StackStatus>${status}</StackStatus>`
      + `</member></Stacks></DescribeStacksResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata>`
      + '</DescribeStacksResponse>';
  }
  res.writeHead(code, { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(body) });
  res.end(body);
  deps.calls.record({ operation: 'DescribeStacks', at, status: code, fault: fault ? 'before-apply' : undefined, mutating: false });
}

function parseInput(route: Route, url: URL, raw: Buffer): Input {
  let input: Input;
  if (route.from === 'query') {
    input = Object.fromEntries(url.searchParams.entries());
  } else {
    try {
      input = raw.length === 0 ? {} : JSON.parse(raw.toString('utf8'));
    } catch {
      throw new ServiceError('ValidationException', 'Request body is not valid JSON.');
    }
  }
  const missing = route.required.filter(name => input[name] === undefined || input[name] === null);
  if (missing.length > 0) {
    throw new ServiceError('ValidationException',
      `${missing.length} validation error(s) detected: ${missing.map(m => `Value null at '${m}' failed to satisfy constraint: Member must not be null`).join('; ')}`);
  }
  return input;
}

function injected(fault: Fault, operation: string): ServiceError {
  return new ServiceError(fault.error, fault.message ?? `Injected ${fault.error} on ${operation}`);
}

/** restJson1 error: status + `x-amzn-errortype` (the SDK maps it to the exception class) + `{"message"}`. */
function sendJson(res: ServerResponse, status: number, body: object, errorType?: string): number {
  const text = JSON.stringify(body);
  const headers: Record<string, string | number> = {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
  };
  if (errorType) headers['x-amzn-errortype'] = errorType;
  res.writeHead(status, headers);
  res.end(text);
  return status;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function preview(flow: FlowRecord): { previewUrl: string; expiresAt: string } {
  return {
    previewUrl: `https://business.facebook.com/wa/manage/flows/${flow.flowId}/preview/?token=double-${flow.previewGeneration}`,
    expiresAt: new Date(Date.now() + 30 * 24 * 3600 * 1000).toISOString(),
  };
}

function jsonVersion(flow: FlowRecord): string | undefined {
  try {
    const v = JSON.parse(flow.json?.toString('utf8') ?? 'null')?.version;
    return typeof v === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

function categories(i: Input, required: boolean): string[] | undefined {
  const v = i.categories;
  if (v === undefined && !required) return undefined;
  if (!Array.isArray(v) || v.length === 0) {
    throw new ServiceError('ValidationException', "'categories' must list at least one category.");
  }
  const bad = v.filter(c => typeof c !== 'string' || !CATEGORIES.has(c));
  if (bad.length > 0) {
    throw new ServiceError('ValidationException', `Unknown flow categories: ${bad.join(', ')}.`);
  }
  return v as string[];
}
