/**
 * A local stand-in for S3 PutObject (restXml, path style: `PUT /{bucket}/{key}`), on 127.0.0.1, so that the shipped
 * endpoint's bundled S3 client stores into memory. It checks `x-amz-checksum-sha256` as S3 does and keeps every
 * object with the headers it was put with.
 */
import { createHash } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

export interface StoredObject {
  readonly bucket: string;
  readonly key: string;
  readonly body: Buffer;
  readonly headers: IncomingMessage['headers'];
}

/** Decodes an `aws-chunked` body (SigV4 streaming): `<hex size>[;chunk-signature=…]\r\n<data>\r\n`, until size 0. */
function decodeAwsChunked(raw: Buffer): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const lineEnd = raw.indexOf('\r\n', offset);
    const size = parseInt(raw.subarray(offset, lineEnd).toString('latin1').split(';')[0], 16);
    if (!size) return Buffer.concat(parts);
    parts.push(raw.subarray(lineEnd + 2, lineEnd + 2 + size));
    offset = lineEnd + 2 + size + 2;
  }
}

export class S3StandIn {
  public readonly objects = new Map<string, StoredObject>();
  public puts = 0;
  /** The next PutObject calls fail with these errors (S3 error code and HTTP status). */
  public faults: Array<{ code: string; status: number }> = [];
  private server?: Server;

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((e: Error) => {
        if (!res.headersSent) res.writeHead(500);
        res.end(`stand-in bug: ${e.message}`);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  object(bucket: string, key: string): StoredObject | undefined {
    return this.objects.get(`${bucket}/${key}`);
  }

  reset(): void {
    this.objects.clear();
    this.puts = 0;
    this.faults = [];
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server?.close(() => resolve());
      this.server?.closeAllConnections();
    });
  }

  private error(res: ServerResponse, status: number, code: string): void {
    res.writeHead(status, { 'content-type': 'application/xml' });
    res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>injected ${code}</Message></Error>`);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const [, bucket, ...rest] = url.pathname.split('/');
    const key = rest.map(decodeURIComponent).join('/');
    if (req.method !== 'PUT' || !bucket || !key || url.search.replace(/^\?(x-id=PutObject)?$/, '') !== '') {
      return this.error(res, 405, 'MethodNotAllowed');
    }
    this.puts++;
    const fault = this.faults.shift();
    if (fault) return this.error(res, fault.status, fault.code);
    const raw = Buffer.concat(chunks);
    const body = String(req.headers['content-encoding'] ?? '').includes('aws-chunked') ? decodeAwsChunked(raw) : raw;
    const checksum = req.headers['x-amz-checksum-sha256'];
    if (checksum !== undefined && checksum !== createHash('sha256').update(body).digest('base64')) {
      return this.error(res, 400, 'BadDigest');
    }
    this.objects.set(`${bucket}/${key}`, { bucket, key, body, headers: req.headers });
    res.writeHead(200, { 'etag': `"${createHash('md5').update(body).digest('hex')}"`, 'x-amz-checksum-sha256': String(checksum ?? '') });
    res.end();
  }
}
