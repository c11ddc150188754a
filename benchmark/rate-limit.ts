/**
 * Many Flows in one stack against Meta's rate limit (issue 22): 100 Flows created, updated (new JSON, published
 * again) and deleted at once, as CloudFormation runs custom resources in parallel, by the shipped handler in 100 warm
 * sandboxes with its production back-off, against the local double with a token bucket shared by every caller.
 *
 *   npx ts-node --project tsconfig.dev.json benchmark/rate-limit.ts
 *
 * To measure an older handler ("before"), bundle its src/provider/on-event.lambda.ts with esbuild and point
 * WIRE_HANDLER_ASSET at the file: the driver then runs it as a synchronous provider, without the waiter.
 *
 * The floor of an operation is its minimum Flow API calls ÷ the rate (one call per Flow for create and delete,
 * two for the update). The harsh scenario scales time down 15x (a 20 s invocation instead of 300 s, the waiter
 * polling every second instead of 10 s) at a limit under which the work needs several invocations: it must end
 * with no failure, no orphan and no duplicate.
 */
import { FlowCategory } from '../src';
import { SocialMessagingDouble, startSocialMessagingDouble } from '../test/wire/double';
import { activeFlows, DeclaredFlow, DeployResult, FlowStack, flowJson, HandlerFunction, Invocation, synthesizeFlows } from '../test/wire/driver';

const FLOWS = 100;

/**
 * For experiments only: `--throttle '{"maxDelayMs":15000}'` overrides the shipped back-off, `--only <scenario index>`
 * runs one scenario.
 */
const arg = (name: string) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : undefined; };
const THROTTLE = arg('--throttle') ? JSON.parse(arg('--throttle')!) : undefined;
const ONLY = arg('--only') !== undefined ? Number(arg('--only')) : undefined;
const TIMELINE = process.argv.includes('--timeline');

interface Scenario {
  readonly name: string;
  readonly ratePerSecond: number;
  readonly burst: number;
  /** The Lambda budget of each invocation. */
  readonly budgetMs: number;
  readonly queryIntervalMs: number;
  readonly operations: Array<'create' | 'update' | 'delete'>;
}

const SCENARIOS: Scenario[] = [
  { name: '10 calls/s, burst 20', ratePerSecond: 10, burst: 20, budgetMs: 300_000, queryIntervalMs: 10_000, operations: ['create', 'update', 'delete'] },
  { name: 'harsh: 2 calls/s, burst 5, 20 s invocations (time scaled 15x)', ratePerSecond: 2, burst: 5, budgetMs: 20_000, queryIntervalMs: 1_000, operations: ['create', 'delete'] },
];

const MIN_CALLS = { create: 1, update: 2, delete: 1 } as const;

interface Row {
  readonly scenario: string;
  readonly operation: string;
  readonly minCalls: number;
  readonly calls: number;
  readonly throttled: number;
  readonly wallMs: number;
  readonly floorMs: number;
  readonly failures: number;
  readonly waits: number;
  readonly problems: string[];
  /** Served calls ÷ the tokens the bucket offered over the wall time. */
  readonly bucketUsed: number;
}

