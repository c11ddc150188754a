/**
 * Rule family "document and versions", plus each screen's own keys: what the Flow JSON declares before any
 * component is read.
 *
 * Source: Meta's Flow JSON reference (developers.facebook.com/docs/whatsapp/flows/reference/flowjson),
 * § "Top level Flow JSON properties" and § "Screens"; the AWS user guide for the publishable versions.
 */
import { DataField, FlowContext, Json, LATEST_VERSION, ScreenInfo, describeType, isObject } from './context';
import { indexPath, keyPath } from './json-path';
import { didYouMean } from './suggest';
import { FEATURE_VERSIONS, OLDER_META_VERSIONS, PUBLISHABLE_VERSIONS, findVersion, isAtLeast } from './versions';

/**
 * Flow JSON § Top level properties: version, screens, routing_model, data_api_version (data_channel_uri before 3.0).
 * `meta` ({"lead_gen_ai": true}) is in Meta's own Flow JSON schema from 5.1 (the WAFlowJSONRootSchema module of
 * the Builder's validator); it is undocumented, so it is accepted, not advised.
 */
const TOP_LEVEL_KEYS = ['version', 'screens', 'routing_model', 'data_api_version', 'meta'];
/** Flow JSON § Top level properties, data_api_version: "3.0", and "4.0" (changelog, November 2025). */
export const DATA_API_VERSIONS = ['3.0', '4.0'];
/**
 * Meta's Flow JSON schema (WAFlowJSONRootSchema in the Builder's validator) accepts data_api_version "4.0" only
 * from Flow JSON 7.3 and "3.0" before it. The changelog lists both Data API versions without saying which Flow JSON
 * versions take them, so this is a warning, not an error.
 */
export const DATA_API_VERSION_MIN_FLOW_VERSION: Readonly<Record<string, string>> = { '4.0': '7.3' };
/** Flow JSON § Screens: id, terminal, success, title, data, layout, refresh_on_back, sensitive (5.1). */
const SCREEN_KEYS = ['id', 'title', 'terminal', 'success', 'data', 'layout', 'sensitive', 'refresh_on_back'];
const BOOLEAN_SCREEN_KEYS = ['terminal', 'success', 'refresh_on_back'];
/** Error codes § Min max limit violation: "Maximum number of screens allowed per Flow is 100". */
export const MAX_SCREENS = 100;
/** Error codes § Naming errors (SCREEN_ID_IS_RESERVED_KEYWORD) and Flow JSON § Screens. */
const RESERVED_SCREEN_IDS = ['SUCCESS', 'success'];
/** Flow JSON § Dynamic properties / data model: JSON Schema types. */
const DATA_TYPES = ['string', 'number', 'integer', 'boolean', 'array', 'object'];

/** Checks the document and collects its screens; returns false when there are no screens to check further. */
export function checkDocument(ctx: FlowContext): boolean {
  const flow = ctx.flow;
  if (!isObject(flow)) {
    ctx.report('NOT_AN_OBJECT', '$', 'The Flow JSON must be a JSON object with "version" and "screens".');
    return false;
  }
  checkVersion(ctx, flow.version);
  checkTopLevelKeys(ctx, flow);
  checkDataApiVersion(ctx, flow.data_api_version);
  if (!Array.isArray(flow.screens) || flow.screens.length === 0) {
    ctx.report('SCREENS_EMPTY', '$.screens', 'Add "screens": a list with at least one screen.');
    return false;
  }
  if (flow.screens.length > MAX_SCREENS) {
    ctx.report('TOO_MANY_SCREENS', '$.screens', `The Flow has ${flow.screens.length} screens; Meta allows at most ${MAX_SCREENS}. Split it into more Flows.`);
  }
  flow.screens.forEach((screen: Json, index: number) => collectScreen(ctx, screen, indexPath('$.screens', index)));
  checkScreenIds(ctx);
  return true;
}

