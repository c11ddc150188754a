/**
 * A phone number linked to AWS End User Messaging Social is named by its id (`phone-number-id-0123…`) or by its ARN
 * (`arn:<partition>:social-messaging:<region>:<account>:phone-number-id/0123…`, the id without its prefix). One
 * place for both names, for the phone-number reference and the endpoint alike.
 */
import { Fn, Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

export const PHONE_NUMBER_ID = /^phone-number-id-([0-9A-Za-z]+)$/;
export const PHONE_NUMBER_ARN = /^arn:[^:]+:social-messaging:[^:]*:[^:]*:phone-number-id\/([0-9A-Za-z]+)$/;
export const PHONE_NUMBER_ID_PREFIX = 'phone-number-id-';

/** The ARN of a phone number in the scope's stack's account and region, from its id or its ARN. */
export function phoneNumberArnOf(scope: IConstruct, idOrArn: string): string {
  if (!Token.isUnresolved(idOrArn) && PHONE_NUMBER_ARN.test(idOrArn)) return idOrArn;
  const resourceName = Token.isUnresolved(idOrArn)
    ? Fn.select(1, Fn.split(PHONE_NUMBER_ID_PREFIX, idOrArn))
    : idOrArn.slice(PHONE_NUMBER_ID_PREFIX.length);
  return Stack.of(scope).formatArn({ service: 'social-messaging', resource: 'phone-number-id', resourceName });
}

/** The id (`phone-number-id-…`) of a phone number, from its id or its ARN; a token is taken as an id. */
export function phoneNumberIdOf(idOrArn: string): string {
  return Token.isUnresolved(idOrArn) ? idOrArn : idOrArn.replace(PHONE_NUMBER_ARN, `${PHONE_NUMBER_ID_PREFIX}$1`);
}
