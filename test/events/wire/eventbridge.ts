/**
 * A local stand-in for EventBridge's PutEvents, on 127.0.0.1, that speaks the protocol the real SDK client speaks:
 * awsJson1_1, `POST /` with `X-Amz-Target: AWSEvents.PutEvents`, errors as `{"__type": …}`.
 *
 * It holds EventBridge's limits (at most 10 entries and 256 KB a call, counted the documented way) and answers a
 * call that breaks them with a ValidationException, as the service does. Faults are injected per entry or per call.
 */
import { randomUUID } from 'crypto';
import * as http from 'http';
import { AddressInfo } from 'net';

export const MAX_ENTRIES = 10;
export const MAX_BYTES = 256 * 1024;

/** An entry as it arrived on the wire. */
export interface WireEntry {
  readonly Source: string;
  readonly DetailType: string;
  readonly Detail: string;
  readonly Resources?: string[];
  /** Epoch seconds: awsJson's timestamp format. */
  readonly Time?: number;
  readonly EventBusName?: string;
}

/** One PutEvents call as the stand-in saw it. */
export interface PutEventsCall {
  readonly target: string;
  readonly contentType: string;
  readonly entries: WireEntry[];
  readonly bytes: number;
  /** What the stand-in answered: 200, or the error's HTTP status. */
  readonly status: number;
  readonly failedEntryCount: number;
}

/** An entry fault: the error code to answer for this entry on this attempt (1 = its first arrival), or none. */
export type EntryFault = (entry: WireEntry, attempt: number) => string | undefined;
/** A call fault: an HTTP status and error type to answer the whole call with, `'hang'` to never answer, or none. */
export type CallFault = (callNumber: number) => { status: number; type: string } | 'hang' | undefined;

/** Bytes of an entry, as EventBridge counts them. */
export function wireEntrySize(entry: WireEntry): number {
  const b = (s?: string) => (s ? Buffer.byteLength(s, 'utf8') : 0);
  return (entry.Time !== undefined ? 14 : 0) + b(entry.Source) + b(entry.DetailType) + b(entry.Detail)
    + (entry.Resources ?? []).reduce((sum, r) => sum + b(r), 0);
}

export class EventBridgeStandIn {
  public readonly calls: PutEventsCall[] = [];
  /** Entries EventBridge accepted, in order of acceptance. */
  public readonly accepted: WireEntry[] = [];
  public entryFault?: EntryFault;
  public callFault?: CallFault;
  private readonly attempts = new Map<string, number>();
  private server?: http.Server;

  /** Starts listening on 127.0.0.1; resolves to the endpoint URL. */
  async start(): Promise<string> {
    this.server = http.createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    // A call left hanging keeps its socket open: close() alone would wait for it.
    this.server?.closeAllConnections();
    await closed;
  }

  reset(): void {
    this.calls.length = 0;
    this.accepted.length = 0;
    this.attempts.clear();
    this.entryFault = undefined;
    this.callFault = undefined;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const contentType = String(req.headers['content-type'] ?? '');
      const reply = (status: number, body: unknown) => {
        res.writeHead(status, { 'Content-Type': 'application/x-amz-json-1.1', 'x-amzn-RequestId': randomUUID() });
        res.end(JSON.stringify(body));
      };
      if (req.method !== 'POST' || target !== 'AWSEvents.PutEvents' || contentType !== 'application/x-amz-json-1.1') {
        reply(400, { __type: 'UnknownOperationException', message: `unexpected ${req.method} ${target} ${contentType}` });
        return;
      }
      const entries = (JSON.parse(Buffer.concat(chunks).toString('utf8')).Entries ?? []) as WireEntry[];
      const bytes = entries.reduce((sum, e) => sum + wireEntrySize(e), 0);
      const record = (status: number, failedEntryCount = 0) => this.calls.push({ target, contentType, entries, bytes, status, failedEntryCount });

      if (entries.length === 0 || entries.length > MAX_ENTRIES) {
        record(400);
        reply(400, { __type: 'ValidationException', message: `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length less than or equal to ${MAX_ENTRIES}` });
        return;
      }
      if (bytes > MAX_BYTES) {
        record(400);
        reply(400, { __type: 'ValidationException', message: 'Total size of the entries in the request is over the limit.' });
        return;
      }
      const fault = this.callFault?.(this.calls.length + 1);
      if (fault === 'hang') {
        // No answer at all: the client's timeout ends the exchange.
        record(0);
        return;
      }
      if (fault) {
        record(fault.status);
        reply(fault.status, { __type: fault.type, message: 'injected' });
        return;
      }
      let failed = 0;
      const results = entries.map((entry) => {
        const key = entryKey(entry);
        const attempt = (this.attempts.get(key) ?? 0) + 1;
        this.attempts.set(key, attempt);
        const errorCode = this.entryFault?.(entry, attempt);
        if (errorCode) {
          failed++;
          return { ErrorCode: errorCode, ErrorMessage: 'injected' };
        }
        this.accepted.push(entry);
        return { EventId: randomUUID() };
      });
      record(200, failed);
      reply(200, { FailedEntryCount: failed, Entries: results });
    });
  }
}

/** What tells two entries apart across retries: the same entry is sent again byte for byte. */
export function entryKey(entry: WireEntry): string {
  return `${entry.DetailType}|${entry.Detail}`;
}