function checkTopLevelKeys(ctx: FlowContext, flow: Record<string, Json>): void {
  for (const key of Object.keys(flow)) {
    if (key === 'data_channel_uri') {
      if (!isAtLeast(ctx.version, FEATURE_VERSIONS.noDataChannelUri)) continue;
      ctx.report('DATA_CHANNEL_URI_UNSUPPORTED', keyPath('$', key),
        '"data_channel_uri" was removed in Flow JSON 3.0. Remove it and give the WhatsAppFlow an endpoint instead (the "endpoint" property).');
    } else if (!TOP_LEVEL_KEYS.includes(key)) {
      ctx.report('UNKNOWN_TOP_LEVEL_KEY', keyPath('$', key),
        `"${key}" is not a Flow JSON key. Remove it (allowed: ${TOP_LEVEL_KEYS.join(', ')}).${didYouMean(key, TOP_LEVEL_KEYS)}`);
    }
  }
}

function checkVersion(ctx: FlowContext, version: Json): void {
  if (version === undefined) {
    ctx.report('MISSING_VERSION', '$', `Add "version", for example "${LATEST_VERSION}".`);
    return;
  }
  const info = findVersion(version);
  if (!info) {
    const list = PUBLISHABLE_VERSIONS.map(v => v.version).join(', ');
    ctx.report('UNSUPPORTED_VERSION', '$.version', `Version ${JSON.stringify(version)} cannot be published through AWS. Use one of: ${list} (a string).`);
    // An older version Meta still knows is judged by its own rules, so that the version is its only error.
    if (typeof version === 'string' && OLDER_META_VERSIONS.includes(version)) ctx.version = version;
    return;
  }
  ctx.version = info.version;
  if (info.notice) ctx.report('VERSION_NOTICE', '$.version', `Version ${info.version}: ${info.notice}`);
}

function checkDataApiVersion(ctx: FlowContext, value: Json): void {
  if (value === undefined) return;
  if (typeof value === 'string' && DATA_API_VERSIONS.includes(value)) {
    ctx.dataApiVersion = value;
    const since = DATA_API_VERSION_MIN_FLOW_VERSION[value];
    if (!isAtLeast(ctx.version, since)) {
      ctx.report('DATA_API_VERSION_NOT_IN_VERSION', '$.data_api_version',
        `Meta's Flow JSON schema takes "data_api_version": "${value}" only from Flow JSON ${since}; this Flow is ${ctx.version}. Raise "version" to ${since}, or use "${DATA_API_VERSIONS[0]}".`);
    }
    return;
  }
  // Still a dynamic Flow: the rules that need data_api_version should not pile up on top of this one.
  ctx.dataApiVersion = String(value);
  ctx.report('INVALID_DATA_API_VERSION', '$.data_api_version',
    `"data_api_version" is ${JSON.stringify(value)}; set it to "${DATA_API_VERSIONS[DATA_API_VERSIONS.length - 1]}" (recommended) or "${DATA_API_VERSIONS[0]}", as a string.`);
}

function collectScreen(ctx: FlowContext, screen: Json, path: string): void {
  if (!isObject(screen)) {
    ctx.report('NOT_AN_OBJECT', path, 'Each screen must be a JSON object.');
    return;
  }
  for (const key of Object.keys(screen)) {
    if (!SCREEN_KEYS.includes(key)) {
      ctx.report('UNKNOWN_SCREEN_KEY', keyPath(path, key),
        `"${key}" is not a screen key. Remove it (allowed: ${SCREEN_KEYS.join(', ')}).${didYouMean(key, SCREEN_KEYS)}`);
    }
  }
  for (const key of BOOLEAN_SCREEN_KEYS) {
    if (screen[key] !== undefined && typeof screen[key] !== 'boolean') {
      ctx.report('INVALID_SCREEN_PROPERTY', keyPath(path, key), `"${key}" must be true or false (a boolean), not ${describeType(screen[key])}.`);
    }
  }
  if (screen.sensitive !== undefined && !(Array.isArray(screen.sensitive) && screen.sensitive.every((s: Json) => typeof s === 'string'))) {
    ctx.report('INVALID_SCREEN_PROPERTY', keyPath(path, 'sensitive'), '"sensitive" must be a list of the names of the fields to mask, for example ["password"].');
  }
  if (typeof screen.title !== 'string' || screen.title.trim() === '') {
    ctx.report('MISSING_SCREEN_TITLE', path, 'Give the screen a "title": it is shown in the top bar.');
  }
  const info: ScreenInfo = {
    index: ctx.screens.length,
    path,
    id: typeof screen.id === 'string' && screen.id !== '' ? screen.id : undefined,
    terminal: screen.terminal === true,
    screen,
    dataFields: checkScreenData(ctx, screen.data, keyPath(path, 'data')),
    formFields: new Map(),
    components: [],
  };
  ctx.screens.push(info);
}

