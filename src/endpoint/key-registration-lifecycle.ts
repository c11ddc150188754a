import { SocialMessagingClient } from '@aws-sdk/client-socialmessaging';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { KeyRegistrationProperties } from './contract';
import { InvocationBudget, withinBudget } from '../provider/budget';
import { FlowFailure, truncate } from '../provider/failure';
import { GetWhatsAppBusinessPublicKeyCommand, PutWhatsAppBusinessPublicKeyCommand } from '../provider/social-messaging-extension';

/** What the Provider framework expects back from `onEvent`. */
export interface KeyRegistrationResponse {
  readonly PhysicalResourceId: string;
  readonly Data: Record<string, string>;
}

export interface KeyRegistrationDependencies extends InvocationBudget {
  readonly socialMessaging: SocialMessagingClient;
}

/** Errors that say the number or the key is not usable: retrying cannot help, the person deploying can. */
const REFUSALS = ['ResourceNotFoundException', 'AccessDeniedException', 'ValidationException', 'InvalidParametersException'];

/** How often a MISMATCH is read again before it fails the deploy: Meta may take a moment to sign a new key. */
const MISMATCH_READS = 3;

/**
 * Registers a KMS key as the business public key of phone numbers (PutWhatsAppBusinessPublicKey), and checks that
 * Meta signed it (GetWhatsAppBusinessPublicKey).
 *
 * - Create and Update put the key for every phone number of the new properties: a rotated key, a new number and a
 *   rollback are all "put this key here again", and putting the same key twice is harmless.
 * - Delete, and a number that leaves the list, call nothing: there is no API to unset a business public key. The key
 *   stays registered for those numbers until another one is put; once the KMS key is gone, Meta's requests for them
 *   fail with 421.
 * - The physical id is the ARN of the key registered last: an Update that rotates the key returns the new key's ARN.
 *   CloudFormation then sends a Delete for the old id (after the update, or for the new one after a rollback), and a
 *   Delete calls nothing, so the key that the Update (or the rollback's Update) put stays registered.
 */
export class KeyRegistrationLifecycle {
  constructor(private readonly deps: KeyRegistrationDependencies) {}

  public async handle(event: CloudFormationCustomResourceEvent): Promise<KeyRegistrationResponse> {
    const properties = event.ResourceProperties as unknown as KeyRegistrationProperties;
    switch (event.RequestType) {
      case 'Create':
        this.deps.log(`Create: business public key ${properties.KmsKeyArn} for ${properties.PhoneNumberIds.length} phone number(s)`);
        await this.register(properties);
        return { PhysicalResourceId: properties.KmsKeyArn, Data: {} };
      case 'Update': {
        const old = event.OldResourceProperties as unknown as KeyRegistrationProperties;
        const dropped = (old.PhoneNumberIds ?? []).filter((id) => !properties.PhoneNumberIds.includes(id));
        this.deps.log(`Update: business public key ${properties.KmsKeyArn} for ${properties.PhoneNumberIds.length} phone number(s)`);
        await this.register(properties);
        if (dropped.length) {
          this.deps.log(`left as they are (a business public key cannot be unset): ${dropped.join(', ')}`);
        }
        return { PhysicalResourceId: properties.KmsKeyArn, Data: {} };
      }
      case 'Delete':
        this.deps.log(`Delete: nothing to call; the business public key stays registered for ${(properties.PhoneNumberIds ?? []).join(', ')}`);
        return { PhysicalResourceId: event.PhysicalResourceId, Data: {} };
    }
  }

  private async register(properties: KeyRegistrationProperties): Promise<void> {
    const kmsKeyArn = properties.KmsKeyArn;
    for (const phoneNumberId of properties.PhoneNumberIds) {
      try {
        await this.call('PutWhatsAppBusinessPublicKey', () =>
          this.deps.socialMessaging.send(new PutWhatsAppBusinessPublicKeyCommand({ originationPhoneNumberId: phoneNumberId, kmsKeyArn })));
      } catch (error) {
        const name = (error as Error).name;
        if (!REFUSALS.includes(name)) throw error;
        throw new FlowFailure(`PutWhatsAppBusinessPublicKey for ${phoneNumberId} failed (${name}: ${truncate((error as Error).message, 300)}). `
          + 'Check that the phone number is linked to AWS End User Messaging Social in this account and region, and that '
          + `${kmsKeyArn} is an RSA_2048 ENCRYPT_DECRYPT key whose key policy lets social-messaging.amazonaws.com call kms:GetPublicKey.`);
      }
      await this.checkSignature(phoneNumberId, kmsKeyArn);
      this.deps.log(`registered for ${phoneNumberId}`);
    }
  }

  /** Fails when Meta's copy of the key is not signed for the number, after reading it again a few times. */
  private async checkSignature(phoneNumberId: string, kmsKeyArn: string): Promise<void> {
    for (let read = 1; ; read++) {
      const key = await this.call('GetWhatsAppBusinessPublicKey', () =>
        this.deps.socialMessaging.send(new GetWhatsAppBusinessPublicKeyCommand({ originationPhoneNumberId: phoneNumberId })));
      const status = key.businessPublicKeySignatureStatus;
      if (status !== 'MISMATCH') return;
      const delay = (this.deps.retryBaseDelayMs ?? 500) * 2 ** read;
      if (read >= MISMATCH_READS || delay >= this.deps.remainingMs()) break;
      this.deps.log(`GetWhatsAppBusinessPublicKey: MISMATCH for ${phoneNumberId}, reading again in ${delay} ms`);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
    throw new FlowFailure(`The business public key of ${phoneNumberId} has signature status MISMATCH: Meta holds a key that `
      + `is not signed for this number, although ${kmsKeyArn} was just put. Another key may have been registered for the `
      + 'number at the same time (another stack, WhatsApp Manager or the API): make sure only this WhatsAppFlowEndpoint '
      + 'registers a key for it, check that the phone number is linked to AWS End User Messaging Social in this account, '
      + 'and deploy again.');
  }

  /** One request, retried within the budget; a registration has nothing to clean up, so it may use all of it. */
  private call<Output>(operation: string, send: () => Promise<Output>): Promise<Output> {
    return withinBudget(operation, send, this.deps, true);
  }
}
