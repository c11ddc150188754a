/** The shipped handler asset: its size on disk and how long Node takes to load it. */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as zlib from 'zlib';
import { ensureBundle, HANDLER_ASSET } from '../../test/wire/driver/handler';

export { HANDLER_ASSET };

export interface AssetSize {
  readonly bytes: number;
  /** Gzipped, close to what the Lambda deployment zip holds. */
  readonly gzipBytes: number;
}

export function handlerAssetSize(): AssetSize {
  ensureBundle();
  const text = fs.readFileSync(HANDLER_ASSET);
  return { bytes: text.length, gzipBytes: zlib.gzipSync(text, { level: 9 }).length };
}

/** Milliseconds to `require` the handler in a fresh Node process, once per run. */
export function moduleLoadTimes(runs: number): number[] {
  ensureBundle();
  const script = 'const t = process.hrtime.bigint(); require(process.argv[1]); '
    + 'console.log(Number(process.hrtime.bigint() - t) / 1e6)';
  return Array.from({ length: runs }, () => {
    const child = spawnSync(process.execPath, ['-e', script, HANDLER_ASSET], { encoding: 'utf-8' });
    if (child.status !== 0) throw new Error(`loading ${HANDLER_ASSET} failed: ${child.stderr}`);
    return Number(child.stdout.trim());
  });
}
