import { GetObjectCommand, NoSuchKey, S3Client } from '@aws-sdk/client-s3';
import {
  AccessDeniedByMetaException,
  AccessDeniedException,
  CreateWhatsAppFlowCommand,
  CreateWhatsAppFlowCommandInput,
  DeleteWhatsAppFlowCommand,
  DependencyException,
  DeprecateWhatsAppFlowCommand,
  GetWhatsAppFlowCommand,
  GetWhatsAppFlowPreviewCommand,
  InternalServiceException,
  InvalidParametersException,
  LimitExceededException,
  ListWhatsAppFlowAssetsCommand,
  ListWhatsAppFlowsCommand,
  paginateListWhatsAppFlows,
  PublishWhatsAppFlowCommand,
  ResourceNotFoundException,
  SocialMessagingClient,
  SocialMessagingServiceException,
  ThrottledRequestException,
  UpdateWhatsAppFlowAssetsCommand,
  UpdateWhatsAppFlowCommand,
  ValidationException,
} from '@aws-sdk/client-socialmessaging';
import { mulberry32, ServiceErrorName, SocialMessagingDouble, startSocialMessagingDouble } from './double';

const WABA = 'waba-0123456789abcdef0123456789abcdef';
const OTHER_WABA = 'waba-fedcba9876543210fedcba9876543210';
// Non-ASCII on purpose: the blob must survive base64 both ways byte for byte.
const VALID_JSON = JSON.stringify({ version: '7.3', screens: [{ id: 'WELCOME', title: 'Olá 🌍', layout: { type: 'SingleColumnLayout', children: [] } }] });
const INVALID_JSON = JSON.stringify({ screens: [] });

let double: SocialMessagingDouble;
let client: SocialMessagingClient;
let s3: S3Client;

beforeAll(async () => {
  double = await startSocialMessagingDouble();
  client = new SocialMessagingClient(double.clientConfig);
  s3 = new S3Client(double.clientConfig);
});

afterAll(async () => {
  client.destroy();
  s3.destroy();
  await double.stop();
});

beforeEach(() => double.reset());

function create(overrides: Partial<CreateWhatsAppFlowCommandInput> = {}) {
  return client.send(new CreateWhatsAppFlowCommand({
    id: WABA, flowName: 'welcome', categories: ['OTHER'], flowJson: Buffer.from(VALID_JSON), ...overrides,
  }));
}

async function status(flowId: string) {
  return (await client.send(new GetWhatsAppFlowCommand({ id: WABA, flowId }))).flowStatus;
}

/** Resolve to the thrown error (fails the test if the call succeeds). */
async function failure(p: Promise<unknown>): Promise<SocialMessagingServiceException> {
  try {
    await p;
  } catch (e) {
    return e as SocialMessagingServiceException;
  }
  throw new Error('expected the call to fail');
}

