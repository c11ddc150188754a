/**
 * The example's booking logic (examples/booking-logic/index.py) against its Flow JSON's answer contract, as the
 * README tells users to test their own function: every answer passes FlowAnswerContract.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { FlowAnswerContract } from '../../src';

const EXAMPLES = path.join(__dirname, '..', '..', 'examples');
const contract = FlowAnswerContract.fromFlowJsonText(fs.readFileSync(path.join(EXAMPLES, 'flows', 'appointment-booking-dynamic.json'), 'utf8'));
const cancellation = FlowAnswerContract.fromFlowJsonText(fs.readFileSync(path.join(EXAMPLES, 'flows', 'appointment-cancellation-dynamic.json'), 'utf8'));

function run(requests: unknown[]): any[] {
  const script = 'import json, sys; sys.path.insert(0, sys.argv[1]); import index; '
    + 'print(json.dumps([index.handler(r, None) for r in json.load(sys.stdin)]))';
  const child = spawnSync('python3', ['-B', '-c', script, path.join(EXAMPLES, 'booking-logic')], { input: JSON.stringify(requests), encoding: 'utf8' });
  if (child.status !== 0) throw new Error(child.stderr);
  return JSON.parse(child.stdout);
}

test('every answer of the example fits its Flow JSON', () => {
  const token = 'booking-42';
  const day = '2027-01-15';
  const requests = [
    { version: '4.0', action: 'INIT', flow_token: token },
    { version: '4.0', action: 'data_exchange', screen: 'APPOINTMENT', flow_token: token, data: { trigger: 'date_selected', department: 'hair', date: day } },
  ];
  const [init, slots] = run(requests);
  const free = slots.data.slots.find((s: any) => s.enabled);
  const taken = slots.data.slots.find((s: any) => !s.enabled);
  const book = (time: string) => ({ version: '4.0', action: 'data_exchange', screen: 'APPOINTMENT', flow_token: token, data: { trigger: 'book', department: 'hair', date: day, time } });
  const [confirm, refused] = run([book(free.id), book(taken.id)]);
  const answers: Array<[any, any]> = [[init, requests[0]], [slots, requests[1]], [confirm, book(free.id)], [refused, book(taken.id)]];
  for (const [answer, request] of answers) {
    const result = contract.check(answer, { action: request.action, screen: request.screen, flowToken: request.flow_token });
    expect({ screen: answer.screen, errors: result.errors, warnings: result.warnings }).toEqual({ screen: answer.screen, errors: [], warnings: [] });
  }
});

test('every answer of the cancellation Flow fits its Flow JSON', () => {
  const token = 'cancel-42';
  const [init] = run([{ version: '4.0', action: 'INIT', flow_token: token }]);
  const cancel = (appointment: string) => ({ version: '4.0', action: 'data_exchange', screen: 'CANCEL', flow_token: token, data: { trigger: 'cancel', appointment } });
  const [cancelled, refused] = run([cancel(init.data.appointments[1].id), cancel('gone')]);
  const answers: Array<[any, any]> = [[init, { action: 'INIT' }], [cancelled, cancel('x')], [refused, cancel('gone')]];
  for (const [answer, request] of answers) {
    const result = cancellation.check(answer, { action: request.action, screen: request.screen, flowToken: token });
    expect({ screen: answer.screen, errors: result.errors, warnings: result.warnings }).toEqual({ screen: answer.screen, errors: [], warnings: [] });
  }
});
