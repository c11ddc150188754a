/**
 * PhotoPicker and DocumentPicker files in a decrypted request: each media entry of `data`, wherever it
 * sits, is downloaded from WhatsApp's CDN, verified, decrypted and stored in S3, and replaced, in place, by where it
 * is (`{fileName, mediaId, bucket, key, size, sha256, contentType}`) or by why it is not
 * (`{fileName, mediaId, error}`). The user's function never sees a `cdn_url` or a key.
 *
 * A media entry is any object with `cdn_url` or `encryption_metadata`: entries are found by their shape, not by the
 * name of the form field. A file on the CDN is `ciphertext || HMAC-SHA256(hmac_key, iv || ciphertext)[0..10]`;
 * it is stored only when SHA-256(file) = `encrypted_hash`, the HMAC matches, the AES-256-CBC padding is valid and
 * SHA-256(plaintext) = `plaintext_hash`. Decryption runs as the bytes arrive, but no plaintext leaves this module
 * before every check passed.
 *
 * What an attacker who can forge requests (anyone with the business public key, when no app secret is set) can make
 * the endpoint do: GET `https://` URLs on the allowed hosts only (WhatsApp's CDN by default; never an IP address,
 * never a redirect, never another port than the one allowed), at most 30 of them, at most 25,600 KiB each and 100 MiB
 * in all, within the time before the user's function; and store files that decrypt with the keys it sent, under the
 * prefix.
 *
 * Logs: one line per file that is not stored, with the metric `MediaRejected` and the reason (a code, and which check
 * failed). Never a URL, a key, a hash, a file name or a media id.
 *
 * @see https://developers.facebook.com/docs/whatsapp/flows/reference/media_upload#endpoint
 */
