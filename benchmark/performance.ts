/**
 * What a stack of WhatsApp Flows costs: synth time, template size, Lambda functions, the handler asset,
 * and Flow API calls per lifecycle operation. It bundles the handler first when the asset is missing or stale.
 *
 *   npx ts-node --project tsconfig.dev.json benchmark/performance.ts
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AssetSize, handlerAssetSize, moduleLoadTimes } from './lib/handler-asset';
import { atMinimum, countLifecycleCalls, OperationCalls } from './lib/lifecycle';
import { growthPerFlow, median, StackKind, synthFlowStack, SynthResult, writeFlowJsonFiles } from './lib/stacks';

const FLOW_COUNTS = [1, 10, 100];
const KINDS: StackKind[] = ['WhatsAppFlow', 'AwsCustomResource'];
const SYNTH_RUNS = 7;
const LOAD_RUNS = 9;

/** The targets, in the units the tables print. */
const TARGETS = {
  growthPerFlowBytes: 1536,
  assetBytes: 700 * 1024,
  moduleLoadMs: 250,
};

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const ms = (value: number) => `${value.toFixed(0)} ms`;
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;
const met = (ok: boolean) => (ok ? 'yes' : 'NO');

function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((row) => row.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((row) => row[i].length)));
  const line = (row: string[]) => `| ${row.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
  return [line(headers), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.slice(1).map(line)].join('\n');
}

interface SynthMeasure {
  readonly result: SynthResult;
  /** Median synth time into a fresh cloud assembly directory, as in CI. */
  readonly freshMs: number;
  /** Median synth time into the directory of the previous run, as in a repeated `cdk synth`. */
  readonly reusedMs: number;
}

/**
 * Synthesizes every stack once to warm up, then SYNTH_RUNS more times into a fresh directory and into a reused one,
 * the two kinds taking turns so that both see the same machine.
 */
function measureSynth(): Map<string, SynthMeasure> {
  const files = writeFlowJsonFiles(Math.max(...FLOW_COUNTS));
  const out = new Map<string, SynthMeasure>();
  for (const flows of FLOW_COUNTS) {
    const fresh: Record<string, number[]> = {};
    const reused: Record<string, number[]> = {};
    const results: Record<string, SynthResult> = {};
    const outdirs = Object.fromEntries(KINDS.map((kind) => [kind, fs.mkdtempSync(path.join(os.tmpdir(), 'flow-synth-'))]));
    for (let run = 0; run <= SYNTH_RUNS; run++) {
      for (const kind of KINDS) {
        const result = synthFlowStack(kind, files.slice(0, flows));
        const again = synthFlowStack(kind, files.slice(0, flows), outdirs[kind]);
        if (run === 0) {
          results[kind] = result;
        } else {
          (fresh[kind] ??= []).push(result.ms);
          (reused[kind] ??= []).push(again.ms);
        }
      }
    }
    for (const kind of KINDS) {
      out.set(`${kind}/${flows}`, { result: results[kind], freshMs: median(fresh[kind]), reusedMs: median(reused[kind]) });
      fs.rmSync(outdirs[kind], { recursive: true, force: true });
    }
  }
  return out;
}

function synthTables(synth: Map<string, SynthMeasure>): string {
  const get = (kind: StackKind, flows: number) => synth.get(`${kind}/${flows}`)!;
  const timeAndSize = table(
    ['Flows', 'synth WhatsAppFlow', 'synth AwsCustomResource', 'ratio', 'synth again WhatsAppFlow', 'synth again AwsCustomResource', 'ratio',
      'template WhatsAppFlow', 'template AwsCustomResource', 'ratio'],
    FLOW_COUNTS.map((flows) => {
      const w = get('WhatsAppFlow', flows);
      const a = get('AwsCustomResource', flows);
      return [flows, ms(w.freshMs), ms(a.freshMs), ratio(w.freshMs, a.freshMs), ms(w.reusedMs), ms(a.reusedMs), ratio(w.reusedMs, a.reusedMs),
        kb(w.result.templateBytes), kb(a.result.templateBytes), ratio(w.result.templateBytes, a.result.templateBytes)];
    }));
  const shape = table(
    ['Flows', 'Lambda functions WhatsAppFlow', 'Lambda functions AwsCustomResource', 'resources WhatsAppFlow', 'resources AwsCustomResource', 'IAM policies WhatsAppFlow', 'IAM policies AwsCustomResource'],
    FLOW_COUNTS.map((flows) => {
      const w = get('WhatsAppFlow', flows).result;
      const a = get('AwsCustomResource', flows).result;
      return [flows, w.lambdaFunctions, a.lambdaFunctions, w.resources, a.resources, w.iamPolicies, a.iamPolicies];
    }));
  const last = FLOW_COUNTS[FLOW_COUNTS.length - 1];
  const growth = table(
    ['template growth per extra Flow (1 to 100 Flows)', 'WhatsAppFlow', 'AwsCustomResource'],
    [['bytes', ...KINDS.map((kind) => kb(growthPerFlow(get(kind, 1).result, get(kind, last).result, last)))]]);
  return [
    `Synth: building the app plus app.synth(), median of ${SYNTH_RUNS} runs after a warm-up, both kinds in one process with the same `
    + 'Flow JSON files; "synth" into a fresh cloud assembly directory, "synth again" into the one the previous run wrote',
    '', timeAndSize, '', 'Stack shape', '', shape, '', growth,
  ].join('\n');
}

function assetTable(size: AssetSize, loads: number[]): string {
  return table(['handler asset', 'value', 'target'], [
    ['size on disk (minified, tree-shaken)', kb(size.bytes), `<= ${kb(TARGETS.assetBytes)}`],
    ['gzipped', kb(size.gzipBytes), ''],
    [`module load (median of ${LOAD_RUNS} fresh processes)`, ms(median(loads)), `< ${ms(TARGETS.moduleLoadMs)}`],
    ['module load min / max', `${ms(Math.min(...loads))} / ${ms(Math.max(...loads))}`, ''],
  ]);
}

function callsTable(results: OperationCalls[]): string {
  const list = (calls: Record<string, number>) => Object.entries(calls).map(([name, count]) => `${name} ${count}`).join(', ') || 'none';
  const total = (calls: Record<string, number>) => Object.values(calls).reduce((a, b) => a + b, 0);
  return table(['operation', 'mutating calls', 'minimum', 'reads', 'max reads', 'list calls', 'at minimum'],
    results.map((r) => [
      r.target.name,
      `${r.mutatingTotal} (${list(r.mutating)})`,
      `${total(r.target.minimum)} (${list(r.target.minimum)})`,
      `${r.readsTotal} (${list(r.reads)})`,
      r.target.maxReads,
      r.lists,
      met(atMinimum(r)),
    ]));
}

function targetsTable(synth: Map<string, SynthMeasure>, size: AssetSize, loads: number[], calls: OperationCalls[]): string {
  const w = (flows: number) => synth.get(`WhatsAppFlow/${flows}`)!;
  const a100 = synth.get('AwsCustomResource/100')!;
  const lambdas = FLOW_COUNTS.map((flows) => w(flows).result.lambdaFunctions);
  const growth = growthPerFlow(w(1).result, w(100).result, 100);
  return table(['target', 'measured', 'met'], [
    ['Flow API calls at the minimum for every operation; no read for create and delete, <= 1 for an update; no list', `${calls.filter(atMinimum).length} of ${calls.length} operations`, met(calls.every(atMinimum))],
    ['Lambda functions per stack constant', lambdas.join(' / '), met(new Set(lambdas).size === 1)],
    ['template growth per extra Flow <= 1.5 KB', kb(growth), met(growth <= TARGETS.growthPerFlowBytes)],
    ['handler asset <= 700 KB', kb(size.bytes), met(size.bytes <= TARGETS.assetBytes)],
    ['module load < 250 ms', ms(median(loads)), met(median(loads) < TARGETS.moduleLoadMs)],
    ['synth of 100 Flows no slower than AwsCustomResource', `${ms(w(100).freshMs)} vs ${ms(a100.freshMs)}`, met(w(100).freshMs <= a100.freshMs)],
    ['synth again of 100 Flows no slower than AwsCustomResource', `${ms(w(100).reusedMs)} vs ${ms(a100.reusedMs)}`, met(w(100).reusedMs <= a100.reusedMs)],
  ]);
}

async function main(): Promise<void> {
  const size = handlerAssetSize();
  const loads = moduleLoadTimes(LOAD_RUNS);
  const calls = await countLifecycleCalls();
  const synth = measureSynth();
  console.log([
    synthTables(synth), '',
    'Handler asset', '', assetTable(size, loads), '',
    'Flow API calls per lifecycle operation (the shipped handler against the local service double)', '', callsTable(calls), '',
    'Targets', '', targetsTable(synth, size, loads, calls),
  ].join('\n'));
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