describe('the ten flow operations round-trip through the real SDK', () => {
  test('create, get, update, update assets, publish, deprecate', async () => {
    const created = await create({ categories: ['SIGN_UP', 'LEAD_GENERATION'] });
    expect(created.flowId).toBe('1000000000000001');
    expect(created.validationErrors).toEqual([]);
    expect(double.state.find(created.flowId!)!.json!.equals(Buffer.from(VALID_JSON))).toBe(true);

    const got = await client.send(new GetWhatsAppFlowCommand({ id: WABA, flowId: created.flowId }));
    expect(got).toMatchObject({
      flowId: created.flowId,
      flowName: 'welcome',
      flowStatus: 'DRAFT',
      categories: ['SIGN_UP', 'LEAD_GENERATION'],
      validationErrors: [],
      jsonVersion: '7.3',
    });
    expect(got.preview?.previewUrl).toContain(created.flowId);
    expect(Date.parse(got.preview!.expiresAt!)).toBeGreaterThan(Date.now());

    await client.send(new UpdateWhatsAppFlowCommand({ id: WABA, flowId: created.flowId, flowName: 'hello', categories: ['SURVEY'] }));
    const json2 = VALID_JSON.replace('7.3', '7.2');
    const assets = await client.send(new UpdateWhatsAppFlowAssetsCommand({ id: WABA, flowId: created.flowId, flowJson: Buffer.from(json2) }));
    expect(assets.validationErrors).toEqual([]);
    expect(double.state.find(created.flowId!)!.json!.toString('utf8')).toBe(json2);

    await client.send(new PublishWhatsAppFlowCommand({ id: WABA, flowId: created.flowId }));
    await client.send(new DeprecateWhatsAppFlowCommand({ id: WABA, flowId: created.flowId }));
    expect(await client.send(new GetWhatsAppFlowCommand({ id: WABA, flowId: created.flowId }))).toMatchObject({
      flowName: 'hello', flowStatus: 'DEPRECATED', categories: ['SURVEY'], jsonVersion: '7.2',
    });
  });

  test('preview, list, assets (download URL serves the JSON), delete', async () => {
    const { flowId } = await create();
    const p1 = await client.send(new GetWhatsAppFlowPreviewCommand({ id: WABA, flowId }));
    const p2 = await client.send(new GetWhatsAppFlowPreviewCommand({ id: WABA, flowId, invalidate: true }));
    expect(p1.flowId).toBe(flowId);
    expect(p2.preview!.previewUrl).not.toBe(p1.preview!.previewUrl);

    const list = await client.send(new ListWhatsAppFlowsCommand({ id: WABA }));
    expect(list.flows).toEqual([{ flowId, flowName: 'welcome', flowStatus: 'DRAFT', flowCategories: ['OTHER'], validationErrors: [] }]);
    expect(list.nextToken).toBeUndefined();

    const { flowAssets } = await client.send(new ListWhatsAppFlowAssetsCommand({ id: WABA, flowId }));
    expect(flowAssets).toHaveLength(1);
    expect(flowAssets![0]).toMatchObject({ name: 'flow.json', assetType: 'FLOW_JSON' });
    const download = await fetch(flowAssets![0].downloadUrl!);
    expect(await download.text()).toBe(VALID_JSON);

    await client.send(new DeleteWhatsAppFlowCommand({ id: WABA, flowId }));
    expect(double.state.live()).toHaveLength(0);
    expect(double.state.all()).toEqual([expect.objectContaining({ flowId, deleted: true })]);
    expect((await fetch(flowAssets![0].downloadUrl!)).status).toBe(404);
  });

  test('S3 GetObject serves what the test put, path style; a missing key is NoSuchKey', async () => {
    double.s3.put('asset-bucket', 'flows/abc123.json', VALID_JSON);
    const obj = await s3.send(new GetObjectCommand({ Bucket: 'asset-bucket', Key: 'flows/abc123.json' }));
    expect(await obj.Body!.transformToString('utf8')).toBe(VALID_JSON);
    const err = await failure(s3.send(new GetObjectCommand({ Bucket: 'asset-bucket', Key: 'flows/missing.json' })));
    expect(err).toBeInstanceOf(NoSuchKey);
    double.faults.script('GetObject', ['InternalServiceException']);
    const slow = await failure(s3.send(new GetObjectCommand({ Bucket: 'asset-bucket', Key: 'flows/abc123.json' })));
    expect(slow.name).toBe('SlowDown');
    expect(slow.$metadata.httpStatusCode).toBe(503);
    expect(double.calls.count('GetObject')).toBe(3);
  });
});

describe('clients configured only through AWS_ENDPOINT_URL_* reach the double', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  test('socialmessaging and S3 (an IP endpoint makes S3 path style without forcePathStyle)', async () => {
    process.env.AWS_ENDPOINT_URL_SOCIALMESSAGING = double.endpoint;
    process.env.AWS_ENDPOINT_URL_S3 = double.endpoint;
    const creds = double.clientConfig.credentials;
    const envClient = new SocialMessagingClient({ region: 'us-east-1', credentials: creds, maxAttempts: 1 });
    const envS3 = new S3Client({ region: 'us-east-1', credentials: creds, maxAttempts: 1 });
    try {
      double.s3.put('asset-bucket', 'k.json', VALID_JSON);
      const obj = await envS3.send(new GetObjectCommand({ Bucket: 'asset-bucket', Key: 'k.json' }));
      expect(await obj.Body!.transformToString()).toBe(VALID_JSON);
      expect((await envClient.send(new ListWhatsAppFlowsCommand({ id: WABA }))).flows).toEqual([]);
    } finally {
      envClient.destroy();
      envS3.destroy();
    }
  });
});

