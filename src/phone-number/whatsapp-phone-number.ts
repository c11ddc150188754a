import { Arn, ArnFormat, Fn, IResource, Resource, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { PHONE_NUMBER_ARN, PHONE_NUMBER_ID, PHONE_NUMBER_ID_PREFIX as ID_PREFIX, phoneNumberArnOf } from './phone-number-names';


/** A phone number of a WhatsApp Business Account, linked to AWS End User Messaging Social. */
export interface IWhatsAppPhoneNumber extends IResource {
  /**
   * The phone number's id, `phone-number-id-…`: the `originationPhoneNumberId` of `SendWhatsAppMessage`.
   *
   * @attribute
   */
  readonly phoneNumberId: string;

  /**
   * The phone number's ARN, `arn:<partition>:social-messaging:<region>:<account>:phone-number-id/…`: the resource
   * that IAM policies for sending from it name.
   *
   * @attribute
   */
  readonly phoneNumberArn: string;

  /** Grants `grantee` the given social-messaging actions on this phone number, and on nothing else. */
  grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant;

  /**
   * Grants `grantee` permission to send WhatsApp messages from this phone number (`social-messaging:SendWhatsAppMessage`
   * on its ARN): a Flow message, a message template (with a FLOW button or not), any message.
   */
  grantSendMessage(grantee: iam.IGrantable): iam.Grant;
}

abstract class WhatsAppPhoneNumberBase extends Resource implements IWhatsAppPhoneNumber {
  public abstract readonly phoneNumberId: string;
  public abstract readonly phoneNumberArn: string;

  public grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions, resourceArns: [this.phoneNumberArn] });
  }

  public grantSendMessage(grantee: iam.IGrantable): iam.Grant {
    return this.grant(grantee, 'social-messaging:SendWhatsAppMessage');
  }
}

/**
 * A phone number of a WhatsApp Business Account, linked to AWS End User Messaging Social (in the console, with the
 * account): this library does not create phone numbers, it references them to grant sending from them.
 *
 * ```ts
 * const number = WhatsAppPhoneNumber.fromPhoneNumberId(this, 'Sender', 'phone-number-id-0123456789abcdef0123456789abcdef');
 * number.grantSendMessage(sendFunction);   // social-messaging:SendWhatsAppMessage on this number's ARN only
 * ```
 *
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsendusermessagingsocial.html
 */
export class WhatsAppPhoneNumber {
  /**
   * A phone number by its id, `phone-number-id-…` (`aws socialmessaging get-linked-whatsapp-business-account`
   * lists them). The ARN is made in the scope's stack's account and region.
   *
   * A token must resolve to a `phone-number-id-…` id.
   */
  public static fromPhoneNumberId(scope: Construct, id: string, phoneNumberId: string): IWhatsAppPhoneNumber {
    if (!Token.isUnresolved(phoneNumberId) && !PHONE_NUMBER_ID.test(phoneNumberId)) {
      throw new Error(`WhatsAppPhoneNumber.fromPhoneNumberId ${scope.node.path}/${id}: '${phoneNumberId}' is not a phone number id `
        + `('phone-number-id-' and letters or digits)${PHONE_NUMBER_ARN.test(phoneNumberId) ? ': for an ARN, use fromPhoneNumberArn' : ''}`);
    }
    class Import extends WhatsAppPhoneNumberBase {
      public readonly phoneNumberId = phoneNumberId;
      public readonly phoneNumberArn = phoneNumberArnOf(scope, phoneNumberId);
    }
    return new Import(scope, id);
  }

  /**
   * A phone number by its ARN, `arn:<partition>:social-messaging:<region>:<account>:phone-number-id/…`. The
   * reference belongs to the ARN's account and region.
   */
  public static fromPhoneNumberArn(scope: Construct, id: string, phoneNumberArn: string): IWhatsAppPhoneNumber {
    if (!Token.isUnresolved(phoneNumberArn) && !PHONE_NUMBER_ARN.test(phoneNumberArn)) {
      throw new Error(`WhatsAppPhoneNumber.fromPhoneNumberArn ${scope.node.path}/${id}: '${phoneNumberArn}' is not a phone number ARN `
        + `('arn:<partition>:social-messaging:<region>:<account>:phone-number-id/…')${PHONE_NUMBER_ID.test(phoneNumberArn) ? ': for an id, use fromPhoneNumberId' : ''}`);
    }
    const resourceName = Arn.split(phoneNumberArn, ArnFormat.SLASH_RESOURCE_NAME).resourceName!;
    class Import extends WhatsAppPhoneNumberBase {
      public readonly phoneNumberId = Token.isUnresolved(phoneNumberArn) ? Fn.join('', [ID_PREFIX, resourceName]) : `${ID_PREFIX}${resourceName}`;
      public readonly phoneNumberArn = phoneNumberArn;
    }
    return new Import(scope, id, { environmentFromArn: phoneNumberArn });
  }

  private constructor() {
  }
}
