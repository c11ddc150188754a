/**
 * The example's logic (examples/booking-logic/index.py) against the Flow JSON of the two Flows it serves, told apart
 * by the flow token (examples/flows/appointment-booking-dynamic.json, appointment-cancellation-dynamic.json): every
 * answer names a screen of the Flow that the routing model allows, and carries the data that screen declares. Run with
 * the system Python, as Lambda would run it.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const EXAMPLES = path.join(__dirname, '..', '..', 'examples');
const FLOW = JSON.parse(fs.readFileSync(path.join(EXAMPLES, 'flows', 'appointment-booking-dynamic.json'), 'utf8'));
const CANCELLATION = JSON.parse(fs.readFileSync(path.join(EXAMPLES, 'flows', 'appointment-cancellation-dynamic.json'), 'utf8'));
const screens = new Map<string, any>([...FLOW.screens, ...CANCELLATION.screens].map((s: any) => [s.id, s]));

/** Runs the example's handler on each request in one Python process; returns its answers. */
function run(requests: unknown[]): any[] {
  const script = 'import json, sys; sys.path.insert(0, sys.argv[1]); import index; '
    + 'print(json.dumps([index.handler(r, None) for r in json.load(sys.stdin)]))';
  const child = spawnSync('python3', ['-B', '-c', script, path.join(EXAMPLES, 'booking-logic')], { input: JSON.stringify(requests), encoding: 'utf8' });
  if (child.status !== 0) throw new Error(child.stderr);
  return JSON.parse(child.stdout);
}

function expectScreenData(answer: any): void {
  const screen = screens.get(answer.screen);
  expect(screen).toBeDefined();
  const declared = Object.keys(screen.data ?? {});
  // error_message is Meta's own field: a snackbar on the screen.
  expect(Object.keys(answer.data).filter((k) => k !== 'error_message').sort()).toEqual(declared.sort());
}

// A fixed day: the stand-in calendar's taken slots depend on the day only, so the test does not.
const day = '2027-01-15';
const token = 'booking-42';

test('INIT, a date, a free slot: the screens and data the Flow JSON declares, along its routing model', () => {
  const [init, slots] = run([
    { version: '4.0', action: 'INIT', flow_token: token },
    { version: '4.0', action: 'data_exchange', screen: 'APPOINTMENT', flow_token: token, data: { trigger: 'date_selected', department: 'hair', date: day } },
  ]);
  expectScreenData(init);
  expect(init.screen).toBe('APPOINTMENT');
  expectScreenData(slots);
  const free = slots.data.slots.filter((s: any) => s.enabled);
  expect(free.length).toBeGreaterThan(0);
  expect(slots.data.slots.length).toBeGreaterThan(free.length);

  const [confirm, taken] = run([
    { version: '4.0', action: 'data_exchange', screen: 'APPOINTMENT', flow_token: token, data: { trigger: 'book', department: 'hair', date: day, time: free[0].id } },
    {
      version: '4.0',
      action: 'data_exchange',
      screen: 'APPOINTMENT',
      flow_token: token,
      data: { trigger: 'book', department: 'hair', date: day, time: slots.data.slots.find((s: any) => !s.enabled).id },
    },
  ]);
  expectScreenData(confirm);
  expect(FLOW.routing_model.APPOINTMENT).toContain(confirm.screen);
  expect(confirm.data).toMatchObject({ department: 'hair', date: day, time: free[0].id });
  expectScreenData(taken);
  expect(taken).toMatchObject({ screen: 'APPOINTMENT', data: { error_message: expect.stringContaining('taken') } });
});

test('an unknown flow token is the 427 contract', () => {
  const [answer] = run([{ version: '4.0', action: 'INIT', flow_token: 'not-ours' }]);
  expect(answer).toEqual({ error: 'invalid_flow_token', error_msg: expect.any(String) });
});

test('one function, two Flows: a cancel- token gets the cancellation Flow\'s screens, along its routing model', () => {
  const cancelToken = 'cancel-42';
  const [init, booking] = run([
    { version: '4.0', action: 'INIT', flow_token: cancelToken },
    { version: '4.0', action: 'INIT', flow_token: token },
  ]);
  expect(init.screen).toBe('CANCEL');
  expectScreenData(init);
  expect(init.data.appointments).toHaveLength(2);
  expect(booking.screen).toBe('APPOINTMENT');

  const cancel = (appointment: string) => ({
    version: '4.0', action: 'data_exchange', screen: 'CANCEL', flow_token: cancelToken, data: { trigger: 'cancel', appointment },
  });
  const [cancelled, unknown] = run([cancel(init.data.appointments[0].id), cancel('nails-1999-01-01-09:00')]);
  expectScreenData(cancelled);
  expect(CANCELLATION.routing_model.CANCEL).toContain(cancelled.screen);
  expect(cancelled.data.appointment).toBe(init.data.appointments[0].id);
  expect(unknown).toMatchObject({ screen: 'CANCEL', data: { error_message: expect.stringContaining('not one of yours') } });
});
