/**
 * The media runtime (src/endpoint/runtime/media.ts) in process, against a local HTTPS stand-in of WhatsApp's CDN
 * that serves files encrypted exactly as the CDN holds them; S3 is a recording function. The shipped bundle, with a
 * real S3 client, is in media.wire.test.ts.
 */
import { createHash } from 'node:crypto';
import { Agent } from 'node:https';
import { cdnEncrypt, CdnFile, mediaEntry, photo, withFile } from './meta-media';
import { CdnStandIn, localhostCertificate } from './wire/cdn-stand-in';
import { EndpointMetric } from '../../src/endpoint/contract';
import { MEDIA_MAX_FILE_BYTES, MEDIA_MAX_FILES } from '../../src/endpoint/media-contract';
import {
  allowedCdnUrl, contentDispositionOf, findMediaEntries, MediaObject, MediaRecord, MediaSettings, mediaKey, storeMedia,
} from '../../src/endpoint/runtime/media';

jest.setTimeout(60_000);

const cdn = new CdnStandIn();
const other = new CdnStandIn();
let agent: Agent;
let settings: MediaSettings;
const NOW = new Date('2026-12-24T10:00:00Z');

beforeAll(async () => {
  await Promise.all([cdn.start(), other.start()]);
  agent = new Agent({ keepAlive: true, ca: localhostCertificate().cert });
  settings = { bucket: 'media-bucket', prefix: 'flow-media', hosts: [cdn.host] };
});

afterAll(async () => {
  agent.destroy();
  await Promise.all([cdn.stop(), other.stop()]);
});

beforeEach(() => {
  cdn.reset();
  other.reset();
});

interface Run {
  readonly data: Record<string, any>;
  readonly puts: MediaObject[];
  readonly records: MediaRecord[];
  readonly ms: number;
}

interface RunOptions {
  readonly remainingMs?: number;
  readonly settings?: Partial<MediaSettings>;
  readonly put?: (object: MediaObject, signal: AbortSignal) => Promise<void>;
}

async function run(data: Record<string, any>, options: RunOptions = {}): Promise<Run> {
  const puts: MediaObject[] = [];
  const records: MediaRecord[] = [];
  const started = Date.now();
  await storeMedia(data, options.remainingMs ?? 8_000, (r) => records.push(r), {
    settings: { ...settings, ...options.settings },
    agent,
    now: () => NOW,
    put: options.put ?? (async (object) => {
      puts.push(object);
    }),
  });
  // Nothing of an entry's secrets reaches a log record.
  for (const record of records) expect(record.reason).not.toMatch(/https?:|localhost|media-|\.jpg/);
  return { data, puts, records, ms: Date.now() - started };
}

function put(path: string, cdnFile: CdnFile, fileName = 'IMG_5237.jpg') {
  return mediaEntry(cdn.serve(path, { body: cdnFile.file }), fileName, cdnFile);
}

const hex = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const b64 = (b: Buffer) => createHash('sha256').update(b).digest('base64');