describe('errors arrive as the SDK typed exceptions', () => {
  const cases: Array<[ServiceErrorName, new (...args: any[]) => Error, number]> = [
    ['ValidationException', ValidationException, 400],
    ['InvalidParametersException', InvalidParametersException, 400],
    ['LimitExceededException', LimitExceededException, 400],
    ['AccessDeniedException', AccessDeniedException, 403],
    ['AccessDeniedByMetaException', AccessDeniedByMetaException, 403],
    ['ResourceNotFoundException', ResourceNotFoundException, 404],
    ['ThrottledRequestException', ThrottledRequestException, 429],
    ['InternalServiceException', InternalServiceException, 500],
    ['DependencyException', DependencyException, 502],
  ];
  test.each(cases)('%s', async (name, type, httpStatus) => {
    double.faults.always('GetWhatsAppFlow', { error: name, message: `boom ${name}` });
    const err = await failure(client.send(new GetWhatsAppFlowCommand({ id: WABA, flowId: '1' })));
    expect(err).toBeInstanceOf(type);
    expect(err).toBeInstanceOf(SocialMessagingServiceException);
    expect(err.name).toBe(name);
    expect(err.message).toBe(`boom ${name}`);
    expect(err.$metadata.httpStatusCode).toBe(httpStatus);
    expect(err.$fault).toBe(httpStatus >= 500 ? 'server' : 'client');
  });

  test('unknown flow is ResourceNotFoundException; a missing required member is ValidationException', async () => {
    expect(await failure(status('1000000000000999'))).toBeInstanceOf(ResourceNotFoundException);
    const { flowId } = await create();
    // Flows are scoped to their WABA.
    expect(await failure(client.send(new GetWhatsAppFlowCommand({ id: OTHER_WABA, flowId })))).toBeInstanceOf(ResourceNotFoundException);
    const err = await failure(client.send(new CreateWhatsAppFlowCommand({ id: WABA, flowName: 'x' } as any)));
    expect(err).toBeInstanceOf(ValidationException);
    expect(err.message).toContain("'categories'");
    expect(await failure(create({ flowName: 'y', categories: ['NOPE' as any] }))).toBeInstanceOf(ValidationException);
  });
});

