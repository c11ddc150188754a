import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { artifact, ROOT, tarEntries, ZipArchive } from './archive';

interface Docs { readonly summary?: string; readonly remarks?: string; readonly stability?: string }
interface JsiiType {
  readonly docs?: Docs;
  readonly properties?: { readonly name: string; readonly docs?: Docs }[];
}

const MODULE = 'cdk_whatsapp_flows';
const assembly = JSON.parse(fs.readFileSync(path.join(ROOT, '.jsii'), 'utf8'));
const typeOf = (name: string): JsiiType => assembly.types[`cdk-whatsapp-flows.${name}`];

const wheel = ZipArchive.open(artifact('dist/python', '.whl'));
const init = wheel.read(`${MODULE}/__init__.py`).toString('utf8');

/** The source of `class <name>(...)` up to the next top-level class. */
function classSource(name: string): string {
  const start = init.search(new RegExp(`^class ${name}[(:]`, 'm'));
  expect(start).toBeGreaterThanOrEqual(0);
  const next = init.slice(start + 1).search(/^class /m);
  return next < 0 ? init.slice(start) : init.slice(start, start + 1 + next);
}

/** Docstrings indent continuation lines and turn Markdown code spans into RST ones: compare modulo both. */
const squash = (text: string) => text.replace(/``/g, '`').replace(/\s+/g, ' ').trim();
/** jsii opens the docstring of an API that is not stable with its stability, e.g. `(experimental) `. */
const marked = (summary: string, stability?: string) => (stability && stability !== 'stable' ? `(${stability}) ${summary}` : summary);

test('the wheel holds the module, its type marker and the jsii assembly', () => {
  expect(wheel.names).toEqual(expect.arrayContaining([
    `${MODULE}/__init__.py`,
    `${MODULE}/py.typed`,
    `${MODULE}/_jsii/__init__.py`,
  ]));
  expect(wheel.names.filter(n => new RegExp(`^${MODULE}/_jsii/cdk-whatsapp-flows@.+\\.jsii\\.tgz$`).test(n))).toHaveLength(1);
  expect(wheel.names.filter(n => /\.dist-info\/METADATA$/.test(n))).toHaveLength(1);
});

test('the assembly inside the wheel carries the bundled handler and the Flow endpoint', () => {
  const name = wheel.names.find(n => n.endsWith('.jsii.tgz'))!;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wheel-assembly-'));
  try {
    const file = path.join(dir, 'assembly.tgz');
    fs.writeFileSync(file, wheel.read(name));
    const entries = tarEntries(file);
    expect(entries).toEqual(expect.arrayContaining([
      'package/assets/provider/on-event.lambda/index.js', 'package/assets/endpoint/runtime/endpoint.lambda/index.js', 'package/.jsii', 'package/lib/index.js',
      'package/assets/endpoint/runtime/endpoint.lambda/media-s3.js',
    ]));
    expect(entries.filter(e => /^package\/(src|test)\//.test(e))).toEqual([]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test.each(['WhatsAppFlow', 'WhatsAppFlowProps', 'FlowCategory', 'FlowJson', 'WhatsAppFlowEndpoint', 'WhatsAppFlowEndpointProps'])('the module defines class %s with its docstring', name => {
  const docs = typeOf(name).docs;
  expect(docs?.summary).toBeTruthy();
  expect(squash(classSource(name))).toContain(`'''${squash(marked(docs!.summary!, docs!.stability))}`);
});

test('WhatsAppFlow takes its props as typed snake_case keyword arguments', () => {
  const source = classSource('WhatsAppFlow');
  expect(source).toMatch(/whats_app_business_account_id: builtins\.str,/);
  expect(source).toMatch(/flow_name: builtins\.str,/);
  expect(source).toMatch(/flow_json: typing\.Optional\["FlowJson"\] = None,/);
  expect(source).toMatch(/removal_policy: typing\.Optional\[".*RemovalPolicy"\] = None,/);
  expect(source).toMatch(/validate_flow_json: typing\.Optional\[builtins\.bool\] = None,/);
});

test.each([
  ['whatsAppBusinessAccountId', 'whats_app_business_account_id'],
  ['flowName', 'flow_name'],
  ['flowJson', 'flow_json'],
  ['removalPolicy', 'removal_policy'],
  ['validateFlowJson', 'validate_flow_json'],
])('the docstrings document the prop %s as %s', (prop, param) => {
  const docs = typeOf('WhatsAppFlowProps').properties?.find(p => p.name === prop)?.docs;
  expect(docs?.summary).toBeTruthy();
  const summary = marked(docs!.summary!, docs!.stability);
  expect(squash(classSource('WhatsAppFlow'))).toContain(squash(`:param ${param}: ${summary}`));
  expect(squash(classSource('WhatsAppFlowProps'))).toContain(squash(`'''${summary}`));
});

test('a prop\'s docstring carries its TSDoc text', () => {
  expect(squash(classSource('WhatsAppFlowProps'))).toContain('unique within the WhatsApp Business Account');
});

test('the sdist holds setup.py and the module sources', () => {
  const entries = tarEntries(artifact('dist/python', '.tar.gz'));
  const root = entries[0].split('/')[0];
  expect(root).toMatch(/^cdk-whatsapp-flows-/);
  expect(entries).toEqual(expect.arrayContaining([
    `${root}/setup.py`,
    `${root}/PKG-INFO`,
    `${root}/src/${MODULE}/__init__.py`,
    `${root}/src/${MODULE}/py.typed`,
  ]));
});

test('the wheel\'s metadata names the distribution and its runtime dependencies', () => {
  const metadata = wheel.read(wheel.names.find(n => /\.dist-info\/METADATA$/.test(n))!).toString('utf8');
  expect(metadata).toMatch(/^Name: cdk-whatsapp-flows$/m);
  expect(metadata).toMatch(/^Requires-Dist: aws-cdk-lib/m);
  expect(metadata).toMatch(/^Requires-Dist: jsii/m);
});

describe('the Python example app uses names the wheel defines', () => {
  const example = fs.readFileSync(path.join(ROOT, 'examples', 'python', 'app.py'), 'utf8');

  test('every name it imports from the module', () => {
    const imported = /from cdk_whatsapp_flows import \(([^)]*)\)/.exec(example)![1].split(',').map(n => n.trim()).filter(Boolean);
    expect(imported.length).toBeGreaterThan(5);
    for (const name of imported) expect(init).toMatch(new RegExp(`^class ${name}[(:]`, 'm'));
  });

  test.each([
    ['WhatsAppFlowEvents', 'def on_status_change('],
    ['WhatsAppFlowEvents', 'def on_version_expiry_warning('],
    ['WhatsAppFlowEvents', 'new_statuses: typing.Optional'],
    ['FlowButton', 'def navigate('],
    ['WhatsAppMessageTemplate', 'flow_button: typing.Optional'],
    ['WhatsAppFlowEndpoint', 'phone_number_ids: typing.Sequence'],
    ['WhatsAppFlowEndpoint', 'verify_flow_token_signature: typing.Optional'],
    ['WhatsAppFlow', 'endpoint: typing.Optional'],
  ])('%s has %s', (name, member) => {
    expect(classSource(name)).toContain(member);
  });
});
