import { App, CfnParameter, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { IWhatsAppPhoneNumber, WhatsAppPhoneNumber } from '../../src';

const ID = 'phone-number-id-0123456789abcdef0123456789abcdef';
const ARN_IN_EU = 'arn:aws:social-messaging:eu-west-1:222222222222:phone-number-id/fedcba9876543210fedcba9876543210';
/** The ARN the stack makes from the id: its partition is the stack's (a Ref), its account and region the stack's. */
const ARN_OF_ID = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':social-messaging:us-east-1:111111111111:phone-number-id/0123456789abcdef0123456789abcdef']] };

function newStack(): Stack {
  return new Stack(new App(), 'Test', { env: { account: '111111111111', region: 'us-east-1' } });
}

function sender(stack: Stack): lambda.Function {
  return new lambda.Function(stack, 'Sender', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => {};'),
  });
}

/** Every statement of the stack's IAM policies. */
function statements(stack: Stack): any[] {
  return Object.values<any>(Template.fromStack(stack).findResources('AWS::IAM::Policy'))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement);
}

describe('WhatsAppPhoneNumber', () => {
  test('fromPhoneNumberId: the id as given, the ARN in the stack\'s account and region, without the id\'s prefix', () => {
    const stack = newStack();
    const number = WhatsAppPhoneNumber.fromPhoneNumberId(stack, 'Number', ID);
    expect(number.phoneNumberId).toBe(ID);
    expect(stack.resolve(number.phoneNumberArn)).toEqual(ARN_OF_ID);
    Template.fromStack(stack).templateMatches({});
  });

  test('fromPhoneNumberArn: the ARN as given, the id from it, the account and region of the ARN', () => {
    const stack = newStack();
    const number = WhatsAppPhoneNumber.fromPhoneNumberArn(stack, 'Number', ARN_IN_EU);
    expect(number.phoneNumberArn).toBe(ARN_IN_EU);
    expect(number.phoneNumberId).toBe('phone-number-id-fedcba9876543210fedcba9876543210');
    expect(number.env).toEqual({ account: '222222222222', region: 'eu-west-1' });
  });

  test('grantSendMessage: SendWhatsAppMessage on the number\'s exact ARN, nothing else, never *', () => {
    const stack = newStack();
    const fn = sender(stack);
    const grant = WhatsAppPhoneNumber.fromPhoneNumberId(stack, 'Number', ID).grantSendMessage(fn);
    expect(grant.success).toBe(true);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [{ Effect: 'Allow', Action: 'social-messaging:SendWhatsAppMessage', Resource: ARN_OF_ID }],
        Version: '2012-10-17',
      },
      Roles: [{ Ref: stack.getLogicalId(fn.role!.node.defaultChild as iam.CfnRole) }],
    });
    expect(statements(stack)).toHaveLength(1);
  });

  test('grantSendMessage from an ARN names that ARN; grant() takes other actions on the same resource', () => {
    const stack = newStack();
    const fn = sender(stack);
    const number: IWhatsAppPhoneNumber = WhatsAppPhoneNumber.fromPhoneNumberArn(stack, 'Number', ARN_IN_EU);
    number.grantSendMessage(fn);
    number.grant(fn, 'social-messaging:GetWhatsAppMessageMedia');
    expect(statements(stack)).toEqual([
      { Effect: 'Allow', Action: 'social-messaging:SendWhatsAppMessage', Resource: ARN_IN_EU },
      { Effect: 'Allow', Action: 'social-messaging:GetWhatsAppMessageMedia', Resource: ARN_IN_EU },
    ]);
  });

  test('a token id resolves to the ARN at deploy time', () => {
    const stack = newStack();
    const param = new CfnParameter(stack, 'PhoneNumberId');
    const fn = sender(stack);
    WhatsAppPhoneNumber.fromPhoneNumberId(stack, 'Number', param.valueAsString).grantSendMessage(fn);
    const [statement] = statements(stack);
    expect(statement.Action).toBe('social-messaging:SendWhatsAppMessage');
    expect(statement.Resource).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':social-messaging:us-east-1:111111111111:phone-number-id/',
        { 'Fn::Select': [1, { 'Fn::Split': ['phone-number-id-', { Ref: 'PhoneNumberId' }] }] }]],
    });
  });

  test('a token ARN is granted as given, and its id is made from it at deploy time', () => {
    const stack = newStack();
    const param = new CfnParameter(stack, 'PhoneNumberArn');
    const fn = sender(stack);
    const number = WhatsAppPhoneNumber.fromPhoneNumberArn(stack, 'Number', param.valueAsString);
    number.grantSendMessage(fn);
    expect(statements(stack)).toEqual([{ Effect: 'Allow', Action: 'social-messaging:SendWhatsAppMessage', Resource: { Ref: 'PhoneNumberArn' } }]);
    expect(stack.resolve(number.phoneNumberId)).toEqual({
      'Fn::Join': ['', ['phone-number-id-', { 'Fn::Select': [1, { 'Fn::Split': ['/', { 'Fn::Select': [5, { 'Fn::Split': [':', { Ref: 'PhoneNumberArn' }] }] }] }] }]],
    });
  });

  test('a malformed id or ARN fails at once, pointing to the other factory when it fits', () => {
    const stack = newStack();
    expect(() => WhatsAppPhoneNumber.fromPhoneNumberId(stack, 'A', '+15551234567'))
      .toThrow("WhatsAppPhoneNumber.fromPhoneNumberId Test/A: '+15551234567' is not a phone number id ('phone-number-id-' and letters or digits)");
    expect(() => WhatsAppPhoneNumber.fromPhoneNumberId(stack, 'B', ARN_IN_EU)).toThrow(/for an ARN, use fromPhoneNumberArn/);
    expect(() => WhatsAppPhoneNumber.fromPhoneNumberArn(stack, 'C', ID)).toThrow(/for an id, use fromPhoneNumberId/);
    expect(() => WhatsAppPhoneNumber.fromPhoneNumberArn(stack, 'D', 'arn:aws:social-messaging:us-east-1:111111111111:waba/0123'))
      .toThrow(/is not a phone number ARN/);
  });
});
