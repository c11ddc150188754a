import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnParameter, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import {
  FlowAction, FlowButton, FlowCategory, FlowEndpoint, FlowJson, IWhatsAppMessageTemplate, TemplateCategory, WhatsAppFlow, WhatsAppFlowProps,
  WhatsAppMessageTemplate, WhatsAppMessageTemplateProps,
} from '../../src';
import { synthErrors } from '../support/synth';

const WABA = 'waba-0123456789abcdef0123456789abcdef';
const OTHER_WABA = 'waba-fedcba9876543210fedcba9876543210';
const FEEDBACK_JSON = path.join(__dirname, '..', '..', 'examples', 'flows', 'customer-feedback.json');
const DYNAMIC_JSON = path.join(__dirname, '..', 'validator', 'flows', 'valid', 'meta-appointment-booking-dynamic.json');
const TEMPLATE_TYPE = 'Custom::WhatsAppMessageTemplate';

const TEMPLATE_ACTIONS = [
  'social-messaging:CreateWhatsAppMessageTemplate',
  'social-messaging:UpdateWhatsAppMessageTemplate',
  'social-messaging:DeleteWhatsAppMessageTemplate',
  'social-messaging:GetWhatsAppMessageTemplate',
  'social-messaging:ListWhatsAppMessageTemplates',
];

function newStack(): Stack {
  return new Stack(new App(), 'Test', { env: { account: '111111111111', region: 'us-east-1' } });
}

function feedbackFlow(stack: Stack, overrides: Partial<WhatsAppFlowProps> = {}, id = 'Feedback'): WhatsAppFlow {
  return new WhatsAppFlow(stack, id, {
    whatsAppBusinessAccountId: WABA,
    flowName: `customer_feedback_${id}`,
    categories: [FlowCategory.SURVEY],
    flowJson: FlowJson.fromFile(FEEDBACK_JSON),
    publish: true,
    ...overrides,
  });
}

function templateProps(flow: WhatsAppFlow, overrides: Partial<WhatsAppMessageTemplateProps> = {}): WhatsAppMessageTemplateProps {
  return {
    templateName: 'feedback_request',
    language: 'en_US',
    category: TemplateCategory.MARKETING,
    body: 'Thanks for your order {{1}}! Tell us how it went.',
    bodyExamples: ['#1234'],
    header: 'We value your feedback',
    footer: 'Takes one minute',
    flowButton: FlowButton.navigate(flow, { text: 'Give feedback', screen: 'RECOMMEND' }),
    ...overrides,
  };
}

/** The synth errors of a template with these props next to a published feedback Flow, one line each. */
function synthError(overrides: Partial<WhatsAppMessageTemplateProps> = {}, flowOverrides: Partial<WhatsAppFlowProps> = {}): string {
  const stack = newStack();
  const flow = feedbackFlow(stack, flowOverrides);
  // Constructing succeeds: the synth reports every problem.
  new WhatsAppMessageTemplate(stack, 'FeedbackTemplate', templateProps(flow, overrides));
  const errors = synthErrors(stack);
  if (errors.length === 0) throw new Error('the synth did not fail');
  return errors.join('\n');
}

/** The synth errors of a stack with the Flow and template that `build` declares. */
function errorsOf(build: (stack: Stack, flow: WhatsAppFlow) => void, flowOverrides: Partial<WhatsAppFlowProps> = {}): string[] {
  const stack = newStack();
  build(stack, feedbackFlow(stack, flowOverrides));
  return synthErrors(stack);
}

