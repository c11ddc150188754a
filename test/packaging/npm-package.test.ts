import { artifact, tarEntries } from './archive';

// What the npm tarball may hold, relative to its root: the compiled library, the jsii assembly, the bundled
// functions (the Flow handler, the events function and the Flow endpoint) and the docs. Anything else (sources, tests, benchmarks,
// examples, scripts, configs) fails the test.
const ALLOWED: RegExp[] = [
  /^package\.json$/,
  /^README\.md$/,
  /^API\.md$/,
  /^LICENSE$/,
  /^\.jsii(\.gz)?$/,
  /^lib\/.+\.(js|d\.ts)$/,
  /^assets\/provider\/on-event\.lambda\/index\.js$/,
  /^assets\/events\/flow-events\.lambda\/index\.js$/,
  /^assets\/endpoint\/runtime\/endpoint\.lambda\/(index|media-s3)\.js$/,
];

const REQUIRED = [
  'package.json',
  'README.md',
  'API.md',
  'LICENSE',
  '.jsii',
  'lib/index.js',
  'lib/index.d.ts',
  'lib/flow/whatsapp-flow.js',
  'lib/flow/whatsapp-flow.d.ts',
  'lib/cli/main.js',
  'assets/provider/on-event.lambda/index.js',
  'assets/events/flow-events.lambda/index.js',
  'assets/endpoint/runtime/endpoint.lambda/index.js',
  // The endpoint's S3 client, loaded on the first request with media.
  'assets/endpoint/runtime/endpoint.lambda/media-s3.js',
  'lib/endpoint/whatsapp-flow-endpoint.js',
];

const paths = tarEntries(artifact('dist/js', '.tgz'))
  .map(entry => entry.replace(/^package\//, ''))
  .sort();

test('the npm tarball holds only the library, its assembly, the handler asset and the docs', () => {
  expect(paths.filter(p => !ALLOWED.some(pattern => pattern.test(p)))).toEqual([]);
});

test.each(REQUIRED)('the npm tarball holds %s', required => {
  expect(paths).toContain(required);
});

test('the npm tarball holds no sources, tests or dependencies', () => {
  const forbidden = /^(src|test|benchmark|scripts|examples|docs|node_modules|cdk\.out|coverage|dist|\.ci|\.projen|projenrc)\/|^\.projenrc\.ts$|^tsconfig.*\.json$|\.test\.(js|d\.ts)$|\.ts$(?<!\.d\.ts)/;
  expect(paths.filter(p => forbidden.test(p))).toEqual([]);
});

test('every compiled module ships with its type declarations', () => {
  const js = paths.filter(p => /^lib\/.+\.js$/.test(p));
  expect(js.length).toBeGreaterThan(0);
  expect(js.filter(p => !paths.includes(p.replace(/\.js$/, '.d.ts')))).toEqual([]);
});
