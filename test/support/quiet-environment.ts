import type { Circus } from '@jest/types';
// jest's own default environment, installed with jest and versioned with it: extended here, not a dependency of its own.
// eslint-disable-next-line import/no-extraneous-dependencies
import { TestEnvironment } from 'jest-environment-node';

/** The console methods whose output is held back during a test. */
const METHODS = ['log', 'info', 'warn', 'error', 'debug'] as const;
type Method = (typeof METHODS)[number];

/**
 * A Node test environment that keeps a green run quiet without hiding what a failing test needs: what a test (its
 * hooks included) writes to the console is held back, and printed only when the test fails, in order, after its
 * error. A test that spies on the console to assert on the handler's log lines works as before: its spy replaces the
 * holder for as long as it lives. Output outside tests (module scope, beforeAll, afterAll) is printed as usual.
 *
 * The AWS SDK's NodeVersionSupportWarning is switched off here at its cause: the machines run the tests on Node 20,
 * which the SDK will stop supporting in 2027; the Lambda functions themselves run on nodejs22.x. The SDK's own
 * switch, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED, is honoured by every client of the sandbox.
 */
export default class QuietEnvironment extends TestEnvironment {
  private readonly held: Array<{ readonly method: Method; readonly args: unknown[] }> = [];
  private original?: Record<Method, (...args: unknown[]) => void>;
  private readonly holders = Object.fromEntries(METHODS.map((method) => [method, (...args: unknown[]) => {
    this.held.push({ method, args });
  }])) as Record<Method, (...args: unknown[]) => void>;

  constructor(...args: ConstructorParameters<typeof TestEnvironment>) {
    super(...args);
    this.global.process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  }

  public async handleTestEvent(event: Circus.Event): Promise<void> {
    const console = this.global.console as unknown as Record<Method, (...args: unknown[]) => void>;
    if (event.name === 'test_start') {
      // The real methods, read once: later a spy left over from an earlier test may sit there.
      this.original ??= Object.fromEntries(METHODS.map((method) => [method, console[method]])) as Record<Method, (...args: unknown[]) => void>;
      this.held.length = 0;
      for (const method of METHODS) console[method] = this.holders[method];
    } else if (event.name === 'test_done' && this.original) {
      for (const method of METHODS) console[method] = this.original[method];
      if (event.test.errors.length > 0 && this.held.length > 0) {
        this.original.info(`The console output of the failed test "${event.test.name}", held back while it ran:`);
        for (const { method, args } of this.held) this.original[method](...args);
      }
      this.held.length = 0;
    }
  }
}