function checkScreenData(ctx: FlowContext, data: Json, path: string): Map<string, DataField> {
  const fields = new Map<string, DataField>();
  if (data === undefined) return fields;
  if (!isObject(data)) {
    ctx.report('NOT_AN_OBJECT', path, '"data" must be an object that maps each field name to {"type", "__example__"}.');
    return fields;
  }
  for (const [name, field] of Object.entries(data)) {
    const fieldPath = keyPath(path, name);
    // Meta's Flow JSON schema (WAFlowJSONScreenSchema): a "required" key holds a list of field names, not a field.
    if (name === 'required' && Array.isArray(field)) continue;
    if (!isObject(field) || !DATA_TYPES.includes((field as Json).type)) {
      fields.set(name, { name, path: fieldPath });
      ctx.report('DATA_FIELD_INVALID', fieldPath, `Declare "${name}" as {"type": one of ${DATA_TYPES.join(', ')}, "__example__": ...}.`);
      continue;
    }
    const spec = field as Json;
    fields.set(name, { name, type: spec.type, path: fieldPath });
    // Error codes § Screen data model errors: an array needs "items"; "__example__" only at the top level.
    if (spec.type === 'array' && !isObject(spec.items) && typeof spec.items !== 'boolean') {
      ctx.report('DATA_FIELD_INVALID', fieldPath, `"${name}" is an array: describe its elements with "items", for example {"type": "object", "properties": {...}}.`);
    }
    const nested = findNestedExample(spec, fieldPath, true);
    if (nested) ctx.report('DATA_FIELD_INVALID', nested, `"__example__" is allowed only at the top level of "${name}". Remove it here.`);
    if (!('__example__' in spec)) {
      ctx.report('DATA_FIELD_NO_EXAMPLE', fieldPath, `Add "__example__" to "${name}": a sample ${spec.type} value used for previews.`);
    } else if (!matchesType(spec.__example__, spec.type)) {
      ctx.report('DATA_EXAMPLE_TYPE_MISMATCH', keyPath(fieldPath, '__example__'),
        `"${name}" is declared as ${spec.type}, but its "__example__" is ${describeType(spec.__example__)}.`);
    }
  }
  return fields;
}

function checkScreenIds(ctx: FlowContext): void {
  const seen = new Set<string>();
  for (const screen of ctx.screens) {
    const id = screen.screen.id;
    const idPath = keyPath(screen.path, 'id');
    if (screen.id === undefined) {
      ctx.report('MISSING_SCREEN_ID', screen.path, 'Give the screen an "id" (letters and underscores, for example "WELCOME").');
    } else if (RESERVED_SCREEN_IDS.includes(id)) {
      ctx.report('RESERVED_SCREEN_ID', idPath, `"${id}" is reserved by WhatsApp (an endpoint answers with it to end the Flow). Choose another screen id.`);
    } else if (!/^[A-Za-z_]+$/.test(id)) {
      ctx.report('INVALID_SCREEN_ID', idPath, `Screen id "${id}" may only contain letters and underscores (for example "STEP_ONE").`);
    } else if (seen.has(id)) {
      ctx.report('DUPLICATE_SCREEN_ID', idPath, `Another screen already has id "${id}". Screen ids must be unique.`);
    }
    if (screen.id !== undefined) seen.add(screen.id);
  }
}

/** The path of an "__example__" inside a data field's schema (below its top level), if there is one. */
function findNestedExample(schema: Json, path: string, top: boolean): string | undefined {
  if (!isObject(schema)) return undefined;
  for (const [key, value] of Object.entries(schema)) {
    if (key === '__example__') {
      if (!top) return keyPath(path, key);
    } else if (isObject(value)) {
      const found = findNestedExample(value, keyPath(path, key), false);
      if (found) return found;
    }
  }
  return undefined;
}

export function matchesType(value: Json, type: string): boolean {
  switch (type) {
    case 'integer': return Number.isInteger(value);
    case 'array': return Array.isArray(value);
    case 'object': return isObject(value);
    default: return typeof value === type;
  }
}
