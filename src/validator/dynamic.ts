/**
 * Dynamic Flow JSON: whether a Flow talks to a Flow endpoint (Meta's "Implementing Endpoints for Flows"), and the
 * rule family that ties its dynamic features together (`checkDynamic`).
 *
 * Meta's Flow JSON reference ("Top level Flow JSON properties"): `data_api_version` "is required if you use
 * data_exchange action" and makes the Flow use the data channel; a `data_exchange` action sends data to the
 * endpoint. A `routing_model` alone does not call the endpoint, but a routing model whose Flow moves screens with
 * `data_exchange` does. This module is internal: the construct calls it for the synth rule "dynamic Flow JSON
 * without an endpoint is an error".
 */

import { ACTION_PROPERTIES } from './components';
import { FlowContext } from './context';
import { keyPath } from './json-path';

/**
 * True when the Flow JSON needs a Flow endpoint: it declares `data_api_version`, or it has a `data_exchange` action
 * anywhere (which covers a `routing_model` whose screens move through the endpoint), or a screen that asks the
 * endpoint to refresh it (`refresh_on_back: true`). Anything that is not a Flow JSON object is not dynamic.
 */
export function flowJsonNeedsEndpoint(flow: unknown): boolean {
  if (!isObject(flow)) return false;
  if (flow.data_api_version !== undefined) return true;
  const screens = Array.isArray(flow.screens) ? flow.screens : [];
  if (screens.some(screen => isObject(screen) && screen.refresh_on_back === true)) return true;
  return screens.some(screen => isObject(screen) && containsDataExchange(screen.layout));
}

/** Walks a value (components, branches, items) for an action object named `data_exchange`. */
function containsDataExchange(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(containsDataExchange);
  if (!isObject(value)) return false;
  for (const property of ACTION_PROPERTIES) {
    const action = value[property];
    if (isObject(action) && action.name === 'data_exchange') return true;
  }
  return Object.values(value).some(item => typeof item === 'object' && item !== null && containsDataExchange(item));
}

function isObject(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Rules that tie the dynamic features together (Flow JSON reference § Top level properties: data_api_version is
 * "required if you use data_exchange", routing_model is "required if you use data_api_version"; § Screens:
 * refresh_on_back "is only applicable for Flows with a data channel"). The "Error codes" page words them as
 * MISSING_REQUIRED_PROPERTY ("The property 'data_api_version' is required for data_exchange action", "The property
 * 'routing_model' is required for property 'data_api_version'") and INVALID_PROPERTY_VALUE ("Property
 * 'refresh_on_back' can be true only when property 'data_api_version' is set").
 */
export function checkDynamic(ctx: FlowContext): void {
  const flow = ctx.flow;
  if (ctx.dataApiVersion !== undefined && flow.routing_model === undefined) {
    ctx.report('DATA_API_VERSION_WITHOUT_ROUTING_MODEL', '$.data_api_version',
      'A Flow with "data_api_version" needs a "routing_model" that lists, for each screen, the screens it can go to, for example {"START": ["END"], "END": []}.');
  }
  if (ctx.dataApiVersion !== undefined) return;
  for (const action of ctx.actions) {
    if (action.name === 'data_exchange') {
      ctx.report('DATA_EXCHANGE_WITHOUT_DATA_API_VERSION', action.path,
        'A "data_exchange" action calls the Flow\'s endpoint: add "data_api_version": "4.0" and a "routing_model" to the Flow JSON, and give the WhatsAppFlow an endpoint.');
    }
  }
  for (const screen of ctx.screens) {
    if (screen.screen.refresh_on_back === true) {
      ctx.report('REFRESH_ON_BACK_WITHOUT_DATA_API_VERSION', keyPath(screen.path, 'refresh_on_back'),
        '"refresh_on_back" asks the Flow\'s endpoint for fresh data: add "data_api_version": "4.0" and a "routing_model", or remove it.');
    }
  }
}
