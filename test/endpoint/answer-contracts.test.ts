import { App, Fn, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { FlowCategory, FlowJson, WhatsAppFlow, WhatsAppFlowEndpoint, WhatsAppFlowEndpointProps } from '../../src';
import { EndpointEnv } from '../../src/endpoint/contract';
import { answerGuard, decodeContracts, encodeContracts } from '../../src/endpoint/runtime/answer-guard';
import { FlowContract } from '../../src/validator/answer-check';
import { summarizeFlow } from '../../src/validator/answer-summary';
import { FLOW_TEXT } from '../validator/answers/meta-book-appointment';

const PHONE = 'phone-number-id-0123456789abcdef01';

function setup(props: Partial<WhatsAppFlowEndpointProps> = {}) {
  const stack = new Stack(new App(), 'EndpointStack', { env: { account: '111111111111', region: 'us-east-1' } });
  const handler = new lambda.Function(stack, 'BookingLogic', {
    runtime: lambda.Runtime.PYTHON_3_13,
    handler: 'index.handler',
    code: lambda.Code.fromInline('def handler(event, context):\n    return {}\n'),
  });
  const endpoint = new WhatsAppFlowEndpoint(stack, 'BookingEndpoint', { handler, phoneNumberIds: [PHONE], ...props });
  const flow = (id: string, definition: Record<string, any>) => new WhatsAppFlow(stack, id, {
    whatsAppBusinessAccountId: 'waba-0123456789',
    flowName: id.toLowerCase(),
    categories: [FlowCategory.APPOINTMENT_BOOKING],
    flowJson: FlowJson.fromObject(definition),
    endpoint,
    // Made-up Flows for the contract's sake: only Meta's hard limits are checked.
    validateFlowJson: false,
  });
  const variables = () => {
    const functions = Template.fromStack(stack).findResources('AWS::Lambda::Function', { Properties: { Description: Match.stringLikeRegexp('data-exchange endpoint') } });
    return Object.values(functions)[0].Properties.Environment.Variables as Record<string, string>;
  };
  return { stack, endpoint, flow, variables };
}

const BOOKING = JSON.parse(FLOW_TEXT);

describe('the endpoint learns the contract of every Flow bound to it', () => {
  test('a compressed summary in one environment variable: screens, data shapes, routes; not the Flow JSON', () => {
    const { flow, variables } = setup();
    flow('Booking', BOOKING);
    const encoded = variables()[EndpointEnv.ANSWER_CONTRACT];
    expect(encoded.length).toBeLessThan(1_000);
    const summary = decodeContracts(encoded)!;
    expect(summary.f).toHaveLength(1);
    expect(Object.keys(summary.f[0].s)).toEqual(['APPOINTMENT', 'DETAILS', 'SUMMARY', 'TERMS']);
    expect(summary.f[0].e).toEqual(['APPOINTMENT']);
    expect(summary.f[0].s.DETAILS).toEqual({ d: { department: { t: 'string' }, location: { t: 'string' }, date: { t: 'string' }, time: { t: 'string' } }, r: ['SUMMARY'] });
    // Texts of the Flow JSON (titles, labels, examples) are not shipped.
    expect(JSON.stringify(summary)).not.toMatch(/Appointment|King|__example__/);
  });

  test('several Flows: one contract each; the same Flow JSON twice: once', () => {
    const { flow, variables } = setup();
    flow('Booking', BOOKING);
    flow('BookingAgain', BOOKING);
    flow('Other', { ...BOOKING, routing_model: { ...BOOKING.routing_model, TERMS: [] }, screens: BOOKING.screens.map((s: any) => s.id === 'TERMS' ? { ...s, data: { accepted: { type: 'boolean', __example__: true } } } : s) });
    expect(decodeContracts(variables()[EndpointEnv.ANSWER_CONTRACT])!.f).toHaveLength(2);
  });

  test('no Flow bound: no contract, no warning', () => {
    const { stack, variables } = setup();
    expect(variables()[EndpointEnv.ANSWER_CONTRACT]).toBeUndefined();
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('answers'))).toEqual([]);
  });

  test('checkAnswers: false ships no contract', () => {
    const { flow, variables } = setup({ checkAnswers: false });
    flow('Booking', BOOKING);
    expect(variables()[EndpointEnv.ANSWER_CONTRACT]).toBeUndefined();
  });

  test('a Flow whose Flow JSON is not known at synth time: no contract, and a warning says why', () => {
    const { stack, endpoint, flow, variables } = setup();
    flow('Booking', BOOKING);
    // A Flow without Flow JSON (made by cloning another, for example) binds the endpoint too.
    endpoint.bind(new Construct(stack, 'ClonedFlow'));
    expect(variables()[EndpointEnv.ANSWER_CONTRACT]).toBeUndefined();
    Annotations.fromStack(stack).hasWarning('/EndpointStack/BookingEndpoint', Match.stringLikeRegexp('ClonedFlow is not known at synth time.*checks no answers'));
  });

  test('a Flow JSON that is a deploy-time token: no contract, and a warning says why', () => {
    const { stack, endpoint, variables } = setup();
    const flow = new Construct(stack, 'TokenFlow');
    Object.assign(flow, { _declared: { flowJson: { text: Fn.importValue('FlowJsonText'), source: 'a token' }, publish: false } });
    endpoint.bind(flow);
    expect(variables()[EndpointEnv.ANSWER_CONTRACT]).toBeUndefined();
    Annotations.fromStack(stack).hasWarning('/EndpointStack/BookingEndpoint', Match.stringLikeRegexp('TokenFlow is not known at synth time'));
  });

  test('contracts too large for Lambda\'s 4 KB environment are not shipped, and a warning says so', () => {
    const { stack, flow, variables } = setup();
    // Distinct screen ids and field names, which compress badly.
    const letters = (n: number) => n.toString(26).split('').map((d) => String.fromCharCode(65 + parseInt(d, 26))).join('');
    for (let i = 0; i < 12; i++) {
      const ids = [0, 1, 2, 3, 4].map((j) => `SCREEN_${letters(i * 977 + j * 131 + 7919)}`);
      flow(`Booking${i}`, {
        version: '7.3',
        data_api_version: '3.0',
        routing_model: Object.fromEntries(ids.map((id, j) => [id, ids.slice(j + 1, j + 2)])),
        screens: ids.map((id, j) => ({
          id,
          title: 'Step',
          ...(j === ids.length - 1 ? { terminal: true } : {}),
          data: Object.fromEntries([0, 1, 2, 3, 4, 5].map((k) => [`field_${letters(i * 7919 + j * 104729 + k * 15485863).toLowerCase()}`, { type: 'string', __example__: 'x' }])),
          layout: { type: 'SingleColumnLayout', children: [{ 'type': 'Footer', 'label': 'Next', 'on-click-action': { name: 'data_exchange', payload: {} } }] },
        })),
      });
    }
    expect(variables()[EndpointEnv.ANSWER_CONTRACT]).toBeUndefined();
    Annotations.fromStack(stack).hasWarning('/EndpointStack/BookingEndpoint', Match.stringLikeRegexp('12 Flows.*more than the 2304 bytes'));
  });
});

