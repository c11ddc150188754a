/**
 * Rule family "data model and references": what a screen reads (`${form.x}`, `${data.x}`, `${screen.NAME…}`) and
 * what a `navigate` action hands to the next screen.
 *
 * Sources: Meta's Flow JSON reference § Dynamic properties ("${data.field}" reads a field the screen declares in
 * "data"; "${form.field}" an input of the same screen; "${screen.SCREEN.form|data.field}" global references, 4.0+),
 * § Actions, navigate ("payload: the data of the next screen", which that screen declares in its "data"), and the
 * "Media upload components" reference ("PhotoPicker and DocumentPicker values cannot be passed in a navigate
 * payload; reference them from the terminal screen with ${screen.SCREEN.form.field}"). Meta's "Error codes" page
 * (§ Navigate action errors, § Screen data model errors, § Native component errors) gives the exact checks: fields
 * missing from the payload, fields the next screen does not declare, types that differ, and bindings whose type
 * does not fit the property.
 */
import { COMPONENTS, DEFAULT_MAX_UPLOADS, PROPERTY_VALUE_TYPES } from './components';
import { ActionUse, FlowContext, FormField, Json, ScreenInfo, isObject, parseReference } from './context';
import { keyPath } from './json-path';
import { didYouMean } from './suggest';

export function checkDataModel(ctx: FlowContext): void {
  checkReferences(ctx);
  // Fields a screen sets itself with update_data, by screen (computed once: a Flow may have thousands of actions).
  const selfSet = new Map<ScreenInfo, Set<string>>();
  for (const action of ctx.actions) {
    if (action.name !== 'update_data' || !isObject(action.action.payload)) continue;
    const fields = selfSet.get(action.screen) ?? new Set<string>();
    for (const name of Object.keys(action.action.payload)) fields.add(name);
    selfSet.set(action.screen, fields);
  }
  for (const action of ctx.actions) {
    if (action.name === 'navigate') checkNavigatePayload(ctx, action, selfSet);
    if (action.name === 'complete' || action.name === 'data_exchange') checkMediaInPayload(ctx, action);
  }
  checkInitValues(ctx);
}

function checkReferences(ctx: FlowContext): void {
  for (const { screen, expression, path, property } of ctx.references) {
    const reference = parseReference(expression);
    if (!reference) continue;
    const { parts, isExpression } = reference;
    const [root, name] = parts;
    if (root === 'form' && !screen.formFields.has(name)) {
      ctx.report('UNKNOWN_FORM_REFERENCE', path,
        `\${${expression}}: no input named "${name}" on screen "${screen.id}".${didYouMean(name, screen.formFields.keys())}`);
    } else if (root === 'data' && !screen.dataFields.has(name)) {
      ctx.report('UNKNOWN_DATA_REFERENCE', path,
        `\${${expression}}: declare "${name}" in the "data" of screen "${screen.id}".${didYouMean(name, screen.dataFields.keys())}`);
    } else if (root === 'data' && property !== undefined && parts.length === 2 && !isExpression) {
      const declared = screen.dataFields.get(name)?.type;
      const expected = PROPERTY_VALUE_TYPES[property];
      if (declared && expected && !expected.includes(declared)) {
        ctx.report('DATA_REFERENCE_TYPE_MISMATCH', path,
          `"${property}" takes ${expected.join(' or ')}, but "${name}" is declared as ${declared}. Change the field's "type", or bind another field.`);
      }
    } else if (root === 'screen') {
      const target = ctx.byId.get(name);
      const [, , kind, field] = parts;
      const fields = kind === 'form' ? target?.formFields : kind === 'data' ? target?.dataFields : undefined;
      if (target && target === screen && kind === 'data') {
        ctx.report('SCREEN_REFERENCE_TO_SELF', path, `\${${expression}} is on screen "${name}" itself: write \${data.${field ?? ''}} instead.`);
      } else if (!target) {
        ctx.report('UNKNOWN_SCREEN_REFERENCE', path, `\${${expression}}: no screen has id "${name}".${didYouMean(name, ctx.byId.keys())}`);
      } else if (!fields || !fields.has(field)) {
        ctx.report('UNKNOWN_SCREEN_REFERENCE', path,
          `\${${expression}}: screen "${name}" has no ${kind ?? 'form or data'} field "${field ?? ''}".${fields ? didYouMean(field, fields.keys()) : ''}`);
      }
    }
  }
}

