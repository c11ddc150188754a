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
