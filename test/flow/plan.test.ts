import { DesiredFlow } from '../../src/flow/lifecycle/desired';
import { FlowPlanInput, planFlow } from '../../src/flow/lifecycle/plan';

const desired: DesiredFlow = {
  wabaId: 'waba-1', flowName: 'welcome', categories: ['OTHER'], json: { bucket: 'b', key: 'v1.json' }, publish: false, adoptExisting: false, readPreviewUrl: false,
};
const observed = { status: 'DRAFT', previewUrl: '', name: 'welcome', categories: ['OTHER'] };
const plan = (input: Partial<FlowPlanInput>) => planFlow({ flowId: '1', desired, previous: desired, observed, json: 'same', rollback: false, ...input });

describe('planFlow: desired against observed', () => {
  test('a Flow that matches gets no call, whatever the previous properties said', () => {
    expect(plan({ previous: { ...desired, flowName: 'old', categories: ['SURVEY'] } })).toEqual({ steps: [], differences: [] });
  });

  test('only what Meta reports as different is changed, in order: metadata, JSON, publish', () => {
    const result = plan({
      desired: { ...desired, publish: true, categories: ['SURVEY', 'OTHER'] },
      observed: { ...observed, categories: ['OTHER', 'SURVEY'], name: 'renamed elsewhere' },
      json: 'different',
    });
    expect(result.steps).toEqual([
      { call: 'UpdateWhatsAppFlow', changes: { flowName: 'welcome', categories: undefined, endpointUri: undefined, metaAppId: undefined } },
      { call: 'UpdateWhatsAppFlowAssets' },
      { call: 'PublishWhatsAppFlow', required: true },
    ]);
    expect(result.differences).toEqual(['name', 'Flow JSON', 'status']);
  });

  test('a field Meta does not report falls back on the properties: changed means send it', () => {
    const unreported = { ...observed, categories: undefined };
    expect(plan({ observed: unreported }).steps).toEqual([]);
    expect(plan({ observed: unreported, previous: { ...desired, categories: ['SURVEY'] } }).steps[0])
      .toMatchObject({ call: 'UpdateWhatsAppFlow', changes: { categories: ['OTHER'] } });
  });

  test('new JSON on a live Flow with publish false is blocked forward; a rollback puts it back on the air', () => {
    const live = { ...observed, status: 'PUBLISHED' };
    expect(plan({ observed: live, json: 'different' })).toMatchObject({ steps: [], blocked: expect.stringMatching(/take it off the air/) });
    expect(plan({ observed: live, json: 'different', rollback: true })).toEqual({
      steps: [{ call: 'UpdateWhatsAppFlowAssets' }, { call: 'PublishWhatsAppFlow', required: true }],
      differences: ['Flow JSON'],
    });
    expect(plan({ observed: live, json: 'same' })).toEqual({ steps: [], differences: [] });
  });

  test('a DEPRECATED Flow is blocked only when something differs', () => {
    const deprecated = { ...observed, status: 'DEPRECATED' };
    expect(plan({ observed: deprecated })).toEqual({ steps: [], differences: [] });
    expect(plan({ observed: deprecated, json: 'different' }).blocked).toMatch(/DEPRECATED and cannot be changed/);
  });

  test('publish on a Flow Meta holds is reported, not required, when the JSON does not change', () => {
    expect(plan({ desired: { ...desired, publish: true }, observed: { ...observed, status: 'BLOCKED' } }).steps)
      .toEqual([{ call: 'PublishWhatsAppFlow', required: false }]);
  });
});
