/**
 * A local stand-in for WhatsApp's media CDN: HTTPS on 127.0.0.1 with a certificate made for `localhost` by openssl
 * when the stand-in starts (a client trusts it through NODE_EXTRA_CA_CERTS or an agent's `ca`, never by turning
 * verification off). It serves the files a test puts, and counts every request, so that a test can show that a host
 * the endpoint must not call got none.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, Server } from 'node:https';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** How the stand-in serves one path. */
export type CdnBehaviour =
  | { readonly body: Buffer; readonly delayMs?: number; readonly chunked?: boolean }
  /** Says Content-Length of the whole body, sends its first `cutAfter` bytes, then closes the connection. */
  | { readonly body: Buffer; readonly cutAfter: number }
  | { readonly status: number; readonly location?: string };

/** A certificate for `localhost`, made once per process. */
let certificate: { key: Buffer; cert: Buffer; caFile: string; dir: string } | undefined;

export function localhostCertificate(): { key: Buffer; cert: Buffer; caFile: string } {
  if (!certificate) {
    const dir = mkdtempSync(join(tmpdir(), 'cdn-stand-in-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'pipe' });
    certificate = { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')), caFile: join(dir, 'cert.pem'), dir };
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return certificate;
}

export class CdnStandIn {
  /** Every request's path, in order. */
  public readonly hits: string[] = [];
  public port = 0;
  private readonly files = new Map<string, CdnBehaviour>();
  private server?: Server;

  /** Serves `behaviour` at `path` and gives its URL. */
  serve(path: string, behaviour: CdnBehaviour): string {
    this.files.set(path, behaviour);
    return this.url(path);
  }

  url(path: string): string {
    return `https://localhost:${this.port}${path}`;
  }

  /** `localhost:<port>`: the host pattern that allows this stand-in. */
  get host(): string {
    return `localhost:${this.port}`;
  }

  async start(): Promise<void> {
    const { key, cert } = localhostCertificate();
    this.server = createServer({ key, cert }, (req, res) => {
      const path = req.url ?? '';
      this.hits.push(path);
      const behaviour = this.files.get(path);
      if (!behaviour) {
        res.writeHead(404).end();
        return;
      }
      if ('status' in behaviour) {
        res.writeHead(behaviour.status, behaviour.location ? { location: behaviour.location } : {}).end();
        return;
      }
      const send = () => {
        if (res.destroyed) return;
        if ('cutAfter' in behaviour) {
          res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': behaviour.body.length });
          res.write(behaviour.body.subarray(0, behaviour.cutAfter), () => res.destroy());
          return;
        }
        const headers: Record<string, string | number> = { 'content-type': 'application/octet-stream' };
        if (!behaviour.chunked) headers['content-length'] = behaviour.body.length;
        res.writeHead(200, headers);
        res.end(behaviour.body);
      };
      if ('delayMs' in behaviour && behaviour.delayMs) setTimeout(send, behaviour.delayMs).unref();
      else send();
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  reset(): void {
    this.hits.length = 0;
    this.files.clear();
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server?.close(() => resolve());
      this.server?.closeAllConnections();
    });
  }
}
