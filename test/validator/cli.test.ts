import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { CliIo, run } from '../../src/cli/main';

const ROOT = path.join(__dirname, '..', '..');
const VALID = path.join(__dirname, 'flows', 'valid', 'feedback-form.json');
const OLD_VERSION = path.join(__dirname, 'flows', 'valid', 'sign-up.json');
const INVALID = path.join(__dirname, 'flows', 'invalid', 'navigate-unknown-screen.json');

function runCli(...argv: string[]): { code: number; stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const io: CliIo = { stdout: line => stdout.push(line), stderr: line => stderr.push(line), readFile: file => fs.readFileSync(file, 'utf8') };
  return { code: run(argv, io), stdout, stderr };
}

describe('whatsapp-flow validate', () => {
  test('exits 0 for a valid file and prints a summary', () => {
    const result = runCli('validate', VALID);
    expect(result.code).toBe(0);
    expect(result.stdout).toEqual(['1 file checked: 0 invalid, 0 errors, 0 warnings.']);
  });

  test('exits 0 when there are only warnings, and marks them', () => {
    const result = runCli('validate', OLD_VERSION);
    expect(result.code).toBe(0);
    expect(result.stdout[0]).toBe(`${OLD_VERSION}:$.version  warning VERSION_NOTICE  Version 5.1: ${result.stdout[0].split('Version 5.1: ')[1]}`);
  });

  test('exits 1 when any file has errors, one problem a line', () => {
    const result = runCli('validate', VALID, INVALID);
    expect(result.code).toBe(1);
    expect(result.stdout[0]).toMatch(
      new RegExp(`^${escape(INVALID)}:\\$\\.screens\\[0\\]\\.layout\\.children\\[0\\]\\.children\\[2\\]\\['on-click-action'\\]\\.next\\.name  NAVIGATE_UNKNOWN_SCREEN  No screen has id "HELP"`));
    expect(result.stdout[result.stdout.length - 1]).toBe('2 files checked: 1 invalid, 1 error, 0 warnings.');
  });

  test('--format json prints one report per file', () => {
    for (const args of [['--format', 'json'], ['--format=json']]) {
      const result = runCli('validate', VALID, INVALID, ...args);
      expect(result.code).toBe(1);
      const reports = JSON.parse(result.stdout.join('\n'));
      expect(reports).toEqual([
        { file: VALID, errors: [], warnings: [] },
        { file: INVALID, errors: [expect.objectContaining({ code: 'NAVIGATE_UNKNOWN_SCREEN', path: expect.stringContaining('next.name') })], warnings: [] },
      ]);
      expect(Object.keys(reports[1].errors[0])).toEqual(['code', 'path', 'message']);
    }
  });

  test.each([
    [[]],
    [['check', VALID]],
    [['validate']],
    [['validate', VALID, '--strict']],
    [['validate', VALID, '--format', 'xml']],
    [['validate', VALID, '--format']],
  ])('exits 2 on a usage error: %j', argv => {
    const result = runCli(...argv);
    expect(result.code).toBe(2);
    expect(result.stderr.join('\n')).not.toBe('');
    expect(result.stdout).toEqual([]);
  });

  test('--help prints usage, naming the package to run it from', () => {
    expect(runCli('--help')).toMatchObject({ code: 0, stdout: [expect.stringContaining('whatsapp-flow validate')] });
    expect(runCli('--help').stdout[0]).toContain('npx -p cdk-whatsapp-flows whatsapp-flow');
  });

  test('--version prints the version of the package.json the command ships in', () => {
    const { version } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    expect(runCli('--version')).toEqual({ code: 0, stdout: [version], stderr: [] });
  });

  test('a file that cannot be read is reported as that file\'s error, and the other files are checked', () => {
    const missing = path.join(__dirname, 'no-such-file.json');
    const result = runCli('validate', missing, VALID, INVALID);
    expect(result.code).toBe(1);
    expect(result.stderr).toEqual([]);
    expect(result.stdout[0]).toBe(`${missing}:$  FILE_UNREADABLE  Cannot read the file: ENOENT: no such file or directory, open '${missing}'`);
    expect(result.stdout[1]).toContain('NAVIGATE_UNKNOWN_SCREEN');
    expect(result.stdout[result.stdout.length - 1]).toBe('3 files checked: 2 invalid, 2 errors, 0 warnings.');

    const alone = runCli('validate', missing);
    expect(alone.code).toBe(1);
    const json = runCli('validate', VALID, missing, '--format', 'json');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout.join('\n'))).toEqual([
      { file: VALID, errors: [], warnings: [] },
      { file: missing, errors: [{ code: 'FILE_UNREADABLE', path: '$', message: expect.stringContaining('ENOENT') }], warnings: [] },
    ]);
  });

  test('text that is not JSON is reported with its line and column', () => {
    const text = '{\n  "version": "7.3",\n  "screens": [}\n';
    const io: CliIo = { stdout: () => undefined, stderr: () => undefined, readFile: () => text };
    const lines: string[] = [];
    expect(run(['validate', 'broken.json'], { ...io, stdout: line => lines.push(line) })).toBe(1);
    expect(lines[0]).toBe('broken.json:$  INVALID_JSON  The file is not valid JSON at line 3, column 15: unexpected "}": expected a value.');
    const json: string[] = [];
    run(['validate', 'broken.json', '--format', 'json'], { ...io, stdout: line => json.push(line) });
    expect(JSON.parse(json.join('\n'))[0].errors[0]).toMatchObject({ code: 'INVALID_JSON', line: 3, column: 15 });
    // A file that ends too early points at its last character.
    const cut = runCli('validate', path.join(__dirname, 'flows', 'invalid', 'invalid-json.json'));
    expect(cut.stdout[0]).toContain('INVALID_JSON  The file is not valid JSON at line 1, column 33: the text ends: expected a value.');
  });

  test('the real process exits with the right codes', () => {
    const cli = (...args: string[]) => spawnSync(process.execPath, ['-r', 'ts-node/register', path.join(ROOT, 'src', 'cli', 'main.ts'), ...args], {
      cwd: ROOT,
      env: { ...process.env, TS_NODE_PROJECT: path.join(ROOT, 'tsconfig.dev.json'), TS_NODE_TRANSPILE_ONLY: 'true' },
      encoding: 'utf8',
    });
    expect(cli('validate', VALID).status).toBe(0);
    const invalid = cli('validate', INVALID, '--format', 'json');
    expect(invalid.status).toBe(1);
    expect(JSON.parse(invalid.stdout)[0].errors[0].code).toBe('NAVIGATE_UNKNOWN_SCREEN');
    expect(cli('validate').status).toBe(2);
    const version = cli('--version');
    expect(version.status).toBe(0);
    expect(version.stdout).toBe(`${JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version}\n`);
  }, 60_000);
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('whatsapp-flow validate --ignore', () => {
  const TITLE_CASE = path.join(__dirname, 'flows', 'invalid', 'title-case-title.json');

  test('silences the warning codes it names, and only those', () => {
    expect(runCli('validate', TITLE_CASE).stdout[0]).toContain('warning DESIGN_SENTENCE_CASE');
    for (const args of [['--ignore', 'DESIGN_SENTENCE_CASE'], ['--ignore=DESIGN_VAGUE_CTA,DESIGN_SENTENCE_CASE']]) {
      const result = runCli('validate', TITLE_CASE, ...args);
      expect(result.code).toBe(0);
      expect(result.stdout).toEqual(['1 file checked: 0 invalid, 0 errors, 0 warnings.']);
    }
  });

  test('refuses error codes and unknown codes, suggesting the closest one', () => {
    const error = runCli('validate', VALID, '--ignore', 'NAVIGATE_UNKNOWN_SCREEN');
    expect(error.code).toBe(2);
    expect(error.stderr[0]).toContain('only warnings can be silenced');
    const typo = runCli('validate', VALID, '--ignore', 'DESIGN_SENTENCE_CAES');
    expect(typo.code).toBe(2);
    expect(typo.stderr[0]).toContain('Did you mean "DESIGN_SENTENCE_CASE"?');
    expect(runCli('validate', VALID, '--ignore').code).toBe(2);
  });
});