function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((row) => row.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((row) => row[i].length)));
  const line = (row: string[]) => `| ${row.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
  return [line(headers), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.slice(1).map(line)].join('\n');
}

/** The same declaration under FLOWS names: one synth, renamed (each Flow's name is its own). */
function manyFlows(flow: DeclaredFlow): DeclaredFlow[] {
  return Array.from({ length: FLOWS }, (_, i) => {
    const flowName = `${flow.variant.flowName}-${String(i).padStart(3, '0')}`;
    return { ...flow, name: `${flow.name}-${i}`, variant: { ...flow.variant, flowName }, properties: { ...flow.properties, FlowName: flowName } };
  });
}

const flowCalls = (double: SocialMessagingDouble) =>
  double.calls.all().filter((c) => !['GetObject', 'DescribeStacks', 'DownloadFlowAsset'].includes(c.operation));

async function measure(double: SocialMessagingDouble, scenario: Scenario, operation: Row['operation'], minCalls: number,
  run: () => Promise<Array<DeployResult | Invocation | undefined>>): Promise<Row> {
  double.calls.clear();
  double.rateLimit.set({ ratePerSecond: scenario.ratePerSecond, burst: scenario.burst });
  const started = Date.now();
  const results = await run();
  const wallMs = Date.now() - started;
  const calls = flowCalls(double);
  if (TIMELINE) {
    const slots = Math.ceil(wallMs / 2000);
    const line = (pick: (c: { error?: string }) => boolean) => Array.from({ length: slots }, (_, i) =>
      calls.filter((c) => pick(c) && Math.floor((c.at - started) / 2000) === i).length).join(' ');
    console.error(`  ${operation} served per 2 s:    ${line((c) => c.error !== 'ThrottledRequestException')}`);
    console.error(`  ${operation} throttled per 2 s: ${line((c) => c.error === 'ThrottledRequestException')}`);
    const byOperation: Record<string, number> = {};
    for (const c of calls) byOperation[`${c.operation}${c.error ? `:${c.error}` : ''}`] = (byOperation[`${c.operation}${c.error ? `:${c.error}` : ''}`] ?? 0) + 1;
    console.error(`  ${operation} calls: ${JSON.stringify(byOperation)}`);
  }
  const invocations = results.flatMap((r) => (r && 'invocations' in r ? r.invocations : r ? [r] : []));
  const failed = results.filter((r) => !r || !r.ok);
  const problems = [...new Set(failed.flatMap((r) => (r && 'invocations' in r ? r.invocations : r ? [r] : []).map((i) => i.error ?? '')))]
    .filter(Boolean).slice(0, 3);
  return {
    scenario: scenario.name,
    operation,
    minCalls,
    calls: calls.length,
    throttled: calls.filter((c) => c.error === 'ThrottledRequestException').length,
    wallMs,
    floorMs: (minCalls / scenario.ratePerSecond) * 1000,
    failures: failed.length,
    waits: invocations.reduce((n, i) => n + (i.waits ?? 0), 0),
    problems,
    bucketUsed: (calls.length - calls.filter((c) => c.error === 'ThrottledRequestException').length)
      / (scenario.burst + (scenario.ratePerSecond * wallMs) / 1000),
  };
}

/** Lifecycle checks: every Flow exactly once, owned by its resource, as declared (or gone after the delete). */
function ownership(double: SocialMessagingDouble, stacks: FlowStack[], expectLive: boolean): string[] {
  const live = activeFlows(double);
  const owned = new Set(stacks.map((s) => s.current?.physicalId));
  const problems: string[] = [];
  const orphans = live.filter((f) => !owned.has(f.flowId));
  if (orphans.length) problems.push(`${orphans.length} orphan Flow(s)`);
  const names = live.map((f) => f.name);
  if (new Set(names).size !== names.length) problems.push('duplicate Flow names');
  if (expectLive && live.length !== FLOWS) problems.push(`${live.length} live Flows, declared ${FLOWS}`);
  if (!expectLive && live.length) problems.push(`${live.length} Flows left after the delete`);
  return problems;
}

async function runScenario(scenario: Scenario, v1: DeclaredFlow[], v2: DeclaredFlow[]): Promise<Row[]> {
  const double = await startSocialMessagingDouble();
  const handler = new HandlerFunction(double.endpoint, { productionTimings: true, throttle: THROTTLE });
  const rows: Row[] = [];
  try {
    const stacks = v1.map((_, i) => new FlowStack(double, handler, {
      budgetMs: scenario.budgetMs, logicalId: `Flow${i}`, queryIntervalMs: scenario.queryIntervalMs,
    }));
    // 100 warm sandboxes, their SDK clients made: a Delete of a Flow Meta does not know is one call, refused, and a success.
    await Promise.all(stacks.map((s, i) => s.delivery.invoke(s.delivery.deleteEvent(`Flow${i}`, `warm-${i}`, v1[i]))));
    for (const operation of scenario.operations) {
      let row: Row;
      if (operation === 'create') {
        row = await measure(double, scenario, 'create', FLOWS * MIN_CALLS.create, () => Promise.all(stacks.map((s, i) => s.deploy(v1[i]))));
        row.problems.push(...ownership(double, stacks, true));
      } else if (operation === 'update') {
        row = await measure(double, scenario, 'new JSON + republish', FLOWS * MIN_CALLS.update, () => Promise.all(stacks.map((s, i) => s.deploy(v2[i]))));
        row.problems.push(...ownership(double, stacks, true));
      } else {
        row = await measure(double, scenario, 'delete (deprecate)', FLOWS * MIN_CALLS.delete, () => Promise.all(stacks.map((s) => s.destroy())));
        row.problems.push(...ownership(double, stacks, false));
      }
      rows.push(row);
      console.error(`  ${scenario.name} / ${row.operation}: ${(row.wallMs / 1000).toFixed(1)} s`);
      // The next operation starts with a full bucket, as after a quiet spell.
      double.rateLimit.set(undefined);
    }
  } finally {
    await handler.close();
    await double.stop();
  }
  return rows;
}

async function main(): Promise<void> {
  const base = { flowName: 'many', categories: [FlowCategory.OTHER], publish: true };
  const declared = synthesizeFlows({ v1: { ...base, json: flowJson('v1') }, v2: { ...base, json: flowJson('v2') } });
  const v1 = manyFlows(declared.v1);
  const v2 = manyFlows(declared.v2);
  const rows: Row[] = [];
  for (const scenario of SCENARIOS.filter((_, i) => ONLY === undefined || i === ONLY)) rows.push(...await runScenario(scenario, v1, v2));

  const ratio = (a: number, b: number) => (b === 0 ? '-' : (a / b).toFixed(2));
  console.log(`${FLOWS} published Flows in one stack, all at once, against a token bucket shared by every caller`);
  console.log('');
  console.log(table(
    ['limit', 'operation', 'min calls', 'calls made', 'throttled', 'throttled per served', 'wall', 'wall ÷ floor', 'bucket used', 'isComplete waits', 'failures', 'problems'],
    rows.map((r) => [r.scenario, r.operation, r.minCalls, r.calls, r.throttled, ratio(r.throttled, r.calls - r.throttled),
      `${(r.wallMs / 1000).toFixed(1)} s`, ratio(r.wallMs, r.floorMs), `${Math.round(r.bucketUsed * 100)}%`, r.waits, r.failures,
      r.problems.join('; ') || 'none'])));
  const normal = rows.filter((r) => r.scenario === SCENARIOS[0].name);
  const harsh = rows.filter((r) => r.scenario !== SCENARIOS[0].name);
  const target = (r: Row) => (r.operation === 'create' ? 1.5 : 2);
  console.log('');
  console.log(table(['target', 'met'], [
    ['10 calls/s: <= 1 throttled call per served call, 0 failures',
      String(normal.every((r) => r.throttled <= r.calls - r.throttled && r.failures === 0) ? 'yes' : 'NO')],
    ['10 calls/s: create <= 1.5x, update and delete <= 2x the floor', String(normal.every((r) => r.wallMs <= target(r) * r.floorMs) ? 'yes' : 'NO')],
    ['harsh: 0 failures, no orphan, no duplicate', String(harsh.every((r) => r.failures === 0 && r.problems.length === 0) ? 'yes' : 'NO')],
  ]));
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
