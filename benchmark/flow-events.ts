/**
 * What the events function costs: SNS records parsed and published per second by one invocation of the shipped
 * bundle (a batch of 100 mixed records, against the local EventBridge stand-in on 127.0.0.1), and how long Node
 * takes to load the bundle in a fresh process. It bundles the function first when the asset is missing or stale.
 *
 *   npx ts-node --project tsconfig.dev.json benchmark/flow-events.ts [invocations]
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as zlib from 'zlib';
import { median } from './lib/stacks';
import {
  AWS_EXPIRY_WARNING, AWS_FLOW_RESPONSE_VALUE, AWS_STATUS_CHANGE, DELIVERED_STATUS_VALUE, entry, envelope,
  META_STATUS_CHANGE_VALUE, metaFlowResponseValue, snsEvent, TEXT_MESSAGE_VALUE,
} from '../test/events/payloads';
import { EventBridgeStandIn } from '../test/events/wire/eventbridge';
import { ensureFlowEventsBundle, FLOW_EVENTS_ASSET, FlowEventsFunctionSandbox } from '../test/events/wire/sandbox';

const RECORDS = 100;
const INVOCATIONS = Number(process.argv[2] ?? '30');
const WARM_UP = 5;
const LOAD_RUNS = 9;

/** A batch as a busy WABA topic delivers it: mostly other WhatsApp events, with every kind of Flow event. */
function mixedBatch(): string[] {
  const kinds = [
    (i: number) => envelope(entry('messages', metaFlowResponseValue(`booking-${i}`))),
    () => envelope(entry('messages', AWS_FLOW_RESPONSE_VALUE)),
    (i: number) => envelope(entry('flows', { ...META_STATUS_CHANGE_VALUE, flow_id: `flow-${i}` })),
    () => envelope(AWS_STATUS_CHANGE),
    () => envelope(AWS_EXPIRY_WARNING),
    () => envelope(entry('messages', TEXT_MESSAGE_VALUE)),
    () => envelope(entry('messages', DELIVERED_STATUS_VALUE)),
    () => envelope(entry('messages', DELIVERED_STATUS_VALUE)),
  ];
  return Array.from({ length: RECORDS }, (_, i) => kinds[i % kinds.length](i));
}

/** Milliseconds to `require` the bundle in a fresh Node process, once per run. */
function moduleLoadTimes(runs: number): number[] {
  const script = 'const t = process.hrtime.bigint(); require(process.argv[1]); console.log(Number(process.hrtime.bigint() - t) / 1e6)';
  return Array.from({ length: runs }, () => {
    const child = spawnSync(process.execPath, ['-e', script, FLOW_EVENTS_ASSET], { encoding: 'utf-8' });
    if (child.status !== 0) throw new Error(`loading ${FLOW_EVENTS_ASSET} failed: ${child.stderr}`);
    return Number(child.stdout.trim());
  });
}

async function main(): Promise<void> {
  ensureFlowEventsBundle();
  const standIn = new EventBridgeStandIn();
  const fn = new FlowEventsFunctionSandbox(await standIn.start());
  await fn.start();
  const event = snsEvent(mixedBatch());
  const timings: number[] = [];
  let result: any;
  try {
    for (let i = 0; i < WARM_UP + INVOCATIONS; i++) {
      standIn.reset();
      const outcome = await fn.invoke(event);
      if (outcome.error) throw new Error(`the invocation failed: ${outcome.error}`);
      result = outcome.result;
      if (i >= WARM_UP) timings.push(outcome.ms);
    }
  } finally {
    await fn.stop();
    await standIn.stop();
  }
  const published = Object.values(result.published as Record<string, number>).reduce((a, b) => a + b, 0);
  const ms = median(timings);
  const bundle = fs.readFileSync(FLOW_EVENTS_ASSET);
  const loads = moduleLoadTimes(LOAD_RUNS);

  console.log('## Flow events function');
  console.log(`bundle: ${(bundle.length / 1024).toFixed(1)} KB, ${(zlib.gzipSync(bundle, { level: 9 }).length / 1024).toFixed(1)} KB gzipped`);
  console.log(`module load (fresh process, ${LOAD_RUNS} runs): median ${median(loads).toFixed(1)} ms, min ${Math.min(...loads).toFixed(1)} ms`);
  console.log(`batch: ${RECORDS} SNS records -> ${published} events in ${result.putEventsCalls} PutEvents calls, ${JSON.stringify(result.published)}; `
    + `${Object.values(result.ignored as Record<string, number>).reduce((a, b) => a + b, 0)} other WhatsApp events ignored`);
  console.log(`invocation (median of ${INVOCATIONS}, warm): ${ms.toFixed(1)} ms = ${Math.round(RECORDS / (ms / 1000))} SNS records/s parsed and published `
    + `(${Math.round(published / (ms / 1000))} events/s), min ${Math.min(...timings).toFixed(1)} ms, max ${Math.max(...timings).toFixed(1)} ms`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
