/**
 * Local stand-ins for the three AWS services the shipped endpoint function calls, on 127.0.0.1, speaking their
 * real protocols so that the real bundled SDK clients talk to them:
 * - KMS `TrentService.Decrypt` (awsJson1_1): RSA-OAEP-SHA-256 decryption with a key pair the test made;
 * - Lambda `Invoke` (restJson1, `POST /2015-03-31/functions/{name}/invocations`): the user's function, played by a
 *   test callback;
 * - Secrets Manager `secretsmanager.GetSecretValue` (awsJson1_1): the Meta app secret.
 */
import { constants, KeyObject, privateDecrypt } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

/** What the user's function does with one request. */
export type UserFunctionBehaviour =
  | { readonly payload: unknown }
  /** It throws: Lambda answers 200 with X-Amz-Function-Error and its error payload. */
  | { readonly errorType: string; readonly errorMessage: string }
  /** It takes this long, then answers `payload`. */
  | { readonly delayMs: number; readonly payload: unknown }
  /** Lambda itself refuses the Invoke (throttled, not found, ...) with this error and HTTP status. */
  | { readonly invokeError: string; readonly status: number };

export interface StandInCall {
  readonly service: 'kms' | 'lambda' | 'secretsmanager';
  readonly operation: string;
  /** The decoded request body (the Invoke payload for Lambda). */
  readonly body: any;
  readonly path: string;
  /** When the stand-in received it (Date.now()). */
  readonly at: number;
}

const DEFAULT_SECRET_STRING = 'meta-app-secret';

export class AwsStandIn {
  public readonly calls: StandInCall[] = [];
  /** The key ARN Decrypt accepts; another KeyId fails with NotFoundException. */
  public keyArn = 'arn:aws:kms:us-east-1:111111111111:key/00000000-0000-0000-0000-000000000001';
  /** The SecretString GetSecretValue answers; `reset()` sets it back. */
  public secretString = DEFAULT_SECRET_STRING;
  /** More keys Decrypt accepts, by ARN: the previous key of a rotation. */
  private readonly otherKeys = new Map<string, KeyObject>();
  /** The next KMS Decrypt calls fail with these errors (name and HTTP status). */
  public kmsFaults: Array<{ name: string; status: number }> = [];
  private server?: Server;
  private address?: string;

  constructor(private privateKey: KeyObject) {}

  /** The user's function: what it does with each request. */
  public userFunction: (request: any) => UserFunctionBehaviour = () => ({ payload: {} });

  /** Decrypt with another private key from now on: a rotated key. */
  setPrivateKey(key: KeyObject): void {
    this.privateKey = key;
  }

  /** Another key that Decrypt accepts under its own ARN (as KMS keeps a rotated-out key). */
  addKey(arn: string, key: KeyObject): void {
    this.otherKeys.set(arn, key);
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((e: Error) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: `stand-in bug: ${e.message}` }));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.address = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
    return this.address;
  }

  /** The stand-in's endpoint URL, once started. */
  get url(): string {
    if (!this.address) throw new Error('the stand-in has not been started');
    return this.address;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server?.close((e) => (e ? reject(e) : resolve()));
      this.server?.closeAllConnections();
    });
  }

  reset(): void {
    this.calls.length = 0;
    this.kmsFaults = [];
    this.secretString = DEFAULT_SECRET_STRING;
    this.userFunction = () => ({ payload: {} });
  }

  count(service: StandInCall['service']): number {
    return this.calls.filter((c) => c.service === service).length;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const target = String(req.headers['x-amz-target'] ?? '');
    const path = req.url ?? '';
    if (target === 'TrentService.Decrypt') return this.decrypt(JSON.parse(raw), res);
    if (target === 'secretsmanager.GetSecretValue') return this.getSecret(JSON.parse(raw), res);
    const invoke = /^\/2015-03-31\/functions\/([^/]+)\/invocations/.exec(path);
    if (req.method === 'POST' && invoke) return this.invoke(decodeURIComponent(invoke[1]), raw, res);
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ message: `no route for ${req.method} ${path} ${target}` }));
  }

  private json(res: ServerResponse, status: number, body: unknown, type = 'application/x-amz-json-1.1'): void {
    res.writeHead(status, { 'content-type': type });
    res.end(JSON.stringify(body));
  }

  private decrypt(body: any, res: ServerResponse): void {
    this.calls.push({ service: 'kms', operation: 'Decrypt', body, path: '/', at: Date.now() });
    const fault = this.kmsFaults.shift();
    if (fault) return this.json(res, fault.status, { __type: fault.name, message: `injected ${fault.name}` });
    const key = body.KeyId === this.keyArn ? this.privateKey : this.otherKeys.get(body.KeyId);
    if (!key) return this.json(res, 400, { __type: 'NotFoundException', message: `Key '${body.KeyId}' does not exist` });
    if (body.EncryptionAlgorithm !== 'RSAES_OAEP_SHA_256') {
      return this.json(res, 400, { __type: 'InvalidCiphertextException', message: 'wrong algorithm' });
    }
    let plaintext: Buffer;
    try {
      plaintext = privateDecrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
        Buffer.from(body.CiphertextBlob, 'base64'));
    } catch {
      return this.json(res, 400, { __type: 'InvalidCiphertextException', message: 'The ciphertext is invalid.' });
    }
    this.json(res, 200, { KeyId: body.KeyId, Plaintext: plaintext.toString('base64'), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' });
  }

  private getSecret(body: any, res: ServerResponse): void {
    this.calls.push({ service: 'secretsmanager', operation: 'GetSecretValue', body, path: '/', at: Date.now() });
    this.json(res, 200, { ARN: body.SecretId, Name: 'meta-app-secret', SecretString: this.secretString, VersionId: 'v1' });
  }

  private async invoke(name: string, raw: string, res: ServerResponse): Promise<void> {
    const request = JSON.parse(raw);
    this.calls.push({ service: 'lambda', operation: 'Invoke', body: request, path: name, at: Date.now() });
    const behaviour = this.userFunction(request);
    if ('invokeError' in behaviour) {
      res.writeHead(behaviour.status, { 'content-type': 'application/json', 'x-amzn-errortype': behaviour.invokeError });
      res.end(JSON.stringify({ Type: 'User', message: `injected ${behaviour.invokeError}` }));
      return;
    }
    if ('errorType' in behaviour) {
      res.writeHead(200, { 'content-type': 'application/json', 'x-amz-function-error': 'Unhandled', 'x-amz-executed-version': '$LATEST' });
      res.end(JSON.stringify({ errorType: behaviour.errorType, errorMessage: behaviour.errorMessage, trace: [] }));
      return;
    }
    if ('delayMs' in behaviour) await new Promise((resolve) => setTimeout(resolve, behaviour.delayMs).unref());
    if (res.destroyed) return;
    res.writeHead(200, { 'content-type': 'application/json', 'x-amz-executed-version': '$LATEST' });
    res.end(behaviour.payload === undefined ? '' : JSON.stringify(behaviour.payload));
  }
}