describe('WhatsAppMessageTemplate', () => {
  test('a Custom::WhatsAppMessageTemplate of the template\'s parts, its FLOW button carrying the Flow\'s id (a Ref)', () => {
    const stack = newStack();
    const flow = feedbackFlow(stack);
    const template = new WhatsAppMessageTemplate(stack, 'FeedbackTemplate', templateProps(flow));

    const t = Template.fromStack(stack);
    t.hasResource(TEMPLATE_TYPE, {
      Properties: {
        ServiceToken: { 'Fn::GetAtt': [Match.stringLikeRegexp('WhatsAppFlowProviderframeworkonEvent'), 'Arn'] },
        WhatsAppBusinessAccountId: WABA,
        TemplateName: 'feedback_request',
        Language: 'en_US',
        Category: 'MARKETING',
        Body: 'Thanks for your order {{1}}! Tell us how it went.',
        BodyExamples: ['#1234'],
        Header: 'We value your feedback',
        Footer: 'Takes one minute',
        FlowId: { Ref: Match.stringLikeRegexp('^Feedback') },
        ButtonText: 'Give feedback',
        FlowAction: 'navigate',
        NavigateScreen: 'RECOMMEND',
      },
      DeletionPolicy: 'Delete',
      UpdateReplacePolicy: 'Delete',
    });
    expect(stack.resolve(template.metaTemplateId)).toEqual({ Ref: expect.stringMatching(/^FeedbackTemplate/) });
    expect(stack.resolve(template.templateStatus)).toEqual({ 'Fn::GetAtt': [expect.any(String), 'TemplateStatus'] });
  });

  test('one provider and one handler function per stack, shared with the Flows', () => {
    const stack = newStack();
    const flow = feedbackFlow(stack);
    new WhatsAppMessageTemplate(stack, 'One', templateProps(flow));
    new WhatsAppMessageTemplate(stack, 'Two', templateProps(flow, { templateName: 'feedback_reminder' }));
    const t = Template.fromStack(stack);
    t.resourceCountIs(TEMPLATE_TYPE, 2);
    t.resourceCountIs('AWS::Lambda::Function', 4); // the handler and the Provider framework's functions (onEvent, isComplete, onTimeout)
  });

  test('IAM: only the template actions, on the WABA ARN, never on *', () => {
    const stack = newStack();
    new WhatsAppMessageTemplate(stack, 'FeedbackTemplate', templateProps(feedbackFlow(stack)));
    const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy');
    const statements = Object.values<any>(policies).flatMap((p) => p.Properties.PolicyDocument.Statement);
    const templateStatement = statements.find((s) => JSON.stringify(s.Action).includes('MessageTemplate'));
    expect(templateStatement.Action).toEqual(TEMPLATE_ACTIONS);
    expect(JSON.stringify(templateStatement.Resource)).toContain(':social-messaging:us-east-1:111111111111:waba/0123456789abcdef0123456789abcdef');
    for (const s of statements) {
      if (JSON.stringify(s.Action).includes('social-messaging:')) expect(s.Resource).not.toEqual('*');
    }
  });

  test('the removal policy becomes the DeletionPolicy, by prop or by applyRemovalPolicy; SNAPSHOT is refused', () => {
    const stack = newStack();
    const flow = feedbackFlow(stack);
    new WhatsAppMessageTemplate(stack, 'Kept', templateProps(flow, { removalPolicy: RemovalPolicy.RETAIN }));
    const later = new WhatsAppMessageTemplate(stack, 'KeptLater', templateProps(flow, { templateName: 'feedback_later' }));
    later.applyRemovalPolicy(RemovalPolicy.RETAIN);
    const retained = Template.fromStack(stack).findResources(TEMPLATE_TYPE, { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    expect(Object.keys(retained)).toHaveLength(2);
    expect(errorsOf((s, f) => new WhatsAppMessageTemplate(s, 'KeptLater', templateProps(f)).applyRemovalPolicy(RemovalPolicy.SNAPSHOT)))
      .toEqual([expect.stringMatching(/KeptLater: removal policy SNAPSHOT is not supported/)]);
  });

  test('a dynamic Flow\'s button uses data_exchange and sends no screen', () => {
    const stack = newStack();
    const flow = new WhatsAppFlow(stack, 'Booking', {
      whatsAppBusinessAccountId: WABA,
      flowName: 'booking',
      categories: [FlowCategory.APPOINTMENT_BOOKING],
      flowJson: FlowJson.fromFile(DYNAMIC_JSON),
      endpoint: FlowEndpoint.fromUrl('https://example.com/flow'),
      publish: true,
    });
    new WhatsAppMessageTemplate(stack, 'BookingTemplate', {
      templateName: 'book_now',
      language: 'en',
      category: TemplateCategory.UTILITY,
      body: 'Book your next visit.',
      flowButton: FlowButton.dataExchange(flow, { text: 'Book' }),
    });
    const [resource] = Object.values<any>(Template.fromStack(stack).findResources(TEMPLATE_TYPE));
    expect(resource.Properties.FlowAction).toBe(FlowAction.DATA_EXCHANGE);
    expect(resource.Properties.NavigateScreen).toBeUndefined();

    new WhatsAppMessageTemplate(stack, 'Navigating', {
      templateName: 'book_now_navigate',
      language: 'en',
      category: TemplateCategory.UTILITY,
      body: 'Book your next visit.',
      flowButton: FlowButton.navigate(flow, { text: 'Book', screen: 'APPOINTMENT' }),
    });
    expect(synthErrors(stack)).toEqual([expect.stringMatching(/Navigating: .*Booking is a dynamic Flow .*Use FlowButton.dataExchange/)]);
  });

  test('a body-only template names its WABA itself; without a button or a WABA the synth fails', () => {
    const stack = newStack();
    new WhatsAppMessageTemplate(stack, 'Plain', {
      templateName: 'plain_notice',
      language: 'de',
      category: TemplateCategory.UTILITY,
      body: 'Ihre Bestellung ist unterwegs.',
      whatsAppBusinessAccountId: WABA,
    });
    const [resource] = Object.values<any>(Template.fromStack(stack).findResources(TEMPLATE_TYPE));
    expect(resource.Properties.FlowId).toBeUndefined();
    new WhatsAppMessageTemplate(stack, 'NoWaba', {
      templateName: 'plain_notice_two', language: 'de', category: TemplateCategory.UTILITY, body: 'Hallo.',
    });
    expect(synthErrors(stack)).toEqual([expect.stringMatching(/NoWaba: whatsAppBusinessAccountId is required without a flowButton/)]);
  });

  test('tokens are left to the deploy: a parameter name, language and body synthesize', () => {
    const stack = newStack();
    const flow = feedbackFlow(stack);
    const name = new CfnParameter(stack, 'Name').valueAsString;
    const language = new CfnParameter(stack, 'Language').valueAsString;
    const body = new CfnParameter(stack, 'Body').valueAsString;
    const screen = new CfnParameter(stack, 'Screen').valueAsString;
    new WhatsAppMessageTemplate(stack, 'Tokens', templateProps(flow, {
      templateName: name, language, body, bodyExamples: undefined, flowButton: FlowButton.navigate(flow, { text: 'Open', screen }),
    }));
    Template.fromStack(stack).hasResourceProperties(TEMPLATE_TYPE, {
      TemplateName: { Ref: 'Name' }, Body: { Ref: 'Body' }, NavigateScreen: { Ref: 'Screen' },
    });
  });

  test('a Flow made elsewhere cannot be checked: a warning says so', () => {
    const stack = newStack();
    const imported = WhatsAppFlow.fromFlowAttributes(stack, 'Imported', { whatsAppBusinessAccountId: WABA, flowId: '1234567890' });
    new WhatsAppMessageTemplate(stack, 'FromImported', {
      templateName: 'imported_flow',
      language: 'en',
      category: TemplateCategory.MARKETING,
      body: 'Hello.',
      flowButton: FlowButton.navigate(imported, { text: 'Open', screen: 'ANY' }),
    });
    Annotations.fromStack(stack).hasWarning('/Test/FromImported', Match.stringLikeRegexp('Flow made elsewhere .* not checked at synth time'));
    Template.fromStack(stack).hasResourceProperties(TEMPLATE_TYPE, { FlowId: '1234567890' });
  });
});

describe('a template made elsewhere: WhatsAppMessageTemplate.fromTemplateAttributes', () => {
  const WABA_ARN = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':social-messaging:us-east-1:111111111111:waba/0123456789abcdef0123456789abcdef']] };
  const ATTRS = { whatsAppBusinessAccountId: WABA, templateName: 'order_update', language: 'pt_BR', metaTemplateId: '987654321' };

  test('carries its name, language, id and WABA, and makes nothing', () => {
    const stack = newStack();
    const template = WhatsAppMessageTemplate.fromTemplateAttributes(stack, 'Imported', ATTRS);
    expect(template).toMatchObject(ATTRS);
    expect(stack.resolve(template.whatsAppBusinessAccountArn)).toEqual(WABA_ARN);
    const t = Template.fromStack(stack);
    t.resourceCountIs(TEMPLATE_TYPE, 0);
    t.resourceCountIs('AWS::Lambda::Function', 0);
  });

  test('a WABA ARN is kept as given; something else fails at once', () => {
    const arn = 'arn:aws:social-messaging:eu-west-1:222222222222:waba/fedcba9876543210fedcba9876543210';
    const stack = newStack();
    expect(WhatsAppMessageTemplate.fromTemplateAttributes(stack, 'ByArn', { ...ATTRS, whatsAppBusinessAccountId: arn }).whatsAppBusinessAccountArn).toBe(arn);
    expect(() => WhatsAppMessageTemplate.fromTemplateAttributes(stack, 'Bad', { ...ATTRS, whatsAppBusinessAccountId: '0123456789' }))
      .toThrow(/fromTemplateAttributes Test\/Bad: whatsAppBusinessAccountId '0123456789' is neither a WABA id/);
  });

  test('grantRead: the two read actions on the WABA ARN, for an imported and a declared template alike', () => {
    const stack = newStack();
    const imported = WhatsAppMessageTemplate.fromTemplateAttributes(stack, 'Imported', ATTRS);
    const declared = new WhatsAppMessageTemplate(stack, 'Declared', templateProps(feedbackFlow(stack)));
    const roles = [imported, declared].map((template, i) => {
      const role = new iam.Role(stack, `Reader${i}`, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
      template.grantRead(role);
      return role;
    });
    const t = Template.fromStack(stack);
    for (const role of roles) {
      t.hasResourceProperties('AWS::IAM::Policy', {
        Roles: [{ Ref: stack.getLogicalId(role.node.defaultChild as iam.CfnRole) }],
        PolicyDocument: {
          Statement: [{
            Effect: 'Allow',
            Action: ['social-messaging:GetWhatsAppMessageTemplate', 'social-messaging:ListWhatsAppMessageTemplates'],
            Resource: WABA_ARN,
          }],
        },
      });
    }
  });

  test('the construct is an IWhatsAppMessageTemplate: its id and status are the resource\'s', () => {
    const stack = newStack();
    const template: IWhatsAppMessageTemplate = new WhatsAppMessageTemplate(stack, 'Declared', templateProps(feedbackFlow(stack)));
    expect(stack.resolve(template.metaTemplateId)).toEqual({ Ref: expect.stringMatching(/^Declared/) });
    expect(template.whatsAppBusinessAccountId).toBe(WABA);
  });
});