describe('good files', () => {
  test('a photo is verified, decrypted and stored; the handler gets where it is, never the URL or a key', async () => {
    const file = cdnEncrypt(photo(300_000));
    const { data, puts, records } = await run({ photo_picker: [put('/v/a.enc', file)], name: 'Jane' });
    expect(records).toEqual([]);
    expect(puts).toHaveLength(1);
    expect(puts[0].Body.equals(file.plaintext)).toBe(true);
    expect(puts[0]).toMatchObject({
      Bucket: 'media-bucket',
      Key: `flow-media/2026-12-24/${hex(file.plaintext)}.jpg`,
      ContentType: 'image/jpeg',
      ContentDisposition: 'attachment; filename="IMG_5237.jpg"; filename*=UTF-8\'\'IMG_5237.jpg',
      ChecksumSHA256: b64(file.plaintext),
    });
    expect(data).toEqual({
      name: 'Jane',
      photo_picker: [{
        fileName: 'IMG_5237.jpg',
        mediaId: 'media-IMG_5237.jpg',
        bucket: 'media-bucket',
        key: `flow-media/2026-12-24/${hex(file.plaintext)}.jpg`,
        size: 300_000,
        sha256: b64(file.plaintext),
        contentType: 'image/jpeg',
      }],
    });
    expect(JSON.stringify(data)).not.toMatch(/cdn_url|encryption|localhost/);
  });

  test('entries are found by their shape wherever they sit, whatever the field is called', async () => {
    const [a, b, c] = [cdnEncrypt(photo(1_000)), cdnEncrypt(Buffer.from('%PDF-1.7 …')), cdnEncrypt(Buffer.alloc(0))];
    const data = {
      documents_of_the_claim: [put('/a', a, 'a.JPG'), put('/b', b, 'invoice.pdf')],
      nested: { deeper: [{ x: put('/c', c, 'empty.txt') }] },
      not_media: { file_name: 'x.jpg', media_id: 'y' },
    };
    const { puts } = await run(data);
    expect(puts.map((p) => [p.Key.split('/').pop(), p.ContentType])).toEqual([
      [`${hex(a.plaintext)}.jpg`, 'image/jpeg'], [`${hex(b.plaintext)}.pdf`, 'application/pdf'], [`${hex(c.plaintext)}.txt`, 'text/plain'],
    ]);
    expect(data.nested.deeper[0].x).toMatchObject({ fileName: 'empty.txt', size: 0 });
    expect(data.not_media).toEqual({ file_name: 'x.jpg', media_id: 'y' });
  });

  test('a file name that could be served as HTML or names a path is stored as octet-stream under its hash', async () => {
    const file = cdnEncrypt(Buffer.from('<script>alert(1)</script>'));
    const { puts, data } = await run({ docs: [put('/h', file, '../../ümlaut "x".html')] });
    expect(puts[0].Key).toBe(`flow-media/2026-12-24/${hex(file.plaintext)}`);
    expect(puts[0].ContentType).toBe('application/octet-stream');
    expect(puts[0].ContentDisposition).toBe('attachment; filename="../../_mlaut _x_.html"; filename*=UTF-8\'\'..%2F..%2F%C3%BCmlaut%20%22x%22.html');
    expect(data.docs[0].fileName).toBe('../../ümlaut "x".html');
  });

  test(`Meta's limits: ${MEDIA_MAX_FILES} files pass, the next is refused; a file of exactly 25,600 KiB passes`, async () => {
    const small = Array.from({ length: MEDIA_MAX_FILES + 1 }, (_, i) => put(`/s${i}`, cdnEncrypt(photo(100 + i)), `p${i}.png`));
    const many = await run({ photos: small });
    expect(many.puts).toHaveLength(MEDIA_MAX_FILES);
    expect(many.data.photos[MEDIA_MAX_FILES]).toEqual({ fileName: `p${MEDIA_MAX_FILES}.png`, mediaId: `media-p${MEDIA_MAX_FILES}.png`, error: 'too_many_files' });
    expect(cdn.hits).not.toContain(`/s${MEDIA_MAX_FILES}`);
    expect(many.records).toEqual([{ metric: EndpointMetric.MEDIA_REJECTED, status: 200, reason: 'media file not stored: too_many_files' }]);

    const largest = cdnEncrypt(photo(MEDIA_MAX_FILE_BYTES));
    const atLimit = await run({ photo: [put('/max', largest)] });
    expect(atLimit.records).toEqual([]);
    expect(atLimit.puts[0].Body.length).toBe(MEDIA_MAX_FILE_BYTES);
  });
});

