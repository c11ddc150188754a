/**
 * What the endpoint's answer guard (checkAnswers, src/endpoint/runtime/answer-guard.ts) costs, in figures (printed,
 * never asserted):
 *
 * 1. Per request: the check of one answer of the user's function against the contract, in process, on Meta's own
 *    "Book an appointment" answers (a typical screen: APPOINTMENT with three lists of {id, title} and four flags;
 *    SUMMARY with ten strings; SUCCESS), and on a large screen (a list of 200 items). p50/p99 over 10,000 checks
 *    after 2,000 warm-up. Target: p50 < 0.2 ms for a typical screen.
 * 2. Per request, end to end: the endpoint's own latency (exchange.ts: decrypt, JSON, encrypt; no KMS, no user
 *    function) with and without the guard, on the APPOINTMENT refresh. Interleaved runs; the difference of the p50s.
 * 3. Per cold start: decoding the contract from its environment variable, and its size (Lambda allows 4 KB of
 *    environment in all): for Meta's booking Flow, and for every dynamic Flow of the test corpus behind one endpoint.
 *
 *   npx ts-node --project tsconfig.dev.json benchmark/answer-guard.ts
 */
import { constants, generateKeyPairSync, privateDecrypt } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { answerGuard, AnswerChecker, encodeContracts } from '../src/endpoint/runtime/answer-guard';
import { exchange, ExchangeDependencies, FlowRequest } from '../src/endpoint/runtime/exchange';
import { summarizeFlow } from '../src/validator/answer-summary';
import { flowJsonNeedsEndpoint } from '../src/validator/dynamic';
import { metaRequest } from '../test/endpoint/meta';
import { EXCHANGES, FLOW_TEXT } from '../test/validator/answers/meta-book-appointment';

const CHECKS = 10_000;
const WARM_UP = 2_000;
const REQUESTS = 2_000;
const FLOWS_DIR = path.join(__dirname, '..', 'test', 'validator', 'flows', 'valid');

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const format = (ms: number) => `${ms.toFixed(4)} ms`;

function time(run: () => unknown, count: number, warmUp: number): { p50: number; p99: number } {
  const timings: number[] = [];
  for (let i = 0; i < warmUp + count; i++) {
    const started = process.hrtime.bigint();
    if (run() !== undefined) throw new Error('a correct answer was reported as a violation');
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (i >= warmUp) timings.push(ms);
  }
  return { p50: percentile(timings, 50), p99: percentile(timings, 99) };
}

const flowRequest = (r: { version: string; action: string; screen?: string; flow_token: string; data?: Record<string, unknown> }): FlowRequest =>
  ({ version: r.version, action: r.action, screen: r.screen, flow_token: r.flow_token, data: r.data });

async function endToEnd(guard: AnswerChecker): Promise<{ withGuard: number; without: number }> {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const refresh = EXCHANGES[1];
  const aesKeys = new Map<string, Buffer>();
  const bodies: string[] = [];
  for (let i = 0; i < 2 * (REQUESTS + WARM_UP); i++) {
    const meta = metaRequest(publicKey, { ...refresh.request, flow_token: `t-${i}` });
    const encryptedKey = JSON.parse(meta.body).encrypted_aes_key as string;
    aesKeys.set(encryptedKey, privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, Buffer.from(encryptedKey, 'base64')));
    bodies.push(meta.body);
  }
  const deps = (checkAnswer?: AnswerChecker): ExchangeDependencies => ({
    decryptAesKey: async (encrypted) => aesKeys.get(encrypted.toString('base64'))!,
    invokeHandler: async () => ({ kind: 'answered', payload: refresh.answer }),
    errorMessage: 'Something went wrong. Please try again.',
    remainingMs: () => 8_000,
    record: () => { throw new Error('every request of the benchmark should pass'); },
    checkAnswer,
  });
  const guarded = deps(guard);
  const plain = deps();
  const withGuard: number[] = [];
  const without: number[] = [];
  for (let i = 0; i < bodies.length; i++) {
    const useGuard = i % 2 === 0;
    const started = process.hrtime.bigint();
    await exchange({ method: 'POST', headers: {}, body: bodies[i] }, useGuard ? guarded : plain);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (i >= 2 * WARM_UP) (useGuard ? withGuard : without).push(ms);
  }
  return { withGuard: percentile(withGuard, 50), without: percentile(without, 50) };
}

async function main(): Promise<void> {
  const booking = summarizeFlow(JSON.parse(FLOW_TEXT))!;
  const encoded = encodeContracts({ v: 1, f: [booking] });
  const decodeStarted = process.hrtime.bigint();
  const guard = answerGuard(encoded)!;
  const decodeMs = Number(process.hrtime.bigint() - decodeStarted) / 1e6;

  console.log('## Answer guard (checkAnswers)');
  for (const [name, exchangeIndex] of [['APPOINTMENT refresh (typical: 3 lists of {id, title}, 4 flags)', 1], ['DETAILS → SUMMARY (10 strings)', 2], ['SUMMARY → SUCCESS', 3]] as const) {
    const { request, answer } = EXCHANGES[exchangeIndex];
    const result = time(() => guard(flowRequest(request), answer), CHECKS, WARM_UP);
    const verdict = name.startsWith('APPOINTMENT') ? ` — target p50 < 0.2 ms: ${result.p50 < 0.2 ? 'met' : 'NOT met'}` : '';
    console.log(`check per answer, ${name}: p50 ${format(result.p50)}, p99 ${format(result.p99)}${verdict}`);
  }
  const large = { screen: 'APPOINTMENT', data: { ...EXCHANGES[0].answer.data, time: Array.from({ length: 200 }, (_, i) => ({ id: `slot-${i}`, title: `${i}:00`, enabled: i % 2 === 0 })) } };
  const largeResult = time(() => guard({ version: '3.0', action: 'INIT', flow_token: 't' }, large), CHECKS, WARM_UP);
  console.log(`check per answer, a list of 200 items: p50 ${format(largeResult.p50)}, p99 ${format(largeResult.p99)}`);

  const e2e = await endToEnd(guard);
  console.log(`endpoint's own latency per request, APPOINTMENT refresh (${REQUESTS} each, interleaved): p50 ${format(e2e.without)} without the guard, `
    + `${format(e2e.withGuard)} with it (difference ${format(e2e.withGuard - e2e.without)})`);

  const corpus = fs.readdirSync(FLOWS_DIR).filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(fs.readFileSync(path.join(FLOWS_DIR, f), 'utf8')))
    .filter((flow) => flowJsonNeedsEndpoint(flow))
    .map((flow) => summarizeFlow(flow)!);
  const all = encodeContracts({ v: 1, f: corpus });
  console.log(`contract in the environment: Meta's booking Flow ${encoded.length} bytes (its Flow JSON: ${Buffer.byteLength(FLOW_TEXT)} bytes); `
    + `the ${corpus.length} dynamic Flows of the test corpus behind one endpoint ${all.length} bytes (of Lambda's 4,096 for every variable)`);
  console.log(`decoding it per cold start: ${format(decodeMs)}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