describe('synth checks, each naming the construct', () => {
  test('template name: lowercase letters, digits and underscores, at most 512', () => {
    expect(synthError({ templateName: 'Feedback-Request' })).toMatch(
      /WhatsAppMessageTemplate Test\/FeedbackTemplate: templateName 'Feedback-Request' must be 1 to 512 lowercase letters, digits and underscores \(for example 'feedback_request'\)/);
    expect(synthError({ templateName: 'a'.repeat(513) })).toMatch(/templateName 'a+' must be 1 to 512/);
    expect(synthError({ templateName: '' })).toMatch(/templateName '' must be 1 to 512/);
  });

  test('a locale Meta accepts', () => {
    expect(synthError({ language: 'en-US' })).toMatch(/FeedbackTemplate: language 'en-US' is not a locale Meta accepts for templates \(did you mean 'en_US'/);
    expect(synthError({ language: 'xx_YY' })).toMatch(/language 'xx_YY' is not a locale Meta accepts/);
  });

  test('lengths per Meta: body 1024, header 60, footer 60, button text 25', () => {
    expect(synthError({ body: 'x'.repeat(1025), bodyExamples: [] })).toMatch(/body must be 1 to 1024 characters long, not 1025/);
    expect(synthError({ header: 'h'.repeat(61) })).toMatch(/header must be 1 to 60 characters long, not 61/);
    expect(synthError({ footer: 'f'.repeat(61) })).toMatch(/footer must be 1 to 60 characters long, not 61/);
    expect(errorsOf((stack, flow) => new WhatsAppMessageTemplate(stack, 'LongButton', templateProps(flow, {
      flowButton: FlowButton.navigate(flow, { text: 'Tell us what you think of it', screen: 'RECOMMEND' }),
    })))).toEqual([expect.stringMatching(/LongButton: the button text must be 1 to 25 characters long, not 28/)]);
    // An emoji counts once, as a person counts it.
    expect(errorsOf((stack, flow) => new WhatsAppMessageTemplate(stack, 'EmojiButton', templateProps(flow, {
      templateName: 'emoji_button', flowButton: FlowButton.navigate(flow, { text: `${'🙂'.repeat(25)}`, screen: 'RECOMMEND' }),
    })))).toEqual([]);
  });

  test('every {{n}} has an example, numbered from 1 without gaps; footers hold no variable', () => {
    expect(synthError({ body: 'Hi {{1}}, order {{2}}', bodyExamples: ['Ana'] })).toMatch(
      /body has 2 variable\(s\) and bodyExamples gives 1 sample value\(s\): give one for each of \{\{1\}\}, \{\{2\}\}, in order/);
    expect(synthError({ body: 'Hi {{1}}, order {{3}}', bodyExamples: ['Ana', '#1'] })).toMatch(
      /body variables must be numbered from \{\{1\}\} without gaps: \{\{2\}\} is missing/);
    expect(synthError({ body: 'Hi {{name}}', bodyExamples: ['Ana'] })).toMatch(/body holds \{\{name\}\}: variables are numbered/);
    expect(synthError({ body: 'No variables here', bodyExamples: ['Ana'] })).toMatch(/bodyExamples gives 1 sample value\(s\), but body has no variables/);
    expect(synthError({ header: 'Hello {{1}}' })).toMatch(/header has 1 variable\(s\) and headerExample gives 0 sample value\(s\)/);
    expect(synthError({ header: 'Hello {{1}} {{2}}', headerExample: 'Ana' })).toMatch(/header has 2 variables; a text header has at most one/);
    expect(synthError({ footer: 'Bye {{1}}' })).toMatch(/footer holds a variable/);
    expect(synthError({ body: 'Hi {{1}}', bodyExamples: [' '] })).toMatch(/bodyExamples holds an empty sample value/);
  });

  test('every problem at once', () => {
    const message = synthError({ templateName: 'Bad Name', language: 'english', footer: 'f'.repeat(70) });
    expect(message.split('\n')).toEqual([
      expect.stringMatching(/^\[Test\/FeedbackTemplate\] WhatsAppMessageTemplate Test\/FeedbackTemplate: templateName 'Bad Name'/),
      expect.stringMatching(/^\[Test\/FeedbackTemplate\] WhatsAppMessageTemplate Test\/FeedbackTemplate: language 'english'/),
      expect.stringMatching(/^\[Test\/FeedbackTemplate\] WhatsAppMessageTemplate Test\/FeedbackTemplate: footer must be 1 to 60/),
    ]);
  });

  test('a renamed screen fails the synth, with the screen it probably meant', () => {
    expect(errorsOf((stack, flow) => new WhatsAppMessageTemplate(stack, 'FeedbackTemplate', templateProps(flow, {
      flowButton: FlowButton.navigate(flow, { text: 'Give feedback', screen: 'RECOMMENDS' }),
    }))).join('\n')).toMatch(/FeedbackTemplate: the button's screen 'RECOMMENDS' is not a screen of Test\/Feedback \(.*customer-feedback.json\)\. Did you mean "RECOMMEND"\? Its screens: RECOMMEND, RATE/);
  });

  test('the screen must be one the Flow can navigate to', () => {
    const flowJson = {
      version: '7.0',
      screens: [
        {
          id: 'START',
          title: 'Start',
          terminal: true,
          layout: {
            type: 'SingleColumnLayout',
            children: [
              { 'type': 'Footer', 'label': 'Done', 'on-click-action': { name: 'complete', payload: {} } },
            ],
          },
        },
        {
          id: 'ORPHAN',
          title: 'Orphan',
          terminal: true,
          layout: {
            type: 'SingleColumnLayout',
            children: [
              { 'type': 'Footer', 'label': 'Done', 'on-click-action': { name: 'complete', payload: {} } },
            ],
          },
        },
      ],
    };
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'template-test-')), 'orphan.json');
    fs.writeFileSync(file, JSON.stringify(flowJson));
    // The Flow's own validation would refuse the unreachable screen: it is turned off to reach the template's check.
    const orphan = { flowJson: FlowJson.fromFile(file), validateFlowJson: false };
    expect(errorsOf((stack, flow) => new WhatsAppMessageTemplate(stack, 'Orphaned', templateProps(flow, {
      flowButton: FlowButton.navigate(flow, { text: 'Open', screen: 'ORPHAN' }),
    })), orphan)).toEqual([
      expect.stringMatching(/Orphaned: the button's screen 'ORPHAN' cannot be navigated to in Test\/Feedback .*no route leads to it from the entry screen 'START'/),
    ]);
    expect(errorsOf((stack, flow) => new WhatsAppMessageTemplate(stack, 'Started', templateProps(flow, {
      templateName: 'feedback_started', flowButton: FlowButton.navigate(flow, { text: 'Open', screen: 'START' }),
    })), orphan)).toEqual([]);
  });

  test('the Flow is declared with publish: true', () => {
    expect(synthError({}, { publish: false })).toMatch(
      /FeedbackTemplate: the FLOW button opens Test\/Feedback, which is declared with publish: false; only a published Flow can be sent: set publish: true/);
  });

  test('a static Flow has no endpoint to exchange data with', () => {
    expect(errorsOf((stack, flow) => new WhatsAppMessageTemplate(stack, 'Exchanging', templateProps(flow, {
      flowButton: FlowButton.dataExchange(flow, { text: 'Open' }),
    }))).join('\n')).toMatch(/Exchanging: Test\/Feedback is a static Flow .*use FlowButton.navigate/);
  });

  test('the WABA is the Flow\'s; another fails; two templates of one name and language fail with both paths', () => {
    expect(synthError({ whatsAppBusinessAccountId: OTHER_WABA })).toMatch(/is not the account of the button's Flow/);
    expect(synthError({ whatsAppBusinessAccountId: 'not-a-waba' })).toMatch(/whatsAppBusinessAccountId 'not-a-waba' is neither a WABA id/);
    const stack = newStack();
    const flow = feedbackFlow(stack);
    new WhatsAppMessageTemplate(stack, 'First', templateProps(flow));
    new WhatsAppMessageTemplate(stack, 'OtherLanguage', templateProps(flow, { language: 'pt_BR' }));
    new WhatsAppMessageTemplate(stack, 'Second', templateProps(flow));
    expect(synthErrors(stack).join('\n')).toMatch(
      /Second: template 'feedback_request' \(en_US\) in waba-0123456789abcdef0123456789abcdef is also declared by Test\/First/);
  });
});