describe('files that fail verification are never stored and are named to the handler', () => {
  const good = () => cdnEncrypt(photo(50_000));
  const flip = (b: Buffer, at: number) => {
    const copy = Buffer.from(b);
    copy[at] ^= 1; // eslint-disable-line no-bitwise
    return copy;
  };

  test.each<[string, (f: CdnFile) => CdnFile, string]>([
    ['the CDN file changed (encrypted_hash)', (f) => ({ ...f, file: flip(f.file, 100) }), 'encrypted_hash'],
    ['the ciphertext changed, encrypted_hash recomputed (HMAC)', (f) => withFile(f, flip(f.file, 100)), 'hmac'],
    ['the HMAC changed', (f) => withFile(f, flip(f.file, f.file.length - 1)), 'hmac'],
    ['plaintext_hash of another file', (f) => ({ ...f, metadata: { ...f.metadata, plaintext_hash: b64(Buffer.from('other')) } }), 'plaintext_hash'],
    ['truncated by whole blocks, hashes recomputed', (f) => withFile(f, Buffer.concat([f.file.subarray(0, 32), f.file.subarray(f.file.length - 10)])), 'hmac'],
    ['served shorter than stated', (f) => ({ ...f, file: f.file.subarray(0, f.file.length - 100) }), 'encrypted_hash'],
    ['an HMAC key of another file', (f) => ({ ...f, metadata: { ...f.metadata, hmac_key: cdnEncrypt(Buffer.from('x')).metadata.hmac_key } }), 'hmac'],
    ['an encryption key that is not 32 bytes', (f) => ({ ...f, metadata: { ...f.metadata, encryption_key: 'AAAA' } }), 'encryption_key is not 32 bytes'],
  ])('%s', async (_case, tamper, check) => {
    const file = tamper(good());
    const { puts, data, records } = await run({ photo: [put('/t', file, 'claim.jpg')] });
    expect(puts).toEqual([]);
    expect(data.photo).toEqual([{ fileName: 'claim.jpg', mediaId: 'media-claim.jpg', error: 'verification_failed' }]);
    expect(records).toEqual([{ metric: 'MediaRejected', status: 200, reason: `media file not stored: verification_failed (${check})` }]);
  });

  test('a connection cut before the stated Content-Length: download_failed', async () => {
    const file = good();
    const entry = mediaEntry(cdn.serve('/cut', { body: file.file, cutAfter: 20_000 }), 'a.jpg', file);
    const { puts, data } = await run({ p: [entry] });
    expect(puts).toEqual([]);
    expect(data.p[0].error).toBe('download_failed');
  });

  test('one bad file does not keep the good ones from being stored', async () => {
    const [a, b] = [good(), good()];
    const { puts, data } = await run({ p: [put('/a', a, 'a.jpg'), put('/b', { ...b, file: flip(b.file, 0) }, 'b.jpg')] });
    expect(puts.map((p) => p.ContentDisposition)).toEqual(['attachment; filename="a.jpg"; filename*=UTF-8\'\'a.jpg']);
    expect(data.p.map((e: any) => e.error ?? 'stored')).toEqual(['stored', 'verification_failed']);
  });
});

describe('sizes: the download stops at the byte cap', () => {
  test('a file past 25,600 KiB by a block is refused by its Content-Length, before a byte is read', async () => {
    const file = cdnEncrypt(photo(MEDIA_MAX_FILE_BYTES + 16));
    const { data, puts, records } = await run({ p: [put('/big', file)] });
    expect(puts).toEqual([]);
    expect(data.p[0].error).toBe('too_large');
    expect(records[0].reason).toBe('media file not stored: too_large (Content-Length)');
  });

  test('a file past 25,600 KiB by one byte (the same number of CDN bytes as padding would give) is refused once decrypted', async () => {
    const { data, puts, records } = await run({ p: [put('/big1', cdnEncrypt(photo(MEDIA_MAX_FILE_BYTES + 1)))] });
    expect(puts).toEqual([]);
    expect(data.p[0].error).toBe('too_large');
    expect(records[0].reason).toBe('media file not stored: too_large (plaintext)');
  });

  test('without Content-Length (chunked), the download is cut at the cap', async () => {
    const file = cdnEncrypt(photo(300_000));
    const entry = mediaEntry(cdn.serve('/chunked', { body: file.file, chunked: true }), 'a.jpg', file);
    const { data, records } = await run({ p: [entry] }, { settings: { maxFileBytes: 100_000 } });
    expect(data.p[0].error).toBe('too_large');
    expect(records[0].reason).toBe('media file not stored: too_large (body)');
  });

  test('the request total: files past it are refused, the others stored', async () => {
    const files = [1, 2, 3].map(() => cdnEncrypt(photo(60_000)));
    const { data, puts } = await run({ p: files.map((f, i) => put(`/t${i}`, f, `${i}.jpg`)) }, { settings: { maxTotalBytes: 150_000 } });
    expect(puts).toHaveLength(2);
    expect(data.p.filter((e: any) => e.error === 'too_large')).toHaveLength(1);
  });
});

