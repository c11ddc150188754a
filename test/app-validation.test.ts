/**
 * Props are checked the CDK way: constructing never throws, and one synth reports the problems of every construct of
 * the app at once, each with its construct path, without a stack trace into the library.
 */
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import {
  FlowButton, FlowCategory, FlowJson, TemplateCategory, WhatsAppFlow, WhatsAppFlowEndpoint, WhatsAppFlowEvents, WhatsAppMessageTemplate,
} from '../src';
import { synthErrors } from './support/synth';

const WABA = 'waba-0123456789abcdef0123456789abcdef';
const FEEDBACK_JSON = path.join(__dirname, '..', 'examples', 'flows', 'customer-feedback.json');
const ENV = { account: '111111111111', region: 'us-east-1' };

test('two bad constructs in one app: one synth reports both, with their paths', () => {
  const app = new App();
  const stack = new Stack(app, 'One', { env: ENV });
  new WhatsAppFlow(stack, 'Survey', { whatsAppBusinessAccountId: WABA, flowName: '', categories: [FlowCategory.SURVEY] });
  new WhatsAppFlow(new Stack(app, 'Two', { env: ENV }), 'Booking', {
    whatsAppBusinessAccountId: 'my-waba', flowName: 'booking', categories: [], publish: true,
  });

  const errors = synthErrors(app);
  expect(errors).toEqual(expect.arrayContaining([
    expect.stringMatching(/^\[One\/Survey\] WhatsAppFlow One\/Survey: flowName must be 1 to 200 characters long, not 0$/),
    expect.stringMatching(/^\[Two\/Booking\] WhatsAppFlow Two\/Booking: whatsAppBusinessAccountId 'my-waba' is neither a WABA id/),
    expect.stringMatching(/^\[Two\/Booking\] WhatsAppFlow Two\/Booking: categories must hold 1 to 9 categories, not 0$/),
    expect.stringMatching(/^\[Two\/Booking\] WhatsAppFlow Two\/Booking: publish: true needs a flowJson/),
  ]));
  expect(errors).toHaveLength(4);
  // The message is the library's sentence, not a stack trace into it.
  expect(errors.join('\n')).not.toMatch(/ at |node_modules|\.ts:\d+/);
});

test('every kind of construct reports at synth, none throws while the app is built', () => {
  const app = new App();
  const stack = new Stack(app, 'Mixed', { env: ENV });
  const build = () => {
    const flow = new WhatsAppFlow(stack, 'Feedback', {
      whatsAppBusinessAccountId: WABA,
      flowName: 'feedback',
      categories: [FlowCategory.SURVEY],
      flowJson: FlowJson.fromFile(FEEDBACK_JSON),
      publish: false,
    });
    new WhatsAppFlow(stack, 'Missing', {
      whatsAppBusinessAccountId: WABA, flowName: 'missing', categories: [FlowCategory.OTHER], flowJson: FlowJson.fromFile('no/such.json'),
    });
    new WhatsAppMessageTemplate(stack, 'Template', {
      templateName: 'Feedback Request',
      language: 'en_US',
      category: TemplateCategory.MARKETING,
      body: 'Hello',
      flowButton: FlowButton.navigate(flow, { text: 'Open', screen: 'RECOMMEND' }),
    });
    new WhatsAppMessageTemplate(stack, 'NoWaba', { templateName: 'notice', language: 'en', category: TemplateCategory.UTILITY, body: 'Hi' });
    new WhatsAppFlowEndpoint(stack, 'Endpoint', {
      handler: lambda.Function.fromFunctionName(stack, 'Logic', 'logic'), phoneNumberIds: [], errorMessage: ' ',
    });
    new WhatsAppFlowEvents(stack, 'Events', { topic: sns.Topic.fromTopicArn(stack, 'Topic', `arn:aws:sns:us-east-1:${ENV.account}:waba`), mediaPrefix: '/x' });
  };
  expect(build).not.toThrow();

  const errors = synthErrors(app);
  const pathsOf = (lines: string[]) => [...new Set(lines.map((e) => e.match(/^\[([^\]]+)\]/)?.[1]))].sort();
  expect(pathsOf(errors)).toEqual(['Mixed/Endpoint', 'Mixed/Events', 'Mixed/Missing', 'Mixed/NoWaba', 'Mixed/Template']);
  expect(errors).toEqual(expect.arrayContaining([
    expect.stringMatching(/WhatsAppFlow Mixed\/Missing: Flow JSON file no\/such\.json does not exist/),
    expect.stringMatching(/WhatsAppMessageTemplate Mixed\/Template: templateName 'Feedback Request'/),
    expect.stringMatching(/WhatsAppMessageTemplate Mixed\/Template: the FLOW button opens Mixed\/Feedback, which is declared with publish: false/),
    expect.stringMatching(/WhatsAppMessageTemplate Mixed\/NoWaba: whatsAppBusinessAccountId is required without a flowButton/),
    expect.stringMatching(/WhatsAppFlowEndpoint Mixed\/Endpoint: phoneNumberIds must name at least one phone number/),
    expect.stringMatching(/WhatsAppFlowEndpoint Mixed\/Endpoint: errorMessage must be 1 to 200 characters long/),
    expect.stringMatching(/WhatsAppFlowEvents Mixed\/Events: mediaPrefix '\/x' must be empty or end with '\/'/),
  ]));
});
