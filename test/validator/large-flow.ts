/**
 * Builds a realistic, valid Flow JSON of about the requested size: a chain of form screens that pass a value
 * forward, ending on a terminal summary screen. Each screen carries a catalogue-sized Dropdown (150 options), so
 * 1 MB stays under Meta's limit of 100 screens.
 */
export function buildLargeFlow(targetBytes: number): any {
  const screens: any[] = [];
  const makeScreen = (index: number) => ({
    id: screenId(index),
    title: `Step ${index + 1}`,
    data: index === 0 ? undefined : { previous_answer: { type: 'string', __example__: 'Example' } },
    layout: {
      type: 'SingleColumnLayout',
      children: [{
        type: 'Form',
        name: 'form',
        children: [
          { type: 'TextHeading', text: `Question group ${index + 1}` },
          ...Array.from({ length: 8 }, (_, i) => ({ type: 'TextBody', text: `Please answer question ${i + 1} of this group as precisely as you can.` })),
          ...Array.from({ length: 8 }, (_, i) => ({ type: 'TextInput', name: `answer_${i}`, label: `Answer ${i + 1}`, required: i < 4 })),
          {
            type: 'Dropdown',
            name: 'choice',
            label: 'Pick one',
            ['data-source']: Array.from({ length: 150 }, (_, i) => ({ id: `option_${i}`, title: `Option ${i + 1}`, description: 'A longer description of this option, as a catalogue has' })),
          },
        ],
      }],
    },
  });

  let size = 0;
  for (let index = 0; size < targetBytes; index++) {
    const screen = makeScreen(index);
    screens.push(screen);
    size += JSON.stringify(screen).length;
  }
  screens.forEach((screen, index) => {
    const form = screen.layout.children[0].children;
    const last = index === screens.length - 1;
    if (last) screen.terminal = true;
    form.push({
      type: 'Footer',
      label: last ? 'Send answers' : 'Next',
      ['on-click-action']: last
        ? { name: 'complete', payload: { answer: '${form.answer_0}', previous: '${data.previous_answer}' } }
        : { name: 'navigate', next: { type: 'screen', name: screenId(index + 1) }, payload: { previous_answer: '${form.answer_0}' } },
    });
  });
  return { version: '7.3', screens };
}

/** Screen ids may only hold letters and underscores: 0 → STEP_A, 25 → STEP_Z, 26 → STEP_BA. */
function screenId(index: number): string {
  let letters = '';
  let n = index;
  do {
    letters = String.fromCharCode(65 + (n % 26)) + letters;
    n = Math.floor(n / 26);
  } while (n > 0);
  return `STEP_${letters}`;
}
