import { createHash } from 'node:crypto';
import { IncomingMessage, ServerResponse } from 'node:http';

/** In-memory S3 objects the tests fill; served as path-style GetObject/HeadObject. */
export class ObjectStore {
  private objects = new Map<string, Buffer>();

  /** Store an object; a plain object is stored as its JSON text. */
  put(bucket: string, key: string, body: string | Uint8Array | object): void {
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8')
      : body instanceof Uint8Array ? Buffer.from(body)
        : Buffer.from(JSON.stringify(body), 'utf8');
    this.objects.set(`${bucket}/${key}`, bytes);
  }

  get(bucket: string, key: string): Buffer | undefined {
    return this.objects.get(`${bucket}/${key}`);
  }

  delete(bucket: string, key: string): void {
    this.objects.delete(`${bucket}/${key}`);
  }

  clear(): void {
    this.objects.clear();
  }
}

/**
 * Answer `GET|HEAD /{bucket}/{key}` (path style, the SDK adds `?x-id=GetObject`).
 * Returns the HTTP status it sent, for the call log.
 */
export function serveObject(req: IncomingMessage, res: ServerResponse, pathname: string, store: ObjectStore): number {
  const [bucket, ...rest] = pathname.slice(1).split('/');
  const key = rest.map(decodeURIComponent).join('/');
  const body = store.get(decodeURIComponent(bucket), key);
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return sendS3Error(res, 405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.', key);
  }
  if (!body) {
    return sendS3Error(res, 404, 'NoSuchKey', 'The specified key does not exist.', key);
  }
  res.writeHead(200, {
    'content-type': 'application/octet-stream',
    'content-length': body.length,
    'etag': `"${createHash('md5').update(body).digest('hex')}"`,
    'last-modified': new Date().toUTCString(),
  });
  res.end(req.method === 'HEAD' ? undefined : body);
  return 200;
}

/** S3 errors are XML with a `Code`, not restJson1. */
export function sendS3Error(res: ServerResponse, status: number, code: string, message: string, key: string): number {
  const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><Key>${escapeXml(key)}</Key></Error>`;
  res.writeHead(status, { 'content-type': 'application/xml' });
  res.end(xml);
  return status;
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