describe('state machine', () => {
  test('create with publish: valid JSON is PUBLISHED, invalid JSON stays DRAFT with validation errors', async () => {
    const ok = await create({ publish: true });
    expect(await status(ok.flowId!)).toBe('PUBLISHED');

    const bad = await create({ flowName: 'bad', flowJson: Buffer.from(INVALID_JSON), publish: true });
    expect(bad.validationErrors).toEqual([
      "MISSING_REQUIRED_PROPERTY: The property 'version' is required.",
      "MISSING_REQUIRED_PROPERTY: The property 'screens' must be a non-empty array.",
    ]);
    expect(await status(bad.flowId!)).toBe('DRAFT');

    const notJson = await create({ flowName: 'not-json', flowJson: Buffer.from('{oops') });
    expect(notJson.validationErrors![0]).toMatch(/^INVALID_JSON/);

    const empty = await create({ flowName: 'empty', flowJson: undefined, publish: true });
    expect(empty.validationErrors).toEqual([]);
    expect(await status(empty.flowId!)).toBe('DRAFT');
  });

  test('publish only from DRAFT with valid JSON', async () => {
    const bad = await create({ flowJson: Buffer.from(INVALID_JSON) });
    const err = await failure(client.send(new PublishWhatsAppFlowCommand({ id: WABA, flowId: bad.flowId })));
    expect(err).toBeInstanceOf(ValidationException);
    expect(err.message).toContain('validation errors');
    expect(await status(bad.flowId!)).toBe('DRAFT');

    const noJson = await create({ flowName: 'no-json', flowJson: undefined });
    expect(await failure(client.send(new PublishWhatsAppFlowCommand({ id: WABA, flowId: noJson.flowId })))).toBeInstanceOf(ValidationException);

    const ok = await create({ flowName: 'ok', publish: true });
    expect(await failure(client.send(new PublishWhatsAppFlowCommand({ id: WABA, flowId: ok.flowId })))).toBeInstanceOf(ValidationException);
  });

  test('deprecate only PUBLISHED, delete only DRAFT, DEPRECATED rejects updates', async () => {
    const { flowId } = await create();
    expect(await failure(client.send(new DeprecateWhatsAppFlowCommand({ id: WABA, flowId })))).toBeInstanceOf(ValidationException);
    await client.send(new PublishWhatsAppFlowCommand({ id: WABA, flowId }));
    expect(await failure(client.send(new DeleteWhatsAppFlowCommand({ id: WABA, flowId })))).toBeInstanceOf(ValidationException);
    await client.send(new DeprecateWhatsAppFlowCommand({ id: WABA, flowId }));
    expect(await failure(client.send(new DeleteWhatsAppFlowCommand({ id: WABA, flowId })))).toBeInstanceOf(ValidationException);
    expect(await failure(client.send(new UpdateWhatsAppFlowCommand({ id: WABA, flowId, flowName: 'z' })))).toBeInstanceOf(ValidationException);
    expect(await failure(client.send(new UpdateWhatsAppFlowAssetsCommand({ id: WABA, flowId, flowJson: Buffer.from(VALID_JSON) }))))
      .toBeInstanceOf(ValidationException);
    expect(await status(flowId!)).toBe('DEPRECATED');
    // Deleted flows are gone for every operation.
    const draft = await create({ flowName: 'draft' });
    await client.send(new DeleteWhatsAppFlowCommand({ id: WABA, flowId: draft.flowId }));
    expect(await failure(client.send(new DeleteWhatsAppFlowCommand({ id: WABA, flowId: draft.flowId })))).toBeInstanceOf(ResourceNotFoundException);
  });

  test('new assets on a PUBLISHED flow revert it to DRAFT', async () => {
    const { flowId } = await create({ publish: true });
    const res = await client.send(new UpdateWhatsAppFlowAssetsCommand({ id: WABA, flowId, flowJson: Buffer.from(INVALID_JSON) }));
    expect(res.validationErrors).toHaveLength(2);
    expect(await status(flowId!)).toBe('DRAFT');
  });

  test('names are unique per WABA among live flows', async () => {
    const first = await create();
    const err = await failure(create());
    expect(err).toBeInstanceOf(ValidationException);
    expect(err.message).toMatch(/name 'welcome' already exists/);
    await create({ id: OTHER_WABA });
    const second = await create({ flowName: 'second' });
    expect(await failure(client.send(new UpdateWhatsAppFlowCommand({ id: WABA, flowId: second.flowId, flowName: 'welcome' }))))
      .toBeInstanceOf(ValidationException);
    await client.send(new DeleteWhatsAppFlowCommand({ id: WABA, flowId: first.flowId }));
    await create();
    expect(double.state.live(WABA).map(f => f.name).sort()).toEqual(['second', 'welcome']);
  });

  test('clone copies the source JSON', async () => {
    const src = await create();
    const clone = await create({ flowName: 'clone', flowJson: undefined, cloneFlowId: src.flowId });
    expect(double.state.find(clone.flowId!)!.json!.toString('utf8')).toBe(VALID_JSON);
  });

  test('statuses Meta sets on its own can be forced; they block publish and delete', async () => {
    const { flowId } = await create();
    double.state.setStatus(flowId!, 'BLOCKED');
    expect(await status(flowId!)).toBe('BLOCKED');
    expect(await failure(client.send(new PublishWhatsAppFlowCommand({ id: WABA, flowId })))).toBeInstanceOf(ValidationException);
    double.state.setStatus(flowId!, 'THROTTLED');
    expect(await failure(client.send(new DeleteWhatsAppFlowCommand({ id: WABA, flowId })))).toBeInstanceOf(ValidationException);
  });

  test('a scripted validator: 100 long errors come back on a successful create', async () => {
    const long = 'E'.repeat(300);
    double.state.validator = () => Array.from({ length: 100 }, (_, i) => `${i}: ${long}`);
    const res = await create({ publish: true });
    expect(res.validationErrors).toHaveLength(100);
    expect(await status(res.flowId!)).toBe('DRAFT');
    double.reset();
    expect((await create()).validationErrors).toEqual([]);
  });

  test('unknown WABA ids are rejected when the double is told the known ones', async () => {
    const strict = await startSocialMessagingDouble({ knownWabaIds: [WABA] });
    const strictClient = new SocialMessagingClient(strict.clientConfig);
    try {
      expect(await failure(strictClient.send(new ListWhatsAppFlowsCommand({ id: OTHER_WABA })))).toBeInstanceOf(ResourceNotFoundException);
      expect((await strictClient.send(new ListWhatsAppFlowsCommand({ id: WABA }))).flows).toEqual([]);
    } finally {
      strictClient.destroy();
      await strict.stop();
    }
  });
});

