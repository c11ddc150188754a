import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { EXCHANGES, FLOW_FILE } from './answers/meta-book-appointment';
import { isWarning, WRONG_ANSWERS } from './answers/wrong-answers';
import { CliIo, run } from '../../src/cli/main';

const ROOT = path.join(__dirname, '..', '..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'check-answer-'));
const write = (name: string, value: unknown) => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, JSON.stringify(value));
  return file;
};

function runCli(...argv: string[]): { code: number; stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const io: CliIo = { stdout: line => stdout.push(line), stderr: line => stderr.push(line), readFile: file => fs.readFileSync(file, 'utf8') };
  return { code: run(argv, io), stdout, stderr };
}

const requestArgs = (r: { action: string; screen?: string; flow_token?: string }) => [
  '--action', r.action, ...(r.screen ? ['--screen', r.screen] : []), ...(r.flow_token ? ['--flow-token', r.flow_token] : []),
];

describe('whatsapp-flow check-answer', () => {
  test.each(EXCHANGES.map((e, i) => [e.name, i] as const))('Meta\'s answer passes, exit 0: %s', (_name, i) => {
    const exchange = EXCHANGES[i];
    const answer = write(`meta-${i}.json`, exchange.answer);
    const result = runCli('check-answer', FLOW_FILE, ...requestArgs(exchange.request), answer);
    expect(result).toEqual({ code: 0, stdout: ['1 answer checked: 0 invalid, 0 errors, 0 warnings.'], stderr: [] });
  });

  test.each(WRONG_ANSWERS.map((w) => [w.code, w.why, w] as const))('%s (%s): one line a problem, exit 1 for an error', (code, _why, wrong) => {
    const answer = write(`${code}.json`, wrong.answer);
    const result = runCli('check-answer', FLOW_FILE, ...requestArgs(wrong.request), answer);
    expect(result.code).toBe(isWarning(code) ? 0 : 1);
    expect(result.stdout[0]).toMatch(new RegExp(`^${escape(answer)}:${escape(wrong.path)}  ${isWarning(code) ? 'warning ' : ''}${code}  `));
    const json = runCli('check-answer', FLOW_FILE, ...requestArgs(wrong.request), answer, '--format', 'json');
    const [report] = JSON.parse(json.stdout.join('\n'));
    expect(report.file).toBe(answer);
    expect((isWarning(code) ? report.warnings : report.errors)[0]).toMatchObject({ code, path: wrong.path, severity: isWarning(code) ? 'warning' : 'error' });
  });

  test('the example of the issue: the flow, --screen, --action, the answer', () => {
    const answer = write('appointment.json', { screen: 'APPOINTMENT', data: { department: 'beauty' } });
    const result = runCli('check-answer', FLOW_FILE, '--screen', 'APPOINTMENT', '--action', 'data_exchange', answer);
    expect(result.code).toBe(1);
    expect(result.stdout[result.stdout.length - 1]).toBe('1 answer checked: 1 invalid, 7 errors, 0 warnings.');
  });

  test.each([
    [['check-answer']],
    [['check-answer', FLOW_FILE, '--action', 'INIT']],
    [['check-answer', FLOW_FILE, 'x.json', '--action', 'init']],
    [['check-answer', FLOW_FILE, 'x.json']],
    [['check-answer', FLOW_FILE, 'x.json', '--action', 'data_exchange']],
    [['check-answer', FLOW_FILE, 'x.json', '--action', 'INIT', '--format', 'xml']],
    [['check-answer', FLOW_FILE, 'x.json', '--action', 'INIT', '--screem', 'A']],
    [['check-answer', FLOW_FILE, 'x.json', '--action']],
    [['check-answer', FLOW_FILE, path.join(dir, 'missing.json'), '--action', 'INIT']],
    [['check-answer', path.join(dir, 'missing.json'), 'x.json', '--action', 'INIT']],
  ])('exits 2 on a usage or input error: %j', (argv) => {
    const result = runCli(...argv);
    expect(result.code).toBe(2);
    expect(result.stderr.join('\n')).not.toBe('');
    expect(result.stdout).toEqual([]);
  });

  test('exits 2 for files that are not JSON, or a Flow JSON without screens', () => {
    const notJson = path.join(dir, 'not.json');
    fs.writeFileSync(notJson, '{');
    const answer = write('init.json', EXCHANGES[0].answer);
    expect(runCli('check-answer', FLOW_FILE, '--action=INIT', notJson).code).toBe(2);
    expect(runCli('check-answer', notJson, '--action=INIT', answer).stderr[0]).toMatch(/not valid JSON/);
    expect(runCli('check-answer', write('empty.json', { version: '7.3', screens: [] }), '--action=INIT', answer).code).toBe(2);
  });

  test('several answers at once; an unknown command suggests check-answer', () => {
    const good = write('good.json', EXCHANGES[0].answer);
    const bad = write('bad.json', { screen: 'DETAILS', data: {} });
    const result = runCli('check-answer', FLOW_FILE, '--action', 'INIT', good, bad);
    expect(result.code).toBe(1);
    expect(result.stdout[result.stdout.length - 1]).toMatch(/^2 answers checked: 1 invalid, /);
    expect(runCli('check-anwser').stderr[0]).toContain('Did you mean "check-answer"?');
  });

  test('the real process exits with the right codes', () => {
    const cli = (...args: string[]) => spawnSync(process.execPath, ['-r', 'ts-node/register', path.join(ROOT, 'src', 'cli', 'main.ts'), ...args], {
      cwd: ROOT,
      env: { ...process.env, TS_NODE_PROJECT: path.join(ROOT, 'tsconfig.dev.json'), TS_NODE_TRANSPILE_ONLY: 'true' },
      encoding: 'utf8',
    });
    expect(cli('check-answer', FLOW_FILE, '--action', 'INIT', write('ok.json', EXCHANGES[0].answer)).status).toBe(0);
    const wrong = cli('check-answer', FLOW_FILE, '--action', 'INIT', write('wrong.json', { screen: 'SUMMARY', data: {} }), '--format', 'json');
    expect(wrong.status).toBe(1);
    expect(JSON.parse(wrong.stdout)[0].errors[0].code).toBe('ANSWER_SCREEN_NOT_ALLOWED');
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
