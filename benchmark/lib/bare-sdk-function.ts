/**
 * The floor the endpoint's overhead is measured against: a function that makes the same two AWS calls as the
 * endpoint for a data_exchange (one KMS Decrypt of Meta's encrypted AES key, one Invoke of the user's function with
 * the plain request) with bare SDK clients (default configuration) and nothing else: no signature, no AES, no
 * JSON protocol, no timeouts. The benchmark bundles it as the endpoint is bundled and runs it in the same kind of
 * sandbox against the same stand-ins.
 */
import { DecryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';

const kms = new KMSClient({});
const lambda = new LambdaClient({});

/** The Function URL event the endpoint gets, plus `plain`: the decrypted request, given so that nothing is decrypted here. */
export interface BareEvent {
  readonly body: string;
  readonly plain: string;
}

export async function handler(event: BareEvent): Promise<{ statusCode: number; body: string }> {
  const body = JSON.parse(event.body);
  await kms.send(new DecryptCommand({
    KeyId: process.env.FLOW_ENDPOINT_KMS_KEY_ID,
    CiphertextBlob: Buffer.from(body.encrypted_aes_key, 'base64'),
    EncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
  }));
  const result = await lambda.send(new InvokeCommand({ FunctionName: process.env.FLOW_ENDPOINT_HANDLER, Payload: Buffer.from(event.plain) }));
  return { statusCode: 200, body: Buffer.from(result.Payload ?? new Uint8Array()).toString('utf8') };
}