describe('pagination', () => {
  test('default page size is 2; the SDK paginator walks every page', async () => {
    for (let i = 0; i < 5; i++) await create({ flowName: `f${i}` });
    await create({ id: OTHER_WABA, flowName: 'elsewhere' });

    const first = await client.send(new ListWhatsAppFlowsCommand({ id: WABA }));
    expect(first.flows!.map(f => f.flowName)).toEqual(['f0', 'f1']);
    expect(first.nextToken).toBeDefined();

    const names: string[] = [];
    let pages = 0;
    for await (const page of paginateListWhatsAppFlows({ client }, { id: WABA })) {
      pages++;
      names.push(...page.flows!.map(f => f.flowName!));
    }
    expect(pages).toBe(3);
    expect(names).toEqual(['f0', 'f1', 'f2', 'f3', 'f4']);

    const big = await client.send(new ListWhatsAppFlowsCommand({ id: WABA, maxResults: 10 }));
    expect(big.flows).toHaveLength(5);
    expect(big.nextToken).toBeUndefined();
    expect(await failure(client.send(new ListWhatsAppFlowsCommand({ id: WABA, nextToken: 'not-a-token' })))).toBeInstanceOf(InvalidParametersException);
  });

  test('a token survives deletion of the last flow it saw', async () => {
    for (let i = 0; i < 4; i++) await create({ flowName: `f${i}` });
    const first = await client.send(new ListWhatsAppFlowsCommand({ id: WABA }));
    await client.send(new DeleteWhatsAppFlowCommand({ id: WABA, flowId: first.flows![1].flowId }));
    const second = await client.send(new ListWhatsAppFlowsCommand({ id: WABA, nextToken: first.nextToken }));
    expect(second.flows!.map(f => f.flowName)).toEqual(['f2', 'f3']);
  });
});