import { createDecipheriv, createHash, createHmac, Decipher, Hash, Hmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent, request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { rootCertificates } from 'node:tls';
import { EndpointMetric, RESPONSE_MARGIN_MS } from '../contract';
import {
  MEDIA_CONCURRENCY,
  MEDIA_HANDLER_RESERVE_MS,
  MEDIA_HMAC_LENGTH,
  MEDIA_MAX_FILE_BYTES,
  MEDIA_MAX_FILES,
  MEDIA_MAX_TOTAL_BYTES,
  MediaError,
  MediaErrorCode,
} from '../media-contract';

/** Where and what the endpoint stores. */
export interface MediaSettings {
  readonly bucket: string;
  /** Without a trailing slash. */
  readonly prefix: string;
  /** Host patterns a `cdn_url` may name: `host`, `*.domain` (any subdomain), either with `:port` for another port than 443. */
  readonly hosts: readonly string[];
  /** Meta's limits, unless a test says otherwise. */
  readonly maxFiles?: number;
  readonly maxFileBytes?: number;
  readonly maxTotalBytes?: number;
}

/** One object to store. */
export interface MediaObject {
  readonly Bucket: string;
  readonly Key: string;
  readonly Body: Buffer;
  readonly ContentType: string;
  readonly ContentDisposition: string;
  /** Base64 SHA-256 of Body: S3 checks it. */
  readonly ChecksumSHA256: string;
}

/** A log record of a file that was not stored (exchange.ts adds the action and the screen). */
export interface MediaRecord {
  readonly metric: typeof EndpointMetric.MEDIA_REJECTED;
  readonly status: number;
  readonly reason: string;
}

/** The hook exchange.ts calls before the user's function: replaces the media entries of `data` in place. */
export type MediaHook = (data: Record<string, unknown>, remainingMs: number, record: (record: MediaRecord) => void) => Promise<void>;

export interface MediaDependencies {
  readonly settings: MediaSettings;
  /** S3 PutObject; gives up when `signal` aborts. */
  readonly put: (object: MediaObject, signal: AbortSignal) => Promise<void>;
  /** The HTTPS agent downloads go through. */
  readonly agent?: Agent;
  readonly now?: () => Date;
}

/** What the user's function gets for a stored file. */
export interface StoredMedia {
  readonly fileName: string;
  readonly mediaId?: string;
  readonly bucket: string;
  readonly key: string;
  /** Bytes of the decrypted file. */
  readonly size: number;
  /** Base64 SHA-256 of the decrypted file (Meta's `plaintext_hash`, and `sha256` of the Flow's response message). */
  readonly sha256: string;
  readonly contentType: string;
}

/** What the user's function gets for a file that was not stored. */
export interface RejectedMedia {
  readonly fileName: string;
  readonly mediaId?: string;
  readonly error: MediaErrorCode;
}

/** Why a file was not stored; `detail` says which check, free of customer data. */
export class MediaFailure extends Error {
  constructor(readonly code: MediaErrorCode, readonly detail?: string) {
    super(detail ? `${code} (${detail})` : code);
    this.name = 'MediaFailure';
  }
}

interface EncryptionMetadata {
  readonly encryptionKey: Buffer;
  readonly hmacKey: Buffer;
  readonly iv: Buffer;
  readonly plaintextHash: Buffer;
  readonly encryptedHash: Buffer;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const DAY = (date: Date) => date.toISOString().slice(0, 10);

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A PhotoPicker/DocumentPicker entry, by its shape: it names a CDN URL or carries encryption metadata. */
export function isMediaEntry(value: unknown): value is Record<string, unknown> {
  return isObject(value) && ('cdn_url' in value || 'encryption_metadata' in value);
}

/** A media entry and where it sits. */
export interface FoundEntry {
  readonly holder: Record<string, unknown> | unknown[];
  readonly key: string | number;
  readonly entry: Record<string, unknown>;
}

/** Every media entry in `data`, with where it sits; breadth first, so a list's entries come in order. No recursion. */
export function findMediaEntries(data: unknown): FoundEntry[] {
  const found: FoundEntry[] = [];
  const queue: unknown[] = [data];
  for (let i = 0; i < queue.length; i++) {
    const holder = queue[i];
    if (holder === null || typeof holder !== 'object') continue;
    const children: Array<[string | number, unknown]> = Array.isArray(holder) ? holder.map((v, k) => [k, v]) : Object.entries(holder);
    for (const [key, child] of children) {
      if (isMediaEntry(child)) found.push({ holder: holder as Record<string, unknown> | unknown[], key, entry: child });
      else if (child !== null && typeof child === 'object') queue.push(child);
    }
  }
  return found;
}

function base64Of(metadata: Record<string, unknown>, name: string, length?: number): Buffer {
  const value = metadata[name];
  if (typeof value !== 'string' || !BASE64.test(value)) throw new MediaFailure(MediaError.VERIFICATION_FAILED, `${name} is not base64`);
  const bytes = Buffer.from(value, 'base64');
  if (length !== undefined ? bytes.length !== length : bytes.length === 0) {
    throw new MediaFailure(MediaError.VERIFICATION_FAILED, `${name} is not ${length ?? 'at least 1'} bytes`);
  }
  return bytes;
}

function encryptionMetadataOf(entry: Record<string, unknown>): EncryptionMetadata {
  const metadata = entry.encryption_metadata;
  if (!isObject(metadata)) throw new MediaFailure(MediaError.VERIFICATION_FAILED, 'no encryption_metadata');
  return {
    encryptionKey: base64Of(metadata, 'encryption_key', 32),
    hmacKey: base64Of(metadata, 'hmac_key'),
    iv: base64Of(metadata, 'iv', 16),
    plaintextHash: base64Of(metadata, 'plaintext_hash', 32),
    encryptedHash: base64Of(metadata, 'encrypted_hash', 32),
  };
}

/** True when `host:port` is allowed by a pattern `name[:port]` (`*.domain`: any subdomain of domain, not domain itself). */
function hostMatches(pattern: string, host: string, port: string): boolean {
  const [name, patternPort = '443'] = pattern.trim().toLowerCase().split(':');
  if (patternPort !== port) return false;
  if (name.startsWith('*.')) return host.length > name.length - 1 && host.endsWith(name.slice(1));
  return host === name;
}

/** `cdn_url` as a URL the endpoint may GET: HTTPS, no credentials, no IP address, a host (and port) of `hosts`. */
export function allowedCdnUrl(raw: unknown, hosts: readonly string[]): URL | undefined {
  if (typeof raw !== 'string') return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' || url.username || url.password) return undefined;
  // The WHATWG parser writes every IPv4 form (decimal, hex, octal) as dotted quads and brackets IPv6.
  const host = url.hostname.toLowerCase();
  if (host === '' || host.startsWith('[') || isIP(host) !== 0) return undefined;
  const port = url.port || '443';
  return hosts.some((pattern) => hostMatches(pattern, host, port)) ? url : undefined;
}

function same(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Verifies and decrypts one CDN file as its bytes arrive: SHA-256 of the file, HMAC-SHA256 over iv || ciphertext
 * (the last 10 bytes are held back: they are the HMAC), AES-256-CBC with PKCS#7, SHA-256 of the plaintext.
 */
export class CdnFileVerifier {
  private readonly fileHash: Hash = createHash('sha256');
  private readonly plainHash: Hash = createHash('sha256');
  private readonly hmac: Hmac;
  private readonly decipher: Decipher;
  private readonly plaintext: Buffer[] = [];
  private tail = Buffer.alloc(0);

  constructor(private readonly metadata: EncryptionMetadata) {
    this.hmac = createHmac('sha256', metadata.hmacKey).update(metadata.iv);
    this.decipher = createDecipheriv('aes-256-cbc', metadata.encryptionKey, metadata.iv);
  }

  update(chunk: Buffer): void {
    this.fileHash.update(chunk);
    const joined = this.tail.length ? Buffer.concat([this.tail, chunk]) : chunk;
    const cut = Math.max(0, joined.length - MEDIA_HMAC_LENGTH);
    this.tail = Buffer.from(joined.subarray(cut));
    if (cut === 0) return;
    const ciphertext = joined.subarray(0, cut);
    this.hmac.update(ciphertext);
    this.push(this.decipher.update(ciphertext));
  }

  /** The plaintext and its SHA-256, once every check passed; a MediaFailure naming the check otherwise. */
  final(): { plaintext: Buffer; sha256: Buffer } {
    if (!same(this.fileHash.digest(), this.metadata.encryptedHash)) throw new MediaFailure(MediaError.VERIFICATION_FAILED, 'encrypted_hash');
    const mac = this.hmac.digest().subarray(0, MEDIA_HMAC_LENGTH);
    if (!same(mac, this.tail)) throw new MediaFailure(MediaError.VERIFICATION_FAILED, 'hmac');
    try {
      this.push(this.decipher.final());
    } catch {
      throw new MediaFailure(MediaError.VERIFICATION_FAILED, 'padding');
    }
    const sha256 = this.plainHash.digest();
    if (!same(sha256, this.metadata.plaintextHash)) throw new MediaFailure(MediaError.VERIFICATION_FAILED, 'plaintext_hash');
    return { plaintext: Buffer.concat(this.plaintext), sha256 };
  }

  private push(plain: Buffer): void {
    if (plain.length === 0) return;
    this.plainHash.update(plain);
    this.plaintext.push(plain);
  }
}

/**
 * The content types of Meta's DocumentPicker `allowed-mime-types` (PhotoPicker's are among them), by extension.
 * Anything else is stored as application/octet-stream: a file name never makes the bucket serve HTML or script.
 */
const CONTENT_TYPES: Record<string, string> = {
  '7z': 'application/x-7z-compressed',
  'avif': 'image/avif',
  'doc': 'application/msword',
  'docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'gif': 'image/gif',
  'gz': 'application/gzip',
  'heic': 'image/heic',
  'heif': 'image/heif',
  'jpeg': 'image/jpeg',
  'jpg': 'image/jpeg',
  'mp4': 'video/mp4',
  'mpeg': 'video/mpeg',
  'mpg': 'video/mpeg',
  'odp': 'application/vnd.oasis.opendocument.presentation',
  'ods': 'application/vnd.oasis.opendocument.spreadsheet',
  'odt': 'application/vnd.oasis.opendocument.text',
  'pdf': 'application/pdf',
  'png': 'image/png',
  'ppt': 'application/vnd.ms-powerpoint',
  'pptx': 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'tif': 'image/tiff',
  'tiff': 'image/tiff',
  'txt': 'text/plain',
  'webp': 'image/webp',
  'xls': 'application/vnd.ms-excel',
  'xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'zip': 'application/zip',
};

/** The file name's extension when it is one of CONTENT_TYPES, lower case. */
export function knownExtension(fileName: string): string | undefined {
  const match = /\.([A-Za-z0-9]{1,5})$/.exec(fileName);
  const extension = match?.[1].toLowerCase();
  return extension && CONTENT_TYPES[extension] ? extension : undefined;
}

export function contentTypeOf(fileName: string): string {
  const extension = knownExtension(fileName);
  return extension ? CONTENT_TYPES[extension] : 'application/octet-stream';
}

/**
 * The object key: `<prefix>/<yyyy-mm-dd>/<sha256 of the plaintext, hex>[.<known extension>]`. Free of the file name
 * (customer data that S3 keys would carry into CloudTrail data events, access logs and inventories); the same file
 * sent again (Meta retries) lands on the same key.
 */
export function mediaKey(prefix: string, date: Date, sha256: Buffer, fileName: string): string {
  const extension = knownExtension(fileName);
  return `${prefix}/${DAY(date)}/${sha256.toString('hex')}${extension ? `.${extension}` : ''}`;
}

/** `attachment` with the file name (RFC 6266 / 5987): downloads keep the customer's name and never render inline. */
export function contentDispositionOf(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\%;]/g, '_').slice(0, 200) || 'file';
  const encoded = encodeURIComponent(fileName.slice(0, 200)).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

let defaultAgent: Agent | undefined;

/**
 * The agent downloads go through: keep-alive, and the certificates of NODE_EXTRA_CA_CERTS (which Node reads once at
 * start; a sandbox that sets it later, as the tests' local CDN does, is honoured here too). TLS is always verified.
 */
export function mediaAgent(): Agent {
  if (defaultAgent) return defaultAgent;
  const extra = process.env.NODE_EXTRA_CA_CERTS;
  let ca: string[] | undefined;
  if (extra) {
    try {
      ca = [...rootCertificates, readFileSync(extra, 'utf8')];
    } catch { /* unreadable: Node's own store, as Node does */ }
  }
  defaultAgent = new Agent({ keepAlive: true, maxSockets: MEDIA_CONCURRENCY, ...(ca ? { ca } : {}) });
  return defaultAgent;
}

/** GETs `url` into `sink`, at most `maxBytes`, no redirects; rejects with a MediaFailure. */
function download(url: URL, agent: Agent, signal: AbortSignal, maxBytes: number, sink: (chunk: Buffer) => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    const settle = (error?: MediaFailure) => {
      if (settled) return;
      settled = true;
      if (error) {
        request.destroy();
        reject(error);
      } else {
        resolve();
      }
    };
    const failed = (detail: string) => settle(new MediaFailure(signal.aborted ? MediaError.TIMED_OUT : MediaError.DOWNLOAD_FAILED, detail));
    const request = httpsRequest(url, { method: 'GET', agent, signal, headers: { 'accept-encoding': 'identity' } }, (response) => {
      if (response.statusCode !== 200) {
        response.resume();
        return settle(new MediaFailure(MediaError.DOWNLOAD_FAILED, `HTTP ${response.statusCode}`));
      }
      const length = Number(response.headers['content-length']);
      if (Number.isFinite(length) && length > maxBytes) return settle(new MediaFailure(MediaError.TOO_LARGE, 'Content-Length'));
      let received = 0;
      response.on('data', (chunk: Buffer) => {
        if (settled) return;
        received += chunk.length;
        if (received > maxBytes) return settle(new MediaFailure(MediaError.TOO_LARGE, 'body'));
        try {
          sink(chunk);
        } catch (error) {
          settle(error instanceof MediaFailure ? error : new MediaFailure(MediaError.DOWNLOAD_FAILED, 'sink'));
        }
      });
      response.on('end', () => (response.complete ? settle() : failed('cut off')));
      response.on('aborted', () => failed('cut off'));
      response.on('error', () => failed('response'));
    });
    request.on('error', (error) => failed(`connection ${(error as NodeJS.ErrnoException).code ?? error.name}`.slice(0, 64)));
    request.end();
  });
}

