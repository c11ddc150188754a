import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Annotations, App, CfnOutput, CfnParameter, CfnResource, RemovalPolicies, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations as AnnotationsOf, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { FlowCategory, FlowEndpoint, FlowJson, IFlowEndpoint, WhatsAppFlow, WhatsAppFlowProps } from '../../src';
import { RATE_LIMIT_WAIT_CONTEXT } from '../../src/provider/whatsapp-flow-provider';
import { synthErrors } from '../support/synth';

const WABA = 'waba-0123456789abcdef0123456789abcdef';
const FEEDBACK_JSON = path.join(__dirname, '..', '..', 'examples', 'flows', 'customer-feedback.json');
const BOOKING_JSON = path.join(__dirname, '..', '..', 'examples', 'flows', 'appointment-booking.json');

const FLOW_ACTIONS = [
  'social-messaging:CreateWhatsAppFlow',
  'social-messaging:UpdateWhatsAppFlow',
  'social-messaging:UpdateWhatsAppFlowAssets',
  'social-messaging:PublishWhatsAppFlow',
  'social-messaging:DeprecateWhatsAppFlow',
  'social-messaging:DeleteWhatsAppFlow',
  'social-messaging:GetWhatsAppFlow',
  'social-messaging:GetWhatsAppFlowPreview',
  'social-messaging:ListWhatsAppFlows',
  'social-messaging:ListWhatsAppFlowAssets',
];

