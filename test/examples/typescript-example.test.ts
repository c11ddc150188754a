/**
 * The TypeScript example teaches the secure path, and imports the package by name, as users do.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { WhatsAppFlowsExampleStack } from '../../examples/typescript/stack';
import { EndpointEnv } from '../../src/endpoint/contract';

const EXAMPLE = path.join(__dirname, '..', '..', 'examples', 'typescript');

function synth() {
  const app = new App();
  const stack = new WhatsAppFlowsExampleStack(app, 'WhatsAppFlowsExample', { env: { account: '111111111111', region: 'us-east-1' } });
  return { stack, template: Template.fromStack(stack) };
}

test('it imports the library by its package name, never from the sources', () => {
  for (const file of ['app.ts', 'stack.ts']) {
    const source = fs.readFileSync(path.join(EXAMPLE, file), 'utf8');
    expect(source).not.toMatch(/from '\.\.\/\.\.\/src/);
  }
  expect(fs.readFileSync(path.join(EXAMPLE, 'stack.ts'), 'utf8')).toMatch(/from 'cdk-whatsapp-flows';/);
});

test('it synthesizes without a warning of the library: signatures checked, data API 4.0, metaAppId on every dynamic Flow', () => {
  const { stack } = synth();
  expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('.*')).map((w) => w.entry.data)).toEqual([]);
});

test('one endpoint and one function serve two dynamic Flows; the endpoint verifies both signatures', () => {
  const { template } = synth();
  const flows = Object.values(template.findResources('Custom::WhatsAppFlow')).map((r) => r.Properties);
  const dynamic = flows.filter((p) => p.EndpointUri !== undefined);
  expect(dynamic.map((p) => p.FlowName).sort()).toEqual(['appointment_booking', 'appointment_cancellation']);
  expect(new Set(dynamic.map((p) => JSON.stringify(p.EndpointUri))).size).toBe(1);
  for (const p of dynamic) expect(p.MetaAppId).toMatch(/^[0-9]+$/);
  template.hasResourceProperties('AWS::Lambda::Function', {
    Environment: { Variables: Match.objectLike({ [EndpointEnv.VERIFY_FLOW_TOKEN_SIGNATURE]: 'true', [EndpointEnv.APP_SECRET_ARN]: Match.anyValue() }) },
  });
  for (const file of ['appointment-booking-dynamic.json', 'appointment-cancellation-dynamic.json']) {
    const flowJson = JSON.parse(fs.readFileSync(path.join(EXAMPLE, '..', 'flows', file), 'utf8'));
    expect(flowJson.data_api_version).toBe('4.0');
  }
});
