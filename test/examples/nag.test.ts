import { App, Aspects, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, NagSuppressions } from 'cdk-nag';
import { WhatsAppFlowsExampleStack } from '../../examples/typescript/stack';

/**
 * The handler, the Flow endpoint and the Flow events function run on nodejs22.x, the runtime the library is built and tested for; cdk-nag asks
 * for the newest.
 */
function suppressPinnedHandlerRuntime(stack: Stack): void {
  NagSuppressions.addResourceSuppressionsByPath(stack, [
    `/${stack.stackName}/WhatsAppFlowProvider/OnEvent/Resource`,
    `/${stack.stackName}/BookingEndpoint/Function/Resource`,
    `/${stack.stackName}/FlowEvents/Handler/Resource`,
  ], [
    { id: 'AwsSolutions-L1', reason: 'The function is pinned to nodejs22.x, the runtime its bundled AWS SDK is built and tested for.' },
  ]);
}

/**
 * Findings on what aws-cdk-lib's Provider framework makes, which this library does not control:
 * each with its reason, on the framework's resources only.
 */
function suppressProviderFrameworkFindings(stack: Stack): void {
  NagSuppressions.addResourceSuppressionsByPath(stack, [
    `/${stack.stackName}/WhatsAppFlowProvider/Provider/framework-onEvent/Resource`,
  ], [
    { id: 'AwsSolutions-L1', reason: 'The Provider framework function\'s runtime is chosen by aws-cdk-lib, not by this library.' },
  ]);
  NagSuppressions.addResourceSuppressionsByPath(stack, [
    `/${stack.stackName}/WhatsAppFlowProvider/FrameworkRole/DefaultPolicy/Resource`,
  ], [
    {
      id: 'AwsSolutions-IAM5',
      reason: 'aws-cdk-lib\'s Provider framework grants lambda:InvokeFunction on the handler\'s ARN and its versions (ARN:*).',
      appliesTo: [{ regex: '/^Resource::<WhatsAppFlowProviderOnEvent[0-9A-F]+\\.Arn>:\\*$/' }],
    },
  ]);
  // The isComplete waiter (issue 22): what aws-cdk-lib's Provider framework makes for it.
  NagSuppressions.addResourceSuppressionsByPath(stack, [
    `/${stack.stackName}/WhatsAppFlowProvider/Provider/framework-isComplete/Resource`,
    `/${stack.stackName}/WhatsAppFlowProvider/Provider/framework-onTimeout/Resource`,
  ], [
    { id: 'AwsSolutions-L1', reason: 'The Provider framework function\'s runtime is chosen by aws-cdk-lib, not by this library.' },
  ]);
  NagSuppressions.addResourceSuppressionsByPath(stack, [
    `/${stack.stackName}/WhatsAppFlowProvider/FrameworkWaiterRole/DefaultPolicy/Resource`,
    `/${stack.stackName}/WhatsAppFlowProvider/Provider/waiter-state-machine/Role/DefaultPolicy/Resource`,
  ], [
    {
      id: 'AwsSolutions-IAM5',
      reason: 'aws-cdk-lib\'s Provider framework grants lambda:InvokeFunction on the functions it invokes and their versions (ARN:*).',
      appliesTo: [{ regex: '/^Resource::<WhatsAppFlowProvider(OnEvent|frameworkisComplete|frameworkonTimeout)[0-9A-F]+\\.Arn>:\\*$/' }],
    },
  ]);
  NagSuppressions.addResourceSuppressionsByPath(stack, [
    `/${stack.stackName}/WhatsAppFlowProvider/Provider/waiter-state-machine/Resource`,
  ], [
    { id: 'AwsSolutions-SF1', reason: 'The Provider framework\'s waiter only retries isComplete; the handler logs what each call does.' },
    { id: 'AwsSolutions-SF2', reason: 'The Provider framework\'s waiter only retries isComplete: tracing it would show no more than its logs.' },
  ]);
}

test('the example stack passes cdk-nag AwsSolutionsChecks; every suppression has a reason', () => {
  const app = new App();
  const stack = new WhatsAppFlowsExampleStack(app, 'WhatsAppFlowsExample', { env: { account: '111111111111', region: 'us-east-1' } });
  Aspects.of(stack).add(new AwsSolutionsChecks({ verbose: true }));
  suppressProviderFrameworkFindings(stack);
  suppressPinnedHandlerRuntime(stack);
  app.synth();

  const errors = Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-.*'));
  expect(errors.map((e) => `${e.id}: ${e.entry.data}`)).toEqual([]);
  const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*'));
  expect(warnings.map((w) => `${w.id}: ${w.entry.data}`)).toEqual([]);
});