/** The navigate payload supplies exactly the target screen's declared data, with matching types. */
function checkNavigatePayload(ctx: FlowContext, action: ActionUse, selfSet: Map<ScreenInfo, Set<string>>): void {
  const target = typeof action.action.next?.name === 'string' ? ctx.byId.get(action.action.next.name) : undefined;
  const payload = action.action.payload;
  const payloadPath = keyPath(action.path, 'payload');
  findMedia(ctx, action.screen, payload, payloadPath);
  if (!target || target === action.screen) return; // reported by the screen graph
  if (payload !== undefined && !isObject(payload)) {
    ctx.report('NOT_AN_OBJECT', payloadPath, 'A navigate "payload" must be an object whose keys are the "data" fields of the next screen.');
    return;
  }
  const given = payload ?? {};
  // Fields the target screen sets itself with update_data may start empty: Meta's docs do not say that a navigate
  // payload must carry them too, and a false error blocks a valid deploy.
  const setByTarget = selfSet.get(target);
  const missing = [...target.dataFields.keys()].filter(name => !(name in given) && !setByTarget?.has(name));
  if (missing.length > 0) {
    ctx.report('NAVIGATE_PAYLOAD_MISSING_FIELD', payload === undefined ? action.path : payloadPath,
      `Screen "${target.id}" declares ${missing.map(m => `"${m}"`).join(', ')} in "data", but this navigate payload does not supply ${missing.length === 1 ? 'it' : 'them'}. Add ${missing.map(m => `"${m}": ...`).join(', ')} to the payload.`);
  }
  for (const [name, value] of Object.entries(given)) {
    const valuePath = keyPath(payloadPath, name);
    const field = target.dataFields.get(name);
    if (!field) {
      ctx.report('NAVIGATE_PAYLOAD_UNKNOWN_FIELD', valuePath,
        `Screen "${target.id}" does not declare "${name}" in its "data".${didYouMean(name, target.dataFields.keys())} Declare it there, or remove it from the payload.`);
      continue;
    }
    if (field.type === undefined) continue;
    const actual = valueType(ctx, action.screen, value);
    if (actual && !compatible(actual, field.type)) {
      ctx.report('NAVIGATE_PAYLOAD_TYPE_MISMATCH', valuePath,
        `Screen "${target.id}" declares "${name}" as ${field.type}, but this payload passes ${actual.type === 'media' ? 'an upload' : `a value of type ${actual.type}`}${actual.from ? ` (${actual.from})` : ''}. Pass a ${field.type}, or change the declared type.`);
    }
  }
}

interface ValueType {
  readonly type: string;
  /** What the value is, when it is a reference: for the message, and to know TextInput numbers. */
  readonly from?: string;
  readonly component?: string;
}

/** The type of a payload value, when it can be known offline. */
function valueType(ctx: FlowContext, screen: ScreenInfo, value: Json): ValueType | undefined {
  if (typeof value !== 'string') {
    if (value === null) return undefined;
    if (Array.isArray(value)) return { type: 'array' };
    if (isObject(value)) return { type: 'object' };
    return { type: typeof value === 'number' && Number.isInteger(value) ? 'integer' : typeof value };
  }
  const binding = /^\$\{([^{}]+)\}$/.exec(value.trim());
  if (!binding) return value.includes('${') && value.trim().startsWith('`') ? undefined : { type: 'string' };
  const reference = parseReference(binding[1]);
  if (!reference || reference.isExpression) return undefined;
  const parts = reference.parts;
  let source: ScreenInfo | undefined = screen;
  let kind = parts[0];
  let name = parts[1];
  if (parts[0] === 'screen') {
    source = ctx.byId.get(parts[1]);
    kind = parts[2];
    name = parts[3];
  }
  if (!source || parts.length !== (parts[0] === 'screen' ? 4 : 2)) return undefined;
  if (kind === 'form') {
    const field = source.formFields.get(name);
    const type = field ? COMPONENTS[field.component]?.valueType : undefined;
    return type ? { type, from: `\${${binding[1]}} is a ${field!.component}`, component: field!.component } : undefined;
  }
  if (kind === 'data') {
    const type = source.dataFields.get(name)?.type;
    return type ? { type, from: `\${${binding[1]}} is declared as ${type}` } : undefined;
  }
  return undefined;
}

function compatible(actual: ValueType, declared: string): boolean {
  if (actual.type === 'media') return true; // MEDIA_IN_NAVIGATE_PAYLOAD says what is wrong
  if (actual.type === declared) return true;
  if ((actual.type === 'integer' && declared === 'number') || (actual.type === 'number' && declared === 'integer')) return true;
  // A TextInput with "input-type": "number" yields a number.
  return actual.component === 'TextInput' && (declared === 'number' || declared === 'integer');
}

interface MediaUse {
  readonly field: FormField;
  /** The screen the picker is on. */
  readonly owner: ScreenInfo;
  readonly path: string;
  /** The whole string is the reference (a top-level string value, when the path is a payload key). */
  readonly whole: boolean;
}

