/**
 * Lambda's asynchronous invocation, the way SNS invokes a subscribed function: the event is tried once and then
 * `MaximumRetryAttempts` more times while the function throws; after the last failure Lambda sends the event to the
 * function's dead-letter queue with the attributes RequestID, ErrorCode and ErrorMessage (the first 1 KB of the
 * error message). The retry count and the queue are read from the synthesized template, not assumed.
 */
import type { SNSEvent } from 'aws-lambda';
import type { FlowEventsFunctionSandbox, Outcome } from './sandbox';

export interface DeadLetter {
  /** The queue's logical id in the template. */
  readonly queue: string;
  /** The message body: the invocation's event, as JSON. */
  readonly body: string;
  readonly attributes: { readonly RequestID: string; readonly ErrorCode: string; readonly ErrorMessage: string };
}

export interface AsyncConfig {
  readonly maximumRetryAttempts: number;
  /** The logical id of the queue DeadLetterConfig names. */
  readonly deadLetterQueue: string;
}

/** The asynchronous invocation settings of the only function in a template. */
export function asyncConfigOf(template: { [key: string]: any }): AsyncConfig {
  const resources = Object.values(template.Resources as Record<string, { Type: string; Properties?: any }>);
  const fn = resources.find((r) => r.Type === 'AWS::Lambda::Function')!;
  const invokeConfig = resources.find((r) => r.Type === 'AWS::Lambda::EventInvokeConfig');
  return {
    // Lambda's default when no EventInvokeConfig says otherwise.
    maximumRetryAttempts: invokeConfig?.Properties.MaximumRetryAttempts ?? 2,
    deadLetterQueue: fn.Properties.DeadLetterConfig.TargetArn['Fn::GetAtt'][0],
  };
}

export class AsyncInvoker {
  public readonly deadLetters: DeadLetter[] = [];

  constructor(private readonly fn: FlowEventsFunctionSandbox, private readonly config: AsyncConfig) {}

  /** Delivers one event; returns every attempt's outcome. */
  async deliver(event: SNSEvent): Promise<Outcome[]> {
    const attempts: Outcome[] = [];
    for (let i = 0; i <= this.config.maximumRetryAttempts; i++) {
      const outcome = await this.fn.invoke(event);
      attempts.push(outcome);
      if (outcome.error === undefined) return attempts;
    }
    const last = attempts[attempts.length - 1];
    this.deadLetters.push({
      queue: this.config.deadLetterQueue,
      body: JSON.stringify(event),
      attributes: { RequestID: `request-${this.deadLetters.length}`, ErrorCode: '200', ErrorMessage: last.error!.slice(0, 1024) },
    });
    return attempts;
  }
}
