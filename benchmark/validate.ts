/**
 * Measures how long FlowJsonValidator takes on a ~1 MB Flow JSON.
 *
 *   npx ts-node --project tsconfig.dev.json benchmark/validate.ts [megabytes]
 */
import { FlowJsonValidator } from '../src/validator';
import { buildLargeFlow } from '../test/validator/large-flow';

const megabytes = Number(process.argv[2] ?? '1');
const text = JSON.stringify(buildLargeFlow(megabytes * 1024 * 1024));
const runs = 20;

// The first runs warm up the JIT; report the median of the rest.
const timings: number[] = [];
let errors = 0;
for (let i = 0; i < runs + 3; i++) {
  const start = process.hrtime.bigint();
  errors = FlowJsonValidator.validateText(text).errors.length;
  const milliseconds = Number(process.hrtime.bigint() - start) / 1e6;
  if (i >= 3) timings.push(milliseconds);
}
timings.sort((a, b) => a - b);
const screens = JSON.parse(text).screens.length;
console.log(`Flow JSON: ${(Buffer.byteLength(text) / 1024 / 1024).toFixed(2)} MB, ${screens} screens, ${errors} errors`);
const median = timings[Math.floor(runs / 2)];
console.log(`validateText: median ${median.toFixed(1)} ms, min ${timings[0].toFixed(1)} ms, max ${timings[runs - 1].toFixed(1)} ms (${runs} runs)`);
// The budget (README, "Performance"; issue 13): 1 MB in under 100 ms.
const budget = 100 * megabytes;
console.log(`budget ${budget} ms for ${megabytes} MB: ${median <= budget ? 'within' : 'OVER'}`);
