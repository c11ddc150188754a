import { ServiceError } from './errors';

/** What PutWhatsAppBusinessPublicKey was given for one phone number: exactly one of the two. */
export interface RegisteredKey {
  readonly businessPublicKey?: string;
  readonly kmsKeyArn?: string;
}

/**
 * Business public keys per phone number id. With `kmsKeyArn`, the real service reads the public key from KMS;
 * here `resolveKmsKey` stands in for that (tests point it at the key they made). Meta signs what it stores:
 * `signatureStatus` lets a test make that signature go stale (`MISMATCH`).
 */
export class PublicKeyStore {
  /** What GetWhatsAppBusinessPublicKey reports for each phone number id; VALID unless set. */
  public readonly signatureStatus = new Map<string, 'VALID' | 'MISMATCH'>();
  private readonly keys = new Map<string, RegisteredKey>();

  /** The PEM the service would read from KMS for a key ARN. @default - a PEM naming the ARN */
  public resolveKmsKey: (kmsKeyArn: string) => string = (arn) => `-----BEGIN PUBLIC KEY-----\n${Buffer.from(arn).toString('base64')}\n-----END PUBLIC KEY-----\n`;
  put(phoneNumberId: string, key: RegisteredKey): void {
    if (!phoneNumberId.startsWith('phone-number-id-')) {
      throw new ServiceError('ResourceNotFoundException', `Phone number ${phoneNumberId} is not linked.`);
    }
    if ((key.businessPublicKey === undefined) === (key.kmsKeyArn === undefined)) {
      throw new ServiceError('ValidationException', 'Exactly one of businessPublicKey and kmsKeyArn must be given.');
    }
    this.keys.set(phoneNumberId, key);
  }

  get(phoneNumberId: string): { businessPublicKey: string; businessPublicKeySignatureStatus: string } {
    const key = this.keys.get(phoneNumberId);
    if (!key) throw new ServiceError('ResourceNotFoundException', `No business public key for ${phoneNumberId}.`);
    return {
      businessPublicKey: key.businessPublicKey ?? this.resolveKmsKey(key.kmsKeyArn!),
      businessPublicKeySignatureStatus: this.signatureStatus.get(phoneNumberId) ?? 'VALID',
    };
  }

  /** What was registered for a phone number id (for assertions). */
  registered(phoneNumberId: string): RegisteredKey | undefined {
    return this.keys.get(phoneNumberId);
  }

  clear(): void {
    this.keys.clear();
    this.signatureStatus.clear();
  }
}