describe('whatsapp-flow graph', () => {
  test('prints a Mermaid flowchart: navigate edges, routing-model edges, terminal screens, the entry', () => {
    const result = runCli('graph', path.join(__dirname, 'flows', 'valid', 'meta-appointment-booking-dynamic.json'));
    expect(result.code).toBe(0);
    expect(result.stdout.join('\n')).toBe([
      'flowchart TD',
      '  s0["APPOINTMENT<br/>Appointment"]',
      '  s1["DETAILS<br/>Details"]',
      '  s2(["SUMMARY<br/>Summary"])',
      '  s3["TERMS<br/>Terms and Conditions"]',
      '  s0 -->|navigate| s1',
      '  s1 -.->|routing_model| s2',
      '  s2 -->|navigate| s3',
      '  start((" ")) --> s0',
      '  classDef terminal fill:#e7f5e9,stroke:#2e7d32',
      '  class s2 terminal',
    ].join('\n'));
  });

  test('quotes in titles cannot break the chart', () => {
    const flow = JSON.parse(fs.readFileSync(VALID, 'utf8'));
    flow.screens[0].title = 'Say "hi"';
    const io: CliIo = { stdout: () => undefined, stderr: () => undefined, readFile: () => JSON.stringify(flow) };
    const lines: string[] = [];
    expect(run(['graph', 'x.json'], { ...io, stdout: line => lines.push(line) })).toBe(0);
    expect(lines.join('\n')).toContain('Say #quot;hi#quot;');
  });

  test.each([
    [['graph']],
    [['graph', VALID, '--format', 'svg']],
    [['graph', '--strict', VALID]],
  ])('exits 2 on a usage error: %j', argv => {
    expect(runCli(...argv).code).toBe(2);
  });

  test('exits 1 when the file cannot be read, is not JSON or has no screens, saying why', () => {
    const notJson = runCli('graph', path.join(__dirname, 'flows', 'invalid', 'invalid-json.json'));
    expect(notJson.code).toBe(1);
    expect(notJson.stderr[0]).toMatch(/invalid-json\.json:\$ {2}INVALID_JSON {2}The file is not valid JSON at line 1, column 33/);
    expect(runCli('graph', path.join(__dirname, 'flows', 'invalid', 'empty-screens.json')).code).toBe(1);
    const missing = runCli('graph', path.join(__dirname, 'no-such-file.json'));
    expect(missing).toMatchObject({ code: 1, stdout: [], stderr: [expect.stringMatching(/^Cannot read .*no-such-file\.json: ENOENT/)] });
  });

  test('a route to a screen that does not exist is drawn dashed, to a node marked missing', () => {
    const navigate = runCli('graph', INVALID);
    expect(navigate.code).toBe(0);
    expect(navigate.stdout.join('\n')).toBe([
      'flowchart TD',
      '  s0["START<br/>Start"]',
      '  s1(["END<br/>End"])',
      '  s0 -->|navigate| s1',
      '  m0["HELP<br/>no such screen"]',
      '  s0 -.->|navigate| m0',
      '  start((" ")) --> s0',
      '  classDef terminal fill:#e7f5e9,stroke:#2e7d32',
      '  class s1 terminal',
      '  classDef missing fill:#fdecea,stroke:#c62828,stroke-dasharray:4 3',
      '  class m0 missing',
    ].join('\n'));
    const routed = runCli('graph', path.join(__dirname, 'flows', 'invalid', 'routing-model-unknown-screen.json')).stdout.join('\n');
    expect(routed).toContain('  m0["FINISH<br/>no such screen"]\n  s0 -.->|routing_model| m0');
    expect(routed).toContain('  class m0 missing');
  });

  test('several files: one chart each, after a comment naming the file; as Markdown, one mermaid block each', () => {
    const missing = path.join(__dirname, 'no-such-file.json');
    const result = runCli('graph', VALID, missing, INVALID);
    expect(result.code).toBe(1);
    expect(result.stderr).toEqual([expect.stringMatching(/^Cannot read .*no-such-file\.json/)]);
    const charts = result.stdout.join('\n').split('\n\n');
    expect(charts).toHaveLength(2);
    expect(charts[0]).toMatch(new RegExp(`^%% ${escape(VALID)}\nflowchart TD\n`));
    expect(charts[1]).toMatch(new RegExp(`^%% ${escape(INVALID)}\nflowchart TD\n`));

    const markdown = runCli('graph', VALID, INVALID, '--format=markdown');
    expect(markdown.code).toBe(0);
    const text = markdown.stdout.join('\n');
    expect(text.startsWith(`## ${VALID}\n\n\`\`\`mermaid\nflowchart TD\n`)).toBe(true);
    expect(text).toContain(`\n\`\`\`\n\n## ${INVALID}\n\n\`\`\`mermaid\nflowchart TD\n`);
    expect(text.endsWith('class m0 missing\n```')).toBe(true);
  });
});