describe('only the allowed CDN hosts are fetched (no SSRF)', () => {
  const file = () => cdnEncrypt(Buffer.from('a photo'));

  test.each<[string, (port: number) => string]>([
    ['another host\'s port', (port) => `https://localhost:${port}/x`],
    ['an IP address', (port) => `https://127.0.0.1:${port}/x`],
    ['an IPv4 address written as a number', (port) => `https://2130706433:${port}/x`],
    ['an IPv6 address', (port) => `https://[::1]:${port}/x`],
    ['plain HTTP', (port) => `http://localhost:${port}/x`],
    ['credentials in the URL', (port) => `https://user:pw@localhost:${port}/x`],
    ['a file URL', () => 'file:///etc/passwd'],
    ['the instance metadata service', () => 'https://169.254.169.254/latest/meta-data/'],
    ['not a URL', () => 'mmg.whatsapp.net/x'],
  ])('%s: host_not_allowed, and nothing is requested', async (_case, makeUrl) => {
    other.serve('/x', { body: Buffer.from('secret') });
    const f = file();
    const url = makeUrl(other.port);
    const { data, puts } = await run({ p: [mediaEntry(url, 'a.jpg', f)] }, { settings: { hosts: [cdn.host, '*.whatsapp.net'] } });
    expect(data.p[0].error).toBe('host_not_allowed');
    expect(puts).toEqual([]);
    expect(other.hits).toEqual([]);
  });

  test('a redirect is not followed, even to an allowed host', async () => {
    other.serve('/secret', { body: Buffer.from('secret') });
    const f = file();
    const entry = mediaEntry(cdn.serve('/r', { status: 302, location: other.url('/secret') }), 'a.jpg', f);
    const { data } = await run({ p: [entry] }, { settings: { hosts: [cdn.host, other.host] } });
    expect(data.p[0].error).toBe('download_failed');
    expect(other.hits).toEqual([]);
  });

  test('host patterns: exact names, *.domain for subdomains only, port 443 unless named', () => {
    const hosts = ['*.whatsapp.net', 'cdn.example.com', 'localhost:8443'];
    const ok = (url: string) => allowedCdnUrl(url, hosts) !== undefined;
    expect(ok('https://mmg.whatsapp.net/v/t62/x.enc?ccb=1')).toBe(true);
    expect(ok('https://MMG-FNA.WhatsApp.net/d/f/x')).toBe(true);
    expect(ok('https://mmg.whatsapp.net:443/x')).toBe(true);
    expect(ok('https://whatsapp.net/x')).toBe(false);
    expect(ok('https://evilwhatsapp.net/x')).toBe(false);
    expect(ok('https://mmg.whatsapp.net.evil.com/x')).toBe(false);
    expect(ok('https://mmg.whatsapp.net:8443/x')).toBe(false);
    expect(ok('https://cdn.example.com/x')).toBe(true);
    expect(ok('https://a.cdn.example.com/x')).toBe(false);
    expect(ok('https://localhost:8443/x')).toBe(true);
    expect(ok('https://localhost/x')).toBe(false);
  });
});