test('metricAnswerContractViolations: the sum over 5 minutes of the endpoint function\'s AnswerContractViolations', () => {
  const { stack, endpoint } = setup();
  const metric = endpoint.metricAnswerContractViolations();
  expect(metric).toBeInstanceOf(cloudwatch.Metric);
  expect(metric.metricName).toBe('AnswerContractViolations');
  expect(metric.namespace).toBe('cdk-whatsapp-flows/FlowEndpoint');
  expect(metric.statistic).toBe('Sum');
  expect(stack.resolve(metric.dimensions!.FunctionName)).toEqual({ Ref: expect.stringMatching(/^BookingEndpointFunction/) });
  metric.createAlarm(stack, 'WrongAnswers', { threshold: 1, evaluationPeriods: 1 });
  Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'AnswerContractViolations', Threshold: 1 });
});

describe('the runtime guard', () => {
  const booking = summarizeFlow(BOOKING)!;
  // Another Flow behind the same endpoint, whose DETAILS screen goes to CONFIRM.
  const other: FlowContract = { s: { DETAILS: { d: { note: { t: 'string' } }, r: ['CONFIRM'] }, CONFIRM: { d: { ok: { t: 'boolean' } }, r: [] } }, e: ['DETAILS'] };
  const request = { version: '3.0', action: 'data_exchange', screen: 'DETAILS', flow_token: 't' };

  test('an unreadable or empty contract: no guard', () => {
    expect(answerGuard(undefined)).toBeUndefined();
    expect(answerGuard('not deflate')).toBeUndefined();
    expect(answerGuard(encodeContracts({ v: 1, f: [] }))).toBeUndefined();
  });

  test('several Flows, the same screen id: a violation only when the answer fits none of them', () => {
    const guard = answerGuard(encodeContracts({ v: 1, f: [booking, other] }))!;
    expect(guard(request, { screen: 'CONFIRM', data: { ok: true } })).toBeUndefined();
    expect(guard(request, { screen: 'SUMMARY', data: { ...Object.fromEntries(Object.keys(booking.s.SUMMARY.d).map((k) => [k, 'x'])) } })).toBeUndefined();
    expect(guard(request, { screen: 'CONFIRM', data: { ok: 'yes' } })).toMatchObject({ rule: 'ANSWER_DATA_TYPE_MISMATCH', screen: 'DETAILS', metric: 'AnswerContractViolations' });
  });

  test('the guard never throws', () => {
    const guard = answerGuard(encodeContracts({ v: 1, f: [booking] }))!;
    const hostile = {
      get screen(): string {
        throw new Error('boom');
      },
    };
    expect(guard(request, hostile)).toBeUndefined();
  });
});
