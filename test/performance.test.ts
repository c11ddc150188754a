import { handlerAssetSize } from '../benchmark/lib/handler-asset';
import { countLifecycleCalls, OPERATION_TARGETS, OperationCalls } from '../benchmark/lib/lifecycle';
import { growthPerFlow, synthFlowStack, SynthResult, writeFlowJsonFiles } from '../benchmark/lib/stacks';

describe('Flow API calls per lifecycle operation, against the local service double', () => {
  let results: OperationCalls[];
  beforeAll(async () => {
    results = await countLifecycleCalls();
  }, 60_000);
  const cases = OPERATION_TARGETS.map((target) => [target.name, target] as const);

  test.each(cases)('%s makes only the mutating calls it needs', (_, target) => {
    const result = results.find((r) => r.target === target)!;
    expect(result.ok).toBe(true);
    expect(result.mutating).toEqual(target.minimum);
  });

  test.each(cases)('%s reads the Flow only where a decision needs it (an Update, once) and never lists', (_, target) => {
    const result = results.find((r) => r.target === target)!;
    expect(result.readsTotal).toBeLessThanOrEqual(target.maxReads);
    expect(result.lists).toBe(0);
  });
});

describe('a stack of many Flows stays small', () => {
  const FLOW_COUNTS = [1, 10, 100];
  let stacks: SynthResult[];
  beforeAll(() => {
    const files = writeFlowJsonFiles(Math.max(...FLOW_COUNTS));
    stacks = FLOW_COUNTS.map((flows) => synthFlowStack('WhatsAppFlow', files.slice(0, flows)));
  }, 60_000);

  test('the number of Lambda functions does not grow with the number of Flows', () => {
    // The handler and the Provider framework's onEvent, isComplete and onTimeout.
    expect(stacks.map((s) => s.lambdaFunctions)).toEqual([4, 4, 4]);
  });

  test('each extra Flow adds at most 1.5 KB of template', () => {
    expect(growthPerFlow(stacks[0], stacks[1], 10)).toBeLessThanOrEqual(1536);
    expect(growthPerFlow(stacks[0], stacks[2], 100)).toBeLessThanOrEqual(1536);
  });

  test('the handler asset is at most 700 KB on disk', () => {
    expect(handlerAssetSize().bytes).toBeLessThanOrEqual(700 * 1024);
  });
});