describe('the deadline: the handler keeps its time', () => {
  test('a download that does not finish 3.7 s before the budget runs out is given up: timed_out', async () => {
    const [fast, slow] = [cdnEncrypt(photo(1_000)), cdnEncrypt(photo(1_000))];
    const data = { p: [put('/fast', fast, 'fast.jpg'), mediaEntry(cdn.serve('/slow', { body: slow.file, delayMs: 5_000 }), 'slow.jpg', slow)] };
    const { puts, ms, records } = await run(data, { remainingMs: 5_000 });
    expect(puts).toHaveLength(1);
    expect(data.p[1]).toEqual({ fileName: 'slow.jpg', mediaId: 'media-slow.jpg', error: 'timed_out' });
    expect(ms).toBeGreaterThanOrEqual(1_200);
    expect(ms).toBeLessThan(1_800);
    expect(records[0].reason).toMatch(/^media file not stored: timed_out/);
  });

  test('no time left at all: nothing is fetched', async () => {
    const f = cdnEncrypt(photo(1_000));
    const { data } = await run({ p: [put('/n', f)] }, { remainingMs: 2_000 });
    expect(data.p[0].error).toBe('timed_out');
    expect(cdn.hits).toEqual([]);
  });

  test('S3 failing: store_failed with the error name; S3 too slow: timed_out', async () => {
    const f = cdnEncrypt(photo(1_000));
    const failed = await run({ p: [put('/s', f)] }, { put: async () => { throw Object.assign(new Error('denied'), { name: 'AccessDenied' }); } });
    expect(failed.data.p[0].error).toBe('store_failed');
    expect(failed.records[0].reason).toBe('media file not stored: store_failed (AccessDenied)');
    const slow = await run({ p: [put('/s', f)] }, {
      remainingMs: 4_000,
      put: (_o, signal) => new Promise((_r, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')))),
    });
    expect(slow.data.p[0].error).toBe('timed_out');
  });
});

test('keys: <prefix>/<day>/<sha256 hex>[.known extension]; disposition keeps the name', () => {
  const sha = createHash('sha256').update('x').digest();
  expect(mediaKey('p', NOW, sha, 'scan.PDF')).toBe(`p/2026-12-24/${sha.toString('hex')}.pdf`);
  expect(mediaKey('p/q', NOW, sha, 'noext')).toBe(`p/q/2026-12-24/${sha.toString('hex')}`);
  expect(contentDispositionOf('')).toBe('attachment; filename="file"; filename*=UTF-8\'\'');
  expect(findMediaEntries({ a: [{ cdn_url: 'x' }, { encryption_metadata: {} }, { other: 1 }] })).toHaveLength(2);
});

describe('the hook from the function\'s environment', () => {
  // Imported here: media-store.ts loads the S3 client only when a file is stored.
  const { mediaHookFromEnv } = require('../../src/endpoint/runtime/media-store'); // eslint-disable-line @typescript-eslint/no-require-imports

  test('no bucket: no hook (entries pass through)', () => {
    expect(mediaHookFromEnv({})).toBeUndefined();
  });

  test('a bucket: a hook that leaves data without media alone and refuses hosts off the default list', async () => {
    const hook = mediaHookFromEnv({ FLOW_ENDPOINT_MEDIA_BUCKET: 'b', FLOW_ENDPOINT_MEDIA_PREFIX: 'p/' });
    const plainData = { name: 'Jane', list: [1, { a: 'b' }] };
    const records: MediaRecord[] = [];
    await hook(plainData, 8_000, (r: MediaRecord) => records.push(r));
    expect(plainData).toEqual({ name: 'Jane', list: [1, { a: 'b' }] });
    const f = cdnEncrypt(Buffer.from('x'));
    const data = { p: [mediaEntry(cdn.serve('/d', { body: f.file }), 'a.jpg', f)] };
    await hook(data, 8_000, (r: MediaRecord) => records.push(r));
    expect(data.p[0]).toEqual({ fileName: 'a.jpg', mediaId: 'media-a.jpg', error: 'host_not_allowed' });
    expect(cdn.hits).toEqual([]);
  });
});