/**
 * Stores the media entries of `data` (in place), within `remainingMs` less the time kept for the user's function;
 * records one `MediaRejected` per file that was not stored.
 */
export async function storeMedia(data: Record<string, unknown>, remainingMs: number, record: (record: MediaRecord) => void,
  deps: MediaDependencies): Promise<void> {
  const found = findMediaEntries(data);
  if (found.length === 0) return;
  const { settings } = deps;
  const maxFiles = settings.maxFiles ?? MEDIA_MAX_FILES;
  const maxFileBytes = settings.maxFileBytes ?? MEDIA_MAX_FILE_BYTES;
  const maxTotalBytes = settings.maxTotalBytes ?? MEDIA_MAX_TOTAL_BYTES;
  const maxEncryptedBytes = maxFileBytes + 16 + MEDIA_HMAC_LENGTH;
  const agent = deps.agent ?? mediaAgent();
  const now = deps.now ?? (() => new Date());

  const controller = new AbortController();
  const budget = remainingMs - RESPONSE_MARGIN_MS - MEDIA_HANDLER_RESERVE_MS;
  if (budget <= 0) controller.abort();
  const timer = setTimeout(() => controller.abort(), Math.max(0, budget));
  const signal = controller.signal;
  let heldBytes = 0;

  const storeOne = async (entry: Record<string, unknown>): Promise<StoredMedia> => {
    const fileName = typeof entry.file_name === 'string' ? entry.file_name : '';
    const mediaId = typeof entry.media_id === 'string' ? entry.media_id : undefined;
    const url = allowedCdnUrl(entry.cdn_url, settings.hosts);
    if (!url) throw new MediaFailure(MediaError.HOST_NOT_ALLOWED);
    const verifier = new CdnFileVerifier(encryptionMetadataOf(entry));
    if (signal.aborted) throw new MediaFailure(MediaError.TIMED_OUT, 'before the download');
    let held = 0;
    try {
      await download(url, agent, signal, maxEncryptedBytes, (chunk) => {
        held += chunk.length;
        heldBytes += chunk.length;
        if (heldBytes > maxTotalBytes) throw new MediaFailure(MediaError.TOO_LARGE, 'request total');
        verifier.update(chunk);
      });
      const { plaintext, sha256 } = verifier.final();
      if (plaintext.length > maxFileBytes) throw new MediaFailure(MediaError.TOO_LARGE, 'plaintext');
      const key = mediaKey(settings.prefix, now(), sha256, fileName);
      const contentType = contentTypeOf(fileName);
      try {
        await deps.put({
          Bucket: settings.bucket,
          Key: key,
          Body: plaintext,
          ContentType: contentType,
          ContentDisposition: contentDispositionOf(fileName),
          ChecksumSHA256: sha256.toString('base64'),
        }, signal);
      } catch (error) {
        if (signal.aborted) throw new MediaFailure(MediaError.TIMED_OUT, 'while storing');
        const name = (error as Error).name?.replace(/[^A-Za-z0-9]/g, '').slice(0, 48);
        throw new MediaFailure(MediaError.STORE_FAILED, name || undefined);
      }
      return { fileName, ...(mediaId !== undefined ? { mediaId } : {}), bucket: settings.bucket, key, size: plaintext.length, sha256: sha256.toString('base64'), contentType };
    } catch (error) {
      heldBytes -= held;
      throw error;
    }
  };

  const results: Array<StoredMedia | RejectedMedia> = new Array(found.length);
  let next = 0;
  const worker = async () => {
    while (next < found.length) {
      const index = next++;
      const { entry } = found[index];
      try {
        if (index >= maxFiles) throw new MediaFailure(MediaError.TOO_MANY_FILES);
        results[index] = await storeOne(entry);
      } catch (error) {
        const failure = error instanceof MediaFailure ? error : new MediaFailure(MediaError.DOWNLOAD_FAILED, 'unexpected');
        const fileName = typeof entry.file_name === 'string' ? entry.file_name : '';
        const mediaId = typeof entry.media_id === 'string' ? entry.media_id : undefined;
        results[index] = { fileName, ...(mediaId !== undefined ? { mediaId } : {}), error: failure.code };
        record({ metric: EndpointMetric.MEDIA_REJECTED, status: 200, reason: `media file not stored: ${failure.message}` });
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(MEDIA_CONCURRENCY, found.length) }, worker));
  } finally {
    clearTimeout(timer);
  }
  found.forEach(({ holder, key }, i) => {
    (holder as Record<string | number, unknown>)[key] = results[i];
  });
}
