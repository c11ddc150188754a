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
    [['validate', path.join(__dirname, 'no-such-file.json')]],
  ])('exits 2 on a usage or I/O error: %j', argv => {
    const result = runCli(...argv);
    expect(result.code).toBe(2);
    expect(result.stderr.join('\n')).not.toBe('');
    expect(result.stdout).toEqual([]);
  });

  test('--help prints usage', () => {
    expect(runCli('--help')).toMatchObject({ code: 0, stdout: [expect.stringContaining('whatsapp-flow validate')] });
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
    [['graph', VALID, INVALID]],
    [['graph', path.join(__dirname, 'no-such-file.json')]],
  ])('exits 2 on a usage or I/O error: %j', argv => {
    expect(runCli(...argv).code).toBe(2);
  });

  test('exits 1 when the file is not JSON or has no screens', () => {
    expect(runCli('graph', path.join(__dirname, 'flows', 'invalid', 'invalid-json.json')).code).toBe(1);
    expect(runCli('graph', path.join(__dirname, 'flows', 'invalid', 'empty-screens.json')).code).toBe(1);
  });
});