/** Every reference to a PhotoPicker or DocumentPicker value (`${form.x}` or `${screen.NAME.form.x}`) in a value. */
function mediaUses(ctx: FlowContext, screen: ScreenInfo, value: Json, path: string, found: MediaUse[] = []): MediaUse[] {
  if (typeof value === 'string') {
    for (const match of value.matchAll(/\$\{([^{}]*)\}/g)) {
      const reference = parseReference(match[1]);
      if (!reference) continue;
      const [root, a, b, c] = reference.parts;
      const owner = root === 'screen' && b === 'form' ? ctx.byId.get(a) : root === 'form' ? screen : undefined;
      const field = owner?.formFields.get(root === 'screen' ? c : a);
      if (owner && field && COMPONENTS[field.component]?.valueType === 'media') {
        found.push({ field, owner, path, whole: value.trim() === match[0] });
      }
    }
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => mediaUses(ctx, screen, item, `${path}[${index}]`, found));
  } else if (isObject(value)) {
    for (const [key, item] of Object.entries(value)) mediaUses(ctx, screen, item, keyPath(path, key), found);
  }
  return found;
}

/** Media upload components: a picker's value never travels in a navigate payload, not even by global reference. */
function findMedia(ctx: FlowContext, screen: ScreenInfo, value: Json, path: string): void {
  for (const use of mediaUses(ctx, screen, value, path)) {
    ctx.report('MEDIA_IN_NAVIGATE_PAYLOAD', use.path,
      `${use.field.component} values cannot be passed to the next screen. Remove it here and read it on the last screen with \${screen.${use.owner.id}.form.${use.field.name}} in the "complete" (or "data_exchange") payload.`);
  }
}

/**
 * Media upload components § Limitations: in complete and data_exchange payloads a picker's value is a top-level
 * string, and "no more than 10 images or documents can be sent as part of the response message" (complete); a
 * picker allows 30 uploads unless `max-uploaded-…` says otherwise. (The older "Error codes" page asked for a single
 * picker set to one upload; the current media page allows up to 10 files, so only that limit is an error here.)
 */
function checkMediaInPayload(ctx: FlowContext, action: ActionUse): void {
  const payloadPath = keyPath(action.path, 'payload');
  const uses = mediaUses(ctx, action.screen, action.action.payload, payloadPath);
  for (const use of uses) {
    const topLevel = use.whole && use.path.startsWith(payloadPath) && use.path.slice(payloadPath.length).match(/^(\.[A-Za-z_$][\w$]*|\['[^\]]*'\])$/) !== null;
    if (!topLevel) {
      ctx.report('MEDIA_PAYLOAD_NOT_TOP_LEVEL', use.path,
        `A ${use.field.component} value must be a payload field of its own, written exactly "\${…form.${use.field.name}}": not inside an object, a list or other text.`);
    }
  }
  if (action.name !== 'complete') return;
  const pickers = [...new Map(uses.map(u => [u.field, u])).values()];
  const allowed = pickers.map(use => {
    const property = use.field.component === 'PhotoPicker' ? 'max-uploaded-photos' : 'max-uploaded-documents';
    const value = use.owner.components.find(c => c.path === use.field.path)?.component?.[property];
    return { use, property, max: typeof value === 'number' ? value : DEFAULT_MAX_UPLOADS, isDefault: value === undefined };
  });
  const total = allowed.reduce((sum, a) => sum + a.max, 0);
  if (total > MAX_FILES_IN_RESPONSE) {
    const [only] = allowed;
    ctx.report('MEDIA_IN_COMPLETE_PAYLOAD', allowed.length === 1 ? only.use.path : payloadPath, allowed.length === 1
      ? `The response message carries at most ${MAX_FILES_IN_RESPONSE} files, but this ${only.use.field.component} allows ${only.max}${only.isDefault ? ' (the default)' : ''}. Set "${only.property}" to ${MAX_FILES_IN_RESPONSE} or less, or send the files with "data_exchange".`
      : `The response message carries at most ${MAX_FILES_IN_RESPONSE} files, but the pickers in this payload allow ${total} together. Lower their "max-uploaded-…", or send the files with "data_exchange".`);
  }
}

/** Media upload components: "No more than 10 images or documents can be sent as part of the response message". */
const MAX_FILES_IN_RESPONSE = 10;

/** Error codes § Native component errors: Form init-values cannot set a PhotoPicker or DocumentPicker. */
function checkInitValues(ctx: FlowContext): void {
  for (const screen of ctx.screens) {
    for (const form of screen.components.filter(c => c.type === 'Form' && isObject(c.component['init-values']))) {
      for (const name of Object.keys(form.component['init-values'])) {
        const field = screen.formFields.get(name);
        if (field && COMPONENTS[field.component]?.valueType === 'media') {
          ctx.report('MEDIA_IN_INIT_VALUES', keyPath(keyPath(form.path, 'init-values'), name),
            `A ${field.component} cannot be given an initial value. Remove "${name}" from "init-values".`);
        }
      }
    }
  }
}