describe('faults and the call log', () => {
  test('scripted faults fail the next calls, then calls behave; faulted calls change nothing', async () => {
    double.faults.script('CreateWhatsAppFlow', ['ThrottledRequestException', 'ThrottledRequestException']);
    expect(await failure(create())).toBeInstanceOf(ThrottledRequestException);
    expect(await failure(create())).toBeInstanceOf(ThrottledRequestException);
    expect(double.state.all()).toHaveLength(0);
    expect(double.faults.pending('CreateWhatsAppFlow')).toBe(0);
    const { flowId } = await create();
    expect(flowId).toBe('1000000000000001');

    expect(double.calls.count('CreateWhatsAppFlow')).toBe(3);
    expect(double.calls.all('CreateWhatsAppFlow').map(c => c.fault)).toEqual(['before-apply', 'before-apply', undefined]);
    expect(double.calls.all('CreateWhatsAppFlow')[2]).toMatchObject({ flowId, wabaId: WABA, status: 200, mutating: true });
  });

  test('"always" fails every call of one operation only', async () => {
    double.faults.always('PublishWhatsAppFlow', 'DependencyException');
    const { flowId } = await create();
    for (let i = 0; i < 3; i++) {
      expect(await failure(client.send(new PublishWhatsAppFlowCommand({ id: WABA, flowId })))).toBeInstanceOf(DependencyException);
    }
    expect(await status(flowId!)).toBe('DRAFT');
    double.faults.clear();
    await client.send(new PublishWhatsAppFlowCommand({ id: WABA, flowId }));
    expect(await status(flowId!)).toBe('PUBLISHED');
  });

  test('a fault after apply: the flow exists but the client saw a 500', async () => {
    double.faults.script('CreateWhatsAppFlow', [{ error: 'InternalServiceException', afterApply: true }]);
    const err = await failure(create());
    expect(err).toBeInstanceOf(InternalServiceException);
    expect(double.state.live()).toEqual([expect.objectContaining({ name: 'welcome', status: 'DRAFT' })]);
    expect(double.calls.all('CreateWhatsAppFlow')[0]).toMatchObject({ fault: 'after-apply', flowId: '1000000000000001', status: 500 });
    // A retry of the same create now meets the name clash; the caller must look the flow up instead.
    expect(await failure(create())).toBeInstanceOf(ValidationException);
  });

  test('seeded random faults repeat exactly for the same seed', async () => {
    async function run(seed: number): Promise<string[]> {
      double.reset();
      double.faults.randomly({ seed, rate: 0.4 });
      const outcomes: string[] = [];
      for (let i = 0; i < 30; i++) {
        try {
          await client.send(new ListWhatsAppFlowsCommand({ id: WABA }));
          outcomes.push('ok');
        } catch (e) {
          outcomes.push((e as Error).name);
        }
      }
      return outcomes;
    }
    const a = await run(42);
    const b = await run(42);
    const c = await run(7);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    const kinds = new Set(a);
    expect(kinds).toContain('ok');
    expect([...kinds].filter(k => k !== 'ok').every(k => ['ThrottledRequestException', 'InternalServiceException', 'DependencyException'].includes(k)))
      .toBe(true);
    expect(a.filter(k => k !== 'ok').length).toBeGreaterThan(3);
  });

  test('random faults can be limited to some operations', async () => {
    double.faults.randomly({ seed: 1, rate: 1, operations: ['PublishWhatsAppFlow'], errors: ['ThrottledRequestException'] });
    const { flowId } = await create();
    expect(await failure(client.send(new PublishWhatsAppFlowCommand({ id: WABA, flowId })))).toBeInstanceOf(ThrottledRequestException);
  });

  test('mulberry32 is deterministic', () => {
    const a = mulberry32(123);
    const b = mulberry32(123);
    const xs = Array.from({ length: 5 }, () => a());
    expect(xs).toEqual(Array.from({ length: 5 }, () => b()));
    expect(xs.every(x => x >= 0 && x < 1)).toBe(true);
  });

  test('the call log tells mutating calls from reads', async () => {
    const { flowId } = await create();
    await status(flowId!);
    await client.send(new ListWhatsAppFlowsCommand({ id: WABA }));
    await client.send(new PublishWhatsAppFlowCommand({ id: WABA, flowId }));
    expect(double.calls.counts()).toEqual({ CreateWhatsAppFlow: 1, GetWhatsAppFlow: 1, ListWhatsAppFlows: 1, PublishWhatsAppFlow: 1 });
    expect(double.calls.mutating().map(c => c.operation)).toEqual(['CreateWhatsAppFlow', 'PublishWhatsAppFlow']);
    expect(double.calls.reads().map(c => c.operation)).toEqual(['GetWhatsAppFlow', 'ListWhatsAppFlows']);
    const times = double.calls.all().map(c => c.at);
    expect([...times].sort((x, y) => x - y)).toEqual(times);
  });
});