/** The WABA ARN as a stack in us-east-1 of account 111111111111 renders it. */
function wabaArn(name: string) {
  return { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:social-messaging:us-east-1:111111111111:waba/${name}`]] };
}

function newStack(env = { account: '111111111111', region: 'us-east-1' }): Stack {
  return new Stack(new App(), 'Test', { env });
}

/** A stack with one Flow of these props. */
function flowStack(props: WhatsAppFlowProps, id = 'Feedback'): Stack {
  const stack = newStack();
  new WhatsAppFlow(stack, id, props);
  return stack;
}

function feedbackProps(overrides: Partial<WhatsAppFlowProps> = {}): WhatsAppFlowProps {
  return {
    whatsAppBusinessAccountId: WABA,
    flowName: 'customer_feedback',
    categories: [FlowCategory.SURVEY],
    flowJson: FlowJson.fromFile(FEEDBACK_JSON),
    ...overrides,
  };
}

function tempFile(name: string, content: string | Buffer): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'flow-test-')), name);
  fs.writeFileSync(file, content);
  return file;
}

describe('WhatsAppFlow', () => {
  test('a Custom::WhatsAppFlow whose Flow JSON travels as an S3 asset, never inline', () => {
    const stack = newStack();
    new WhatsAppFlow(stack, 'Feedback', feedbackProps({ publish: true, cloneFlowId: '1234567890' }));

    const template = Template.fromStack(stack);
    template.hasResource('Custom::WhatsAppFlow', {
      Properties: {
        ServiceToken: { 'Fn::GetAtt': [Match.stringLikeRegexp('WhatsAppFlowProviderframeworkonEvent'), 'Arn'] },
        WhatsAppBusinessAccountId: WABA,
        FlowName: 'customer_feedback',
        Categories: ['SURVEY'],
        FlowJsonBucket: 'cdk-hnb659fds-assets-111111111111-us-east-1',
        FlowJsonKey: Match.stringLikeRegexp('^[0-9a-f]{64}\\.json$'),
        Publish: 'true',
        CloneFlowId: '1234567890',
        // The wait for Meta's rate limit (40 minutes by default) and 15 minutes for the last invocation.
        ServiceTimeout: '3300',
      },
      DeletionPolicy: 'Delete',
    });
    expect(JSON.stringify(template.toJSON())).not.toContain('Would you recommend us');
  });

  test('a changed Flow JSON file is a changed asset key, so CloudFormation sends an Update', () => {
    const key = (file: string) => {
      const stack = newStack();
      new WhatsAppFlow(stack, 'Feedback', feedbackProps({ flowJson: FlowJson.fromFile(file) }));
      return Template.fromStack(stack).findResources('Custom::WhatsAppFlow');
    };
    const original = JSON.stringify(key(FEEDBACK_JSON));
    const changed = JSON.parse(fs.readFileSync(FEEDBACK_JSON, 'utf-8'));
    changed.screens[0].title = 'Feedback, part 1';
    expect(JSON.stringify(key(tempFile('feedback.json', JSON.stringify(changed))))).not.toEqual(original);
    expect(JSON.stringify(key(FEEDBACK_JSON))).toEqual(original);
  });

  test('the handler may write its logs, use only the Flow actions, on the WABA ARN, and read only the Flow JSON asset', () => {
    const stack = newStack();
    new WhatsAppFlow(stack, 'Feedback', feedbackProps());

    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^WhatsAppFlowProviderOnEventRole') }],
      PolicyDocument: {
        Statement: [
          {
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Effect: 'Allow',
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^WhatsAppFlowProviderOnEventLogs'), 'Arn'] },
          },
          {
            // Its own stack's status only: a rollback may publish a live Flow's previous JSON again.
            Action: 'cloudformation:DescribeStacks',
            Effect: 'Allow',
            Resource: { Ref: 'AWS::StackId' },
          },
          {
            Action: FLOW_ACTIONS,
            Effect: 'Allow',
            Resource: wabaArn('0123456789abcdef0123456789abcdef'),
          },
          {
            Action: 's3:GetObject',
            Effect: 'Allow',
            Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, Match.stringLikeRegexp('^:s3:::cdk-hnb659fds-assets-111111111111-us-east-1/[0-9a-f]{64}\\.json$')]] },
          },
        ],
      },
    });
  });

  test('no AWS managed policy on the roles the library makes', () => {
    const stack = newStack();
    new WhatsAppFlow(stack, 'Feedback', feedbackProps());
    const roles = Template.fromStack(stack).findResources('AWS::IAM::Role');
    // The handler's, the framework's, its waiter functions' and the waiter state machine's.
    expect(Object.keys(roles)).toHaveLength(4);
    for (const role of Object.values(roles)) expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });

  test('an operation only throttled waits: the handler is also isComplete, and fails it itself before the framework and CloudFormation', () => {
    const stack = newStack();
    stack.node.setContext(RATE_LIMIT_WAIT_CONTEXT, 20);
    new WhatsAppFlow(stack, 'Feedback', feedbackProps());
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ RATE_LIMIT_WAIT_MS: String(20 * 60_000) }) },
    });
    template.hasResourceProperties('Custom::WhatsAppFlow', { ServiceTimeout: String(35 * 60) });
    const machine = JSON.stringify(template.findResources('AWS::StepFunctions::StateMachine'));
    expect(machine).toContain('IntervalSeconds');
  });

  test.each([0, 46, 'soon'])('a wait of %p minutes is refused', (minutes) => {
    const stack = newStack();
    stack.node.setContext(RATE_LIMIT_WAIT_CONTEXT, minutes);
    new WhatsAppFlow(stack, 'Feedback', feedbackProps());
    expect(() => Template.fromStack(stack)).toThrow(/rateLimitWaitMinutes must be a whole number of minutes from 1 to 45/);
  });

  test('the preview URL is read at creation only when the stack uses it', () => {
    const stack = newStack();
    new WhatsAppFlow(stack, 'Unused', feedbackProps({ flowName: 'unused' }));
    const used = new WhatsAppFlow(stack, 'Used', feedbackProps({ flowName: 'used' }));
    new CfnOutput(stack, 'Preview', { value: used.previewUrl });
    const flows = Template.fromStack(stack).findResources('Custom::WhatsAppFlow');
    const byName = (name: string) => Object.values(flows).find((r) => r.Properties.FlowName === name)!.Properties;
    expect(byName('unused').ReadPreviewUrl).toBeUndefined();
    expect(byName('used').ReadPreviewUrl).toBe('true');
  });

  test('no social-messaging statement on * or on every WABA', () => {
    const stack = newStack();
    new WhatsAppFlow(stack, 'Feedback', feedbackProps());
    const policies = JSON.stringify(Template.fromStack(stack).findResources('AWS::IAM::Policy'));
    expect(policies).not.toMatch(/"Resource":"\*"/);
    expect(policies).not.toContain('waba/*');
  });

  test('a WABA ARN is used as given', () => {
    const stack = newStack();
    const arn = 'arn:aws:social-messaging:eu-west-1:222222222222:waba/abcdef';
    new WhatsAppFlow(stack, 'Feedback', feedbackProps({ whatsAppBusinessAccountId: arn }));
    const template = Template.fromStack(stack);
    template.hasResourceProperties('Custom::WhatsAppFlow', { WhatsAppBusinessAccountId: arn });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: FLOW_ACTIONS, Resource: arn })]) },
    });
  });

  test('one provider per stack, shared by three Flows', () => {
    const stack = newStack();
    new WhatsAppFlow(stack, 'One', feedbackProps({ flowName: 'one' }));
    new WhatsAppFlow(stack, 'Two', feedbackProps({ flowName: 'two', flowJson: FlowJson.fromFile(BOOKING_JSON) }));
    new WhatsAppFlow(stack, 'Three', feedbackProps({ flowName: 'three', whatsAppBusinessAccountId: 'waba-ffff' }));

    const template = Template.fromStack(stack);
    template.resourceCountIs('Custom::WhatsAppFlow', 3);
    // The handler and the Provider framework's functions (onEvent, isComplete, onTimeout), however many Flows.
    template.resourceCountIs('AWS::Lambda::Function', 4);
    const tokens = Object.values(template.findResources('Custom::WhatsAppFlow')).map((r) => JSON.stringify(r.Properties.ServiceToken));
    expect(new Set(tokens).size).toBe(1);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Action: FLOW_ACTIONS, Resource: wabaArn('ffff'),
        })]),
      },
    });
  });

  test('the handler runs on nodejs22.x with a bundled SDK, a timeout and log groups with retention', () => {
    const stack = newStack();
    new WhatsAppFlow(stack, 'Feedback', feedbackProps());
    const template = Template.fromStack(stack);

    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Handler: 'index.handler',
      Timeout: 300,
      LoggingConfig: { LogGroup: Match.anyValue() },
    });
    template.resourceCountIs('AWS::Logs::LogGroup', 2);
    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    const bundle = fs.readFileSync(path.join(__dirname, '..', '..', 'assets', 'provider', 'on-event.lambda', 'index.js'), 'utf-8');
    expect(bundle).toContain('CreateWhatsAppFlow');
  });

  test('RemovalPolicy.RETAIN is the DeletionPolicy and UpdateReplacePolicy alone: the handler is not told', () => {
    const stack = newStack();
    new WhatsAppFlow(stack, 'Feedback', feedbackProps({ removalPolicy: RemovalPolicy.RETAIN }));
    const [resource] = Object.values(Template.fromStack(stack).findResources('Custom::WhatsAppFlow'));
    expect(resource).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    expect(resource.Properties.RemovalPolicy).toBeUndefined();
  });

  test('applyRemovalPolicy works on the construct and sets the CloudFormation policies', () => {
    const stack = newStack();
    const flow = new WhatsAppFlow(stack, 'Feedback', feedbackProps());
    flow.applyRemovalPolicy(RemovalPolicy.RETAIN);
    Template.fromStack(stack).hasResource('Custom::WhatsAppFlow', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    const other = newStack();
    new WhatsAppFlow(other, 'Feedback', feedbackProps()).applyRemovalPolicy(RemovalPolicy.SNAPSHOT);
    expect(() => Template.fromStack(other)).toThrow(/WhatsAppFlow Test\/Feedback: removal policy SNAPSHOT is not supported/);
  });

  test('RemovalPolicy.apply (the aspect-style call) works too', () => {
    const stack = newStack();
    const flow = new WhatsAppFlow(stack, 'Feedback', feedbackProps());
    RemovalPolicies.of(stack).retain();
    Template.fromStack(stack).hasResource('Custom::WhatsAppFlow', { DeletionPolicy: 'Retain' });
    expect(flow.flowId).toBeDefined();
  });

  test('adoptExistingFlow is passed to the handler only when set', () => {
    const stack = newStack();
    new WhatsAppFlow(stack, 'Adopting', feedbackProps({ adoptExistingFlow: true }));
    new WhatsAppFlow(stack, 'Plain', feedbackProps({ flowName: 'other' }));
    const resources = Object.values(Template.fromStack(stack).findResources('Custom::WhatsAppFlow'));
    expect(resources.map((r) => r.Properties.AdoptExistingFlow)).toEqual(['true', undefined]);
  });

  describe('two Flows with one WABA and flowName fail the synth with both construct paths', () => {
    test('in one stack', () => {
      const stack = newStack();
      new WhatsAppFlow(stack, 'First', feedbackProps());
      new WhatsAppFlow(stack, 'Second', feedbackProps({ whatsAppBusinessAccountId: `arn:aws:social-messaging:us-east-1:111111111111:waba/${WABA.slice(5)}` }));
      expect(() => Template.fromStack(stack)).toThrow(/WhatsAppFlow Test\/Second: flowName 'customer_feedback' in .* is also declared by Test\/First.*another flowName/);
    });

    test('in two stacks of one app', () => {
      const app = new App();
      new WhatsAppFlow(new Stack(app, 'Dev'), 'Feedback', feedbackProps());
      new WhatsAppFlow(new Stack(app, 'Prod'), 'Feedback', feedbackProps());
      expect(() => app.synth()).toThrow(/WhatsAppFlow Prod\/Feedback: .* is also declared by Dev\/Feedback/);
    });

    test('with the same tokens in one stack', () => {
      const stack = newStack();
      const waba = new CfnParameter(stack, 'Waba').valueAsString;
      new WhatsAppFlow(stack, 'First', feedbackProps({ whatsAppBusinessAccountId: waba }));
      new WhatsAppFlow(stack, 'Second', feedbackProps({ whatsAppBusinessAccountId: waba }));
      expect(() => Template.fromStack(stack)).toThrow(/is also declared by Test\/First/);
    });

    test('but not with other names, other WABAs, or tokens of two stacks', () => {
      const app = new App();
      const stack = new Stack(app, 'One');
      new WhatsAppFlow(stack, 'A', feedbackProps());
      new WhatsAppFlow(stack, 'B', feedbackProps({ flowName: 'other' }));
      new WhatsAppFlow(stack, 'C', feedbackProps({ whatsAppBusinessAccountId: 'waba-ffff' }));
      for (const name of ['Two', 'Three']) {
        const other = new Stack(app, name);
        new WhatsAppFlow(other, 'A', feedbackProps({ whatsAppBusinessAccountId: new CfnParameter(other, 'Waba').valueAsString }));
      }
      expect(() => app.synth()).not.toThrow();
    });
  });

  test('attributes are CloudFormation tokens of the custom resource', () => {
    const stack = newStack();
    const flow = new WhatsAppFlow(stack, 'Feedback', feedbackProps());
    expect(stack.resolve(flow.flowId)).toEqual({ Ref: expect.stringMatching(/^Feedback/) });
    expect(stack.resolve(flow.flowStatus)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Feedback/), 'FlowStatus'] });
    expect(stack.resolve(flow.previewUrl)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Feedback/), 'PreviewUrl'] });
  });

  test('works in a stack without an explicit account and region', () => {
    const stack = new Stack(new App(), 'Agnostic');
    new WhatsAppFlow(stack, 'Feedback', feedbackProps());
    const template = Template.fromStack(stack);
    template.hasResourceProperties('Custom::WhatsAppFlow', {
      FlowJsonBucket: { 'Fn::Sub': 'cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}' },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Action: FLOW_ACTIONS,
          Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':social-messaging:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':waba/0123456789abcdef0123456789abcdef']] },
        })]),
      },
    });
  });

  test('a Flow without Flow JSON has no asset', () => {
    const stack = newStack();
    new WhatsAppFlow(stack, 'Empty', { whatsAppBusinessAccountId: WABA, flowName: 'empty', categories: [FlowCategory.OTHER] });
    const properties = Object.values(Template.fromStack(stack).findResources('Custom::WhatsAppFlow'))[0].Properties;
    expect(properties.FlowJsonKey).toBeUndefined();
    expect(properties.Publish).toEqual('false');
  });

  test('tokens are not checked at synth time', () => {
    const stack = newStack();
    const waba = new CfnParameter(stack, 'Waba').valueAsString;
    const name = new CfnParameter(stack, 'Name').valueAsString;
    new WhatsAppFlow(stack, 'Feedback', feedbackProps({ whatsAppBusinessAccountId: waba, flowName: name }));
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Action: FLOW_ACTIONS,
          Resource: {
            'Fn::Join': ['', [
              'arn:', { Ref: 'AWS::Partition' }, ':social-messaging:us-east-1:111111111111:waba/',
              { 'Fn::Select': [1, { 'Fn::Split': ['waba-', { Ref: 'Waba' }] }] },
            ]],
          },
        })]),
      },
    });
  });

  describe('synth-time checks name the construct', () => {
    test.each<[string, Partial<WhatsAppFlowProps>, RegExp]>([
      ['an empty flowName', { flowName: '' }, /flowName must be 1 to 200 characters long, not 0/],
      ['a flowName over 200 characters', { flowName: 'x'.repeat(201) }, /flowName must be 1 to 200 characters long, not 201/],
      ['no categories', { categories: [] }, /categories must hold 1 to 9 categories, not 0/],
      ['a repeated category', { categories: [FlowCategory.SURVEY, FlowCategory.SURVEY] }, /categories must be distinct/],
      ['a WABA that is neither id nor ARN', { whatsAppBusinessAccountId: '123456' }, /whatsAppBusinessAccountId '123456' is neither a WABA id/],
      ['publish without Flow JSON or clone', { publish: true, flowJson: undefined }, /publish: true needs a flowJson/],
      ['RemovalPolicy.SNAPSHOT', { removalPolicy: RemovalPolicy.SNAPSHOT }, /SNAPSHOT is not supported/],
    ])('%s', (_name, overrides, message) => {
      const stack = newStack();
      // Constructing succeeds: the synth reports the problem, with the construct's path.
      new WhatsAppFlow(stack, 'Feedback', feedbackProps(overrides));
      expect(synthErrors(stack)).toEqual([expect.stringMatching(/^\[Test\/Feedback\] WhatsAppFlow Test\/Feedback: /)]);
      expect(synthErrors(stack)[0]).toMatch(message);
    });

    test('every problem is listed, not only the first, one line each', () => {
      const stack = newStack();
      new WhatsAppFlow(stack, 'Feedback', feedbackProps({ flowName: '', categories: [] }));
      expect(synthErrors(stack)).toEqual([
        expect.stringMatching(/WhatsAppFlow Test\/Feedback: flowName must be 1 to 200/),
        expect.stringMatching(/WhatsAppFlow Test\/Feedback: categories must hold/),
      ]);
    });

    test('publish with a clone source and no Flow JSON is fine', () => {
      const stack = newStack();
      new WhatsAppFlow(stack, 'Feedback', feedbackProps({ publish: true, flowJson: undefined, cloneFlowId: '42' }));
      expect(synthErrors(stack)).toEqual([]);
    });

    test('a Flow JSON file that does not parse', () => {
      const file = tempFile('broken.json', '{ "version": "7.3", ');
      expect(() => Template.fromStack(flowStack(feedbackProps({ flowJson: FlowJson.fromFile(file) }))))
        .toThrow(/WhatsAppFlow Test\/Feedback: Flow JSON .*broken\.json has 1 error\(s\):\n {2}.*broken\.json:\$ {2}INVALID_JSON {2}The file is not valid JSON/);
    });

    test('a Flow JSON file over 10 MB', () => {
      const file = tempFile('huge.json', JSON.stringify({ version: '7.3', padding: 'x'.repeat(10 * 1024 * 1024) }));
      expect(() => Template.fromStack(flowStack(feedbackProps({ flowJson: FlowJson.fromFile(file) }))))
        .toThrow(/huge\.json:\$ {2}FLOW_TOO_LARGE {2}The Flow JSON is 10\.0 MB; the limit is 10 MB/);
    });

    test('a Flow JSON that breaks the Flow JSON rules fails the synth with every problem: file, path, code, message', () => {
      const flow = JSON.parse(fs.readFileSync(FEEDBACK_JSON, 'utf-8'));
      flow.screens[0].layout.children[0].children[4]['on-click-action'].next.name = 'NOWHERE';
      flow.screens[1].layout.children[0].children[0].type = 'Marquee';
      const file = tempFile('feedback.json', JSON.stringify(flow));
      const [message, ...others] = synthErrors(flowStack(feedbackProps({ flowJson: FlowJson.fromFile(file) })));
      expect(others).toEqual([]);
      expect(message).toMatch(/^\[Test\/Feedback\] WhatsAppFlow Test\/Feedback: Flow JSON .*feedback\.json has \d+ error\(s\):/);
      expect(message).toMatch(/feedback\.json:\$\.screens\[0\]\.layout\.children\[0\]\.children\[4\]\S* {2}NAVIGATE_UNKNOWN_SCREEN {2}\S/);
      expect(message).toMatch(/feedback\.json:\$\.screens\[1\]\.layout\.children\[0\]\.children\[0\]\S* {2}UNKNOWN_COMPONENT {2}\S/);
    });

    test('validateFlowJson: false turns the rules off for one Flow, but not the JSON and size limits', () => {
      const flow = JSON.parse(fs.readFileSync(FEEDBACK_JSON, 'utf-8'));
      flow.screens[1].layout.children[0].children[0].type = 'Marquee';
      const file = tempFile('feedback.json', JSON.stringify(flow));
      expect(synthErrors(flowStack(feedbackProps({ flowJson: FlowJson.fromFile(file), validateFlowJson: false })))).toEqual([]);
      const broken = tempFile('broken.json', '{');
      expect(() => Template.fromStack(flowStack(feedbackProps({ flowJson: FlowJson.fromFile(broken), validateFlowJson: false }))))
        .toThrow(/INVALID_JSON/);
    });

    test('warnings are shown and do not fail the synth', () => {
      const flow = JSON.parse(fs.readFileSync(FEEDBACK_JSON, 'utf-8'));
      flow.version = '6.0';
      const stack = newStack();
      new WhatsAppFlow(stack, 'Feedback', feedbackProps({ flowJson: FlowJson.fromFile(tempFile('feedback.json', JSON.stringify(flow))) }));
      AnnotationsOf.fromStack(stack).hasWarning('/Test/Feedback', Match.stringLikeRegexp('feedback\\.json:\\$\\.version {2}VERSION_NOTICE'));
    });

    test('a Flow JSON file that does not exist: reported alone, the Flow built without it', () => {
      const stack = flowStack(feedbackProps({ flowJson: FlowJson.fromFile('no/such/flow.json'), publish: true }));
      expect(synthErrors(stack)).toEqual([
        expect.stringMatching(/WhatsAppFlow Test\/Feedback: Flow JSON file no\/such\/flow\.json does not exist/),
      ]);
    });
  });
});

describe('FlowJson.fromObject', () => {
  test('serializes the object into an asset', () => {
    const stack = newStack();
    const definition = JSON.parse(fs.readFileSync(FEEDBACK_JSON, 'utf-8'));
    new WhatsAppFlow(stack, 'Feedback', feedbackProps({ flowJson: FlowJson.fromObject(definition) }));
    const properties = Object.values(Template.fromStack(stack).findResources('Custom::WhatsAppFlow'))[0].Properties;
    expect(properties.FlowJsonKey).toMatch(/^[0-9a-f]{64}\.json$/);
    const assembly = (stack.node.root as App).synth();
    const staged = fs.readdirSync(assembly.directory).filter((f) => f.startsWith('asset.') && f.endsWith('.json'));
    expect(staged.map((f) => JSON.parse(fs.readFileSync(path.join(assembly.directory, f), 'utf-8')))).toContainEqual(definition);
  });

  test('rejects tokens: the synth names the Flow that uses it', () => {
    const stack = newStack();
    const flowJson = FlowJson.fromObject({ version: stack.region === 'x' ? '7.3' : stack.urlSuffix });
    new WhatsAppFlow(stack, 'Feedback', feedbackProps({ flowJson }));
    expect(synthErrors(stack)).toEqual([expect.stringMatching(/WhatsAppFlow Test\/Feedback: the Flow JSON given to FlowJson.fromObject holds an unresolved token/)]);
  });
});

describe('WhatsAppFlow.fromFlowAttributes', () => {
  test('a Flow made elsewhere, with grants on its WABA', () => {
    const stack = newStack();
    const flow = WhatsAppFlow.fromFlowAttributes(stack, 'Imported', { whatsAppBusinessAccountId: 'waba-abc', flowId: '987' });
    const role = new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    flow.grantRead(role);

    expect(flow.flowId).toEqual('987');
    expect(stack.resolve(flow.whatsAppBusinessAccountArn)).toEqual(wabaArn('abc'));
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [{
          Action: ['social-messaging:GetWhatsAppFlow', 'social-messaging:GetWhatsAppFlowPreview', 'social-messaging:ListWhatsAppFlowAssets'],
          Effect: 'Allow',
          Resource: wabaArn('abc'),
        }],
      },
    });
  });

  test('grant gives the named actions', () => {
    const stack = newStack();
    const flow = new WhatsAppFlow(stack, 'Feedback', feedbackProps());
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    flow.grant(role, 'social-messaging:GetWhatsAppFlow');
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^Role') }],
      PolicyDocument: { Statement: [{ Action: 'social-messaging:GetWhatsAppFlow', Effect: 'Allow', Resource: wabaArn('0123456789abcdef0123456789abcdef') }] },
    });
  });
});

describe('dynamic Flows and their endpoint', () => {
  const DYNAMIC_JSON = path.join(__dirname, '..', 'validator', 'flows', 'valid', 'meta-appointment-booking-dynamic.json');
  const dynamicProps = (overrides: Partial<WhatsAppFlowProps> = {}) => feedbackProps({
    flowName: 'booking', categories: [FlowCategory.APPOINTMENT_BOOKING], flowJson: FlowJson.fromFile(DYNAMIC_JSON), ...overrides,
  });

  test('FlowEndpoint.fromUrl: the URL is passed to the handler as EndpointUri, metaAppId as MetaAppId', () => {
    const stack = newStack();
    new WhatsAppFlow(stack, 'Booking', dynamicProps({ endpoint: FlowEndpoint.fromUrl('https://flows.example.com/booking'), metaAppId: '1234567890', publish: true }));
    Template.fromStack(stack).hasResourceProperties('Custom::WhatsAppFlow', {
      EndpointUri: 'https://flows.example.com/booking', MetaAppId: '1234567890', Publish: 'true',
    });
  });

  test('dynamic Flow JSON without an endpoint fails the synth, saying what to add', () => {
    expect(() => Template.fromStack(flowStack(dynamicProps(), 'Booking')))
      .toThrow(/WhatsAppFlow Test\/Booking: Flow JSON .*meta-appointment-booking-dynamic.json talks to an endpoint.*add `endpoint: FlowEndpoint.fromUrl/);
  });

  test('an endpoint on static Flow JSON is a warning', () => {
    const stack = newStack();
    new WhatsAppFlow(stack, 'Feedback', feedbackProps({ endpoint: FlowEndpoint.fromUrl('https://flows.example.com/feedback') }));
    AnnotationsOf.fromStack(stack).hasWarning('/Test/Feedback', Match.stringLikeRegexp('never talks to an endpoint'));
  });

  test.each(['http://flows.example.com/booking', 'flows.example.com', 'ftp://x.example.com'])('a plain URL must be https:// (%s)', (url) => {
    expect(() => Template.fromStack(flowStack(dynamicProps({ endpoint: FlowEndpoint.fromUrl(url) }), 'Booking')))
      .toThrow(/Test\/Booking: the Flow endpoint .* is not an https:\/\/ URL/);
  });

  test('a token URL is checked at deploy time', () => {
    const stack = newStack();
    const url = new CfnParameter(stack, 'Url').valueAsString;
    new WhatsAppFlow(stack, 'Booking', dynamicProps({ endpoint: FlowEndpoint.fromUrl(url) }));
    Template.fromStack(stack).hasResourceProperties('Custom::WhatsAppFlow', { EndpointUri: { Ref: 'Url' } });
  });

  test('the Flow is created after what its endpoint depends on', () => {
    const stack = newStack();
    const dependency = new CfnResource(stack, 'EndpointFunctionUrl', { type: 'AWS::Lambda::Url', properties: { TargetFunctionArn: 'arn', AuthType: 'NONE' } });
    const endpoint: IFlowEndpoint = { bind: () => ({ url: 'https://abc.lambda-url.us-east-1.on.aws/', dependsOn: [dependency] }) };
    new WhatsAppFlow(stack, 'Booking', dynamicProps({ endpoint, publish: true }));
    const [resource] = Object.values(Template.fromStack(stack).findResources('Custom::WhatsAppFlow'));
    expect(resource.DependsOn).toContain('EndpointFunctionUrl');
  });

  test('metaAppId must be digits', () => {
    expect(() => Template.fromStack(flowStack(dynamicProps({ endpoint: FlowEndpoint.fromUrl('https://x.example.com'), metaAppId: 'my-app' }))))
      .toThrow(/metaAppId 'my-app' is not a Meta app id/);
  });
});

test('a validator warning is a CDK warning with the rule code, which Annotations can acknowledge', () => {
  const flowJson = FlowJson.fromObject({
    version: '7.3',
    screens: [{
      id: 'WELCOME',
      title: 'Book Your Next Appointment',
      terminal: true,
      success: true,
      layout: { type: 'SingleColumnLayout', children: [{ 'type': 'Footer', 'label': 'Done', 'on-click-action': { name: 'complete', payload: {} } }] },
    }],
  });
  const warned = newStack();
  new WhatsAppFlow(warned, 'Shop', feedbackProps({ flowJson }));
  AnnotationsOf.fromStack(warned).hasWarning('/Test/Shop', Match.stringLikeRegexp('DESIGN_SENTENCE_CASE'));

  const quiet = newStack();
  const flow = new WhatsAppFlow(quiet, 'Shop', feedbackProps({ flowJson }));
  Annotations.of(flow).acknowledgeWarning('cdk-whatsapp-flows:DESIGN_SENTENCE_CASE', 'our brand writes titles in capitals');
  AnnotationsOf.fromStack(quiet).hasNoWarning('/Test/Shop', Match.stringLikeRegexp('DESIGN_SENTENCE_CASE'));
});
