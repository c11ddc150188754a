import { App } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * The synth's validation errors, one entry each as `[construct path] message`, in the order the synth reports them;
 * none when the synth succeeds. Anything else the synth throws is thrown.
 */
export function synthErrors(scope: IConstruct): string[] {
  try {
    (scope.node.root as App).synth({ force: true });
    return [];
  } catch (error) {
    const message = (error as Error).message;
    if (!message.startsWith('Validation failed with the following errors:')) throw error;
    return message.split('\n').slice(1).join('\n').split(/\n(?= {2}\[)/).map((line) => line.replace(/^ {2}/, ''));
  }
}
