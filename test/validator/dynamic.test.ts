import { flowJsonNeedsEndpoint } from '../../src/validator/dynamic';

const screen = (children: any[], extra: any = {}) => ({ id: 'A', title: 'A', terminal: true, ...extra, layout: { type: 'SingleColumnLayout', children } });
const footer = (name: string) => ({ 'type': 'Footer', 'label': 'Go', 'on-click-action': { name, payload: {} } });

describe('flowJsonNeedsEndpoint', () => {
  test('static Flow JSON does not need an endpoint', () => {
    expect(flowJsonNeedsEndpoint({ version: '7.3', screens: [screen([footer('complete')])] })).toBe(false);
  });

  test('a routing model alone (no data exchange) does not need one', () => {
    expect(flowJsonNeedsEndpoint({ version: '7.3', routing_model: { A: [] }, screens: [screen([footer('complete')])] })).toBe(false);
  });

  test('data_api_version needs one', () => {
    expect(flowJsonNeedsEndpoint({ version: '7.3', data_api_version: '3.0', screens: [screen([footer('complete')])] })).toBe(true);
  });

  test('a data_exchange action anywhere needs one: Footer, nested If branch, data-source item', () => {
    expect(flowJsonNeedsEndpoint({ version: '7.3', screens: [screen([footer('data_exchange')])] })).toBe(true);
    expect(flowJsonNeedsEndpoint({ version: '7.3', screens: [screen([{ type: 'If', condition: 'true', then: [{ type: 'Form', name: 'f', children: [footer('data_exchange')] }] }])] })).toBe(true);
    const item = { 'id': 'a', 'main-content': { title: 'A' }, 'on-click-action': { name: 'data_exchange', payload: {} } };
    expect(flowJsonNeedsEndpoint({ version: '7.3', screens: [screen([{ 'type': 'NavigationList', 'name': 'l', 'list-items': [item] }])] })).toBe(true);
  });

  test('refresh_on_back: true needs one', () => {
    expect(flowJsonNeedsEndpoint({ version: '7.3', screens: [screen([footer('complete')], { refresh_on_back: true })] })).toBe(true);
  });

  test('anything that is not Flow JSON is not dynamic', () => {
    for (const value of [undefined, null, 3, 'x', [], { screens: 'no' }]) expect(flowJsonNeedsEndpoint(value)).toBe(false);
  });
});
