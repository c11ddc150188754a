import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';

/** The repository's root: the packaging tests read what `npx projen package` wrote into dist/. */
export const ROOT = path.resolve(__dirname, '..', '..');

/** The one file in `dir` whose name ends with `suffix`; fails with a hint when there is none or more than one. */
export function artifact(dir: string, suffix: string): string {
  const abs = path.join(ROOT, dir);
  const found = fs.existsSync(abs) ? fs.readdirSync(abs).filter(f => f.endsWith(suffix)) : [];
  if (found.length !== 1) {
    throw new Error(`expected exactly one *${suffix} in ${dir}, found ${JSON.stringify(found)}: run "npx projen package" first`);
  }
  return path.join(abs, found[0]);
}

/** The paths in a .tar.gz file, as `tar` lists them. */
export function tarEntries(file: string): string[] {
  return execFileSync('tar', ['-tzf', file], { encoding: 'utf8' }).split('\n').filter(line => line && !line.endsWith('/'));
}

/** Reads the entries of a zip file (a wheel) from its central directory. */
export class ZipArchive {
  public static open(file: string): ZipArchive {
    return new ZipArchive(fs.readFileSync(file));
  }

  private readonly entries = new Map<string, { method: number; compressedSize: number; localHeader: number }>();

  constructor(private readonly data: Buffer) {
    const eocd = data.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    if (eocd < 0) throw new Error('not a zip file: no end of central directory record');
    const count = data.readUInt16LE(eocd + 10);
    let at = data.readUInt32LE(eocd + 16);
    for (let i = 0; i < count; i++) {
      if (data.readUInt32LE(at) !== 0x02014b50) throw new Error(`bad central directory entry at ${at}`);
      const method = data.readUInt16LE(at + 10);
      const compressedSize = data.readUInt32LE(at + 20);
      const nameLength = data.readUInt16LE(at + 28);
      const extraLength = data.readUInt16LE(at + 30);
      const commentLength = data.readUInt16LE(at + 32);
      const localHeader = data.readUInt32LE(at + 42);
      const name = data.toString('utf8', at + 46, at + 46 + nameLength);
      this.entries.set(name, { method, compressedSize, localHeader });
      at += 46 + nameLength + extraLength + commentLength;
    }
  }

  public get names(): string[] {
    return [...this.entries.keys()];
  }

  public read(name: string): Buffer {
    const entry = this.entries.get(name);
    if (!entry) throw new Error(`${name} is not in the archive`);
    const h = entry.localHeader;
    const start = h + 30 + this.data.readUInt16LE(h + 26) + this.data.readUInt16LE(h + 28);
    const raw = this.data.subarray(start, start + entry.compressedSize);
    switch (entry.method) {
      case 0: return Buffer.from(raw);
      case 8: return zlib.inflateRawSync(raw);
      default: throw new Error(`${name}: unsupported compression method ${entry.method}`);
    }
  }
}
