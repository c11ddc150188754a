/**
 * What Meta's Flow JSON reference says about each component, as data.
 *
 * Sources (developers.facebook.com/docs/whatsapp/flows/reference/…): "Flow JSON components" (components/),
 * "Media upload components" (media_upload/), "Flow JSON" § Actions (flowjson/#actions) and the Flows changelog
 * (changelogs/). Allowed properties are listed generously (a missed optional property would reject a valid flow);
 * required properties, version gates and hard limits are listed strictly.
 *
 * The version sweep (changelog and each component's "supported from" notes), as encoded below and in versions.ts:
 *
 * | version | what arrived |
 * | ------- | ------------ |
 * | 4.0     | If, Switch, PhotoPicker, DocumentPicker, `${screen.NAME…}` global references |
 * | 5.1     | RichText; `markdown` on TextBody and TextCaption |
 * | 6.0     | `update_data` and `open_url` actions; `on-unselect-action`; OptIn `on-select-action` / `on-unselect-action`; |
 * |         | string concatenation and nested expressions; blank strings refused |
 * | 6.1     | CalendarPicker |
 * | 6.2     | NavigationList; TextInput `pattern` |
 * | 6.3     | ChipsSelector; RichText shares its screen with other components |
 * | 7.0     | `label-variant` ("large") on labelled inputs |
 * | 7.1     | ImageCarousel (and ChipsSelector updates, no new property we refuse) |
 * | 7.2     | stricter checks of nested expressions in actions (no new component or property) |
 * | 7.3     | stricter routing model and data model checks (no new component or property) |
 */
export type ActionName = 'navigate' | 'complete' | 'data_exchange' | 'update_data' | 'open_url';

export interface ActionSpec {
  readonly minVersion?: string;
  readonly required: readonly string[];
  readonly optional: readonly string[];
}

/** Flow JSON § Actions: navigate, complete, data_exchange (all versions); update_data and open_url (6.0). */
export const ACTIONS: Record<ActionName, ActionSpec> = {
  navigate: { required: ['next'], optional: ['payload'] },
  complete: { required: [], optional: ['payload'] },
  data_exchange: { required: [], optional: ['payload'] },
  update_data: { minVersion: '6.0', required: [], optional: ['payload'] },
  open_url: { minVersion: '6.0', required: ['url'], optional: [] },
};

/** The action properties a component or item may have. */
export const ACTION_PROPERTIES = ['on-click-action', 'on-select-action', 'on-unselect-action'] as const;

export interface ItemCount {
  readonly min: number;
  readonly max: number;
}

export interface ComponentSpec {
  /** The first Flow JSON version that has this component. */
  readonly minVersion?: string;
  readonly required: readonly string[];
  readonly optional: readonly string[];
  /** Properties in `required` that became required only in a later version (optional before it). */
  readonly requiredFrom?: Readonly<Record<string, string>>;
  /** Optional properties that arrived later than the component. */
  readonly propertyVersions?: Readonly<Record<string, string>>;
  /** Action properties and the actions each accepts. */
  readonly actions?: Readonly<Record<string, readonly ActionName[]>>;
  /** Action properties that the items of `itemsProperty` may carry, and the actions each accepts. */
  readonly itemActions?: Readonly<Record<string, readonly ActionName[]>>;
  /** Actions that arrived on this component later than the action itself (ChipsSelector's update_data: 7.1). */
  readonly actionVersions?: Readonly<Partial<Record<ActionName, string>>>;
  /** Properties the item objects of `itemsProperty` (or `images`) must have. */
  readonly itemRequired?: readonly string[];
  /** Hard limit on how many of this component a screen may show. */
  readonly perScreenMax?: number;
  /** The property holding a list whose items need unique, non-empty ids. */
  readonly itemsProperty?: string;
  /** How many items a literal list property may hold (the list property: data-source, list-items, images). */
  readonly itemCount?: Readonly<Record<string, ItemCount>>;
  /** Character limits Meta documents but does not strictly enforce: warnings. */
  readonly softTextLimits?: Readonly<Record<string, number>>;
  /** Properties whose value is restricted to a list of strings. */
  readonly enumValues?: Readonly<Record<string, readonly string[]>>;
  /** The type of value the component contributes to `${form.name}`, for the data model rules. */
  readonly valueType?: ValueType;
}

export type ValueType = 'string' | 'number' | 'boolean' | 'array' | 'object' | 'media';

/** Components reference, EmbeddedLink and OptIn on-click-action: data_exchange and navigate; open_url from 6.0. */
const LINK_ACTIONS: readonly ActionName[] = ['navigate', 'data_exchange', 'open_url'];
/** Components reference, CheckboxGroup / RadioButtonsGroup / Dropdown / ChipsSelector: on-select-action takes
 * data_exchange and (6.0) update_data; on-unselect-action (6.0) takes update_data. */
const SELECT_ACTIONS: readonly ActionName[] = ['data_exchange', 'update_data'];
const UNSELECT_ACTIONS: readonly ActionName[] = ['update_data'];
/** Components reference, data-source items (6.0): on-select-action and on-unselect-action take update_data only. */
const ITEM_ACTIONS = { 'on-select-action': UNSELECT_ACTIONS, 'on-unselect-action': UNSELECT_ACTIONS } as const;
const FORM_FIELD = ['visible', 'enabled', 'required', 'init-value', 'error-message', 'helper-text', 'description'];
const TEXT = ['visible', 'font-weight', 'strikethrough', 'text-align'];
/** Components reference: `label-variant` ("large"), Flow JSON 7.0, on the labelled inputs. */
const LABEL_VARIANT = { 'label-variant': '7.0' } as const;
const LABEL_VARIANT_VALUES = { 'label-variant': ['large'] } as const;
/** Components reference, data-source: "Min 1, Max 20" options (RadioButtonsGroup, CheckboxGroup, ChipsSelector);
 * Dropdown: up to 200 options (100 with images). */
const OPTIONS_1_TO_20: ItemCount = { min: 1, max: 20 };
/** Components reference, text components: `font-weight` is bold, italic, bold_italic or normal. */
const FONT_WEIGHTS = { 'font-weight': ['bold', 'italic', 'bold_italic', 'normal'] } as const;
/** Components reference, RadioButtonsGroup / CheckboxGroup / NavigationList: `media-size` regular or large. */
const MEDIA_SIZES = { 'media-size': ['regular', 'large'] } as const;
/** Changelog (4.0) and Components reference: CheckboxGroup and RadioButtonsGroup `label` is required from Flow JSON
 * 4.0 (optional in 2.1–3.1, as in Meta's own 3.1 survey sample, WhatsApp-Flows-Tools articles/creating-surveys). */
const LABEL_REQUIRED = { label: '4.0' } as const;

export const COMPONENTS: Record<string, ComponentSpec> = {
  TextHeading: { required: ['text'], optional: TEXT, enumValues: FONT_WEIGHTS, softTextLimits: { text: 80 } },
  TextSubheading: { required: ['text'], optional: TEXT, enumValues: FONT_WEIGHTS, softTextLimits: { text: 80 } },
  TextBody: {
    required: ['text'],
    optional: [...TEXT, 'markdown'],
    propertyVersions: { markdown: '5.1' },
    enumValues: FONT_WEIGHTS,
    softTextLimits: { text: 4096 },
  },
  TextCaption: {
    required: ['text'],
    optional: [...TEXT, 'markdown'],
    propertyVersions: { markdown: '5.1' },
    enumValues: FONT_WEIGHTS,
    softTextLimits: { text: 409 },
  },
  RichText: { minVersion: '5.1', required: ['text'], optional: ['visible'] },
  TextInput: {
    required: ['name', 'label'],
    optional: [...FORM_FIELD, 'input-type', 'pattern', 'min-chars', 'max-chars', 'label-variant'],
    propertyVersions: { pattern: '6.2', ...LABEL_VARIANT },
    enumValues: { ...LABEL_VARIANT_VALUES, 'input-type': ['text', 'number', 'email', 'password', 'passcode', 'phone'] },
    softTextLimits: { 'label': 20, 'helper-text': 80, 'error-message': 30 },
    valueType: 'string',
  },
  TextArea: {
    required: ['name', 'label'],
    optional: [...FORM_FIELD, 'max-length', 'label-variant'],
    propertyVersions: LABEL_VARIANT,
    enumValues: LABEL_VARIANT_VALUES,
    softTextLimits: { 'label': 20, 'helper-text': 80 },
    valueType: 'string',
  },
  CheckboxGroup: {
    required: ['name', 'label', 'data-source'],
    requiredFrom: LABEL_REQUIRED,
    optional: [...FORM_FIELD, 'min-selected-items', 'max-selected-items', 'media-size', 'on-select-action', 'on-unselect-action', 'label-variant'],
    propertyVersions: { 'on-unselect-action': '6.0', ...LABEL_VARIANT },
    enumValues: { ...LABEL_VARIANT_VALUES, ...MEDIA_SIZES },
    actions: { 'on-select-action': SELECT_ACTIONS, 'on-unselect-action': UNSELECT_ACTIONS },
    itemActions: ITEM_ACTIONS,
    itemsProperty: 'data-source',
    itemCount: { 'data-source': OPTIONS_1_TO_20 },
    softTextLimits: { label: 30 },
    valueType: 'array',
  },
  RadioButtonsGroup: {
    required: ['name', 'label', 'data-source'],
    requiredFrom: LABEL_REQUIRED,
    optional: [...FORM_FIELD, 'media-size', 'on-select-action', 'on-unselect-action', 'label-variant'],
    propertyVersions: { 'on-unselect-action': '6.0', ...LABEL_VARIANT },
    enumValues: { ...LABEL_VARIANT_VALUES, ...MEDIA_SIZES },
    actions: { 'on-select-action': SELECT_ACTIONS, 'on-unselect-action': UNSELECT_ACTIONS },
    itemActions: ITEM_ACTIONS,
    itemsProperty: 'data-source',
    itemCount: { 'data-source': OPTIONS_1_TO_20 },
    softTextLimits: { label: 30 },
    valueType: 'string',
  },
  Dropdown: {
    required: ['name', 'label', 'data-source'],
    optional: [...FORM_FIELD, 'on-select-action', 'on-unselect-action', 'label-variant'],
    propertyVersions: { 'on-unselect-action': '6.0', ...LABEL_VARIANT },
    enumValues: LABEL_VARIANT_VALUES,
    actions: { 'on-select-action': SELECT_ACTIONS, 'on-unselect-action': UNSELECT_ACTIONS },
    itemActions: ITEM_ACTIONS,
    itemsProperty: 'data-source',
    itemCount: { 'data-source': { min: 1, max: 200 } },
    softTextLimits: { label: 20 },
    valueType: 'string',
  },
  /** Components reference, ChipsSelector (6.3): update_data and on-unselect-action only from 7.1. */
  ChipsSelector: {
    minVersion: '6.3',
    required: ['name', 'label', 'data-source'],
    optional: [...FORM_FIELD, 'min-selected-items', 'max-selected-items', 'on-select-action', 'on-unselect-action', 'label-variant'],
    propertyVersions: { ...LABEL_VARIANT, 'on-unselect-action': '7.1' },
    actionVersions: { update_data: '7.1' },
    enumValues: LABEL_VARIANT_VALUES,
    actions: { 'on-select-action': SELECT_ACTIONS, 'on-unselect-action': UNSELECT_ACTIONS },
    itemActions: ITEM_ACTIONS,
    itemsProperty: 'data-source',
    /** Components reference, ChipsSelector: 2 to 20 options. */
    itemCount: { 'data-source': { min: 2, max: 20 } },
    valueType: 'array',
  },
  Footer: {
    required: ['label', 'on-click-action'],
    optional: ['left-caption', 'center-caption', 'right-caption', 'enabled'],
    actions: { 'on-click-action': ['navigate', 'complete', 'data_exchange'] },
    perScreenMax: 1,
    softTextLimits: { 'label': 35, 'left-caption': 15, 'center-caption': 15, 'right-caption': 15 },
  },
  OptIn: {
    required: ['name', 'label'],
    optional: ['required', 'visible', 'init-value', 'on-click-action', 'on-select-action', 'on-unselect-action'],
    propertyVersions: { 'on-select-action': '6.0', 'on-unselect-action': '6.0' },
    actions: { 'on-click-action': LINK_ACTIONS, 'on-select-action': UNSELECT_ACTIONS, 'on-unselect-action': UNSELECT_ACTIONS },
    perScreenMax: 5,
    softTextLimits: { label: 120 },
    valueType: 'boolean',
  },
  EmbeddedLink: {
    required: ['text', 'on-click-action'],
    optional: ['visible'],
    actions: { 'on-click-action': LINK_ACTIONS },
    perScreenMax: 2,
    softTextLimits: { text: 25 },
  },
  DatePicker: {
    required: ['name', 'label'],
    optional: [...FORM_FIELD, 'min-date', 'max-date', 'unavailable-dates', 'on-select-action', 'label-variant'],
    propertyVersions: LABEL_VARIANT,
    enumValues: LABEL_VARIANT_VALUES,
    actions: { 'on-select-action': ['data_exchange'] },
    softTextLimits: { 'label': 40, 'helper-text': 80, 'error-message': 80 },
    valueType: 'string',
  },
  CalendarPicker: {
    minVersion: '6.1',
    required: ['name', 'label'],
    optional: [...FORM_FIELD, 'title', 'mode', 'min-date', 'max-date', 'unavailable-dates', 'include-days', 'min-days', 'max-days', 'on-select-action', 'label-variant'],
    propertyVersions: LABEL_VARIANT,
    enumValues: { ...LABEL_VARIANT_VALUES, mode: ['single', 'range'] },
    actions: { 'on-select-action': ['data_exchange'] },
    softTextLimits: { 'title': 80, 'description': 300, 'label': 40, 'helper-text': 80, 'error-message': 80 },
  },
  Image: {
    required: ['src'],
    optional: ['width', 'height', 'scale-type', 'aspect-ratio', 'alt-text', 'visible'],
    enumValues: { 'scale-type': ['cover', 'contain'] },
    perScreenMax: 3,
  },
  /** Components reference, ImageCarousel (7.1): 1 to 3 images, at most 2 carousels a screen. */
  ImageCarousel: {
    minVersion: '7.1',
    required: ['images'],
    optional: ['aspect-ratio', 'scale-type', 'visible'],
    enumValues: { 'scale-type': ['cover', 'contain'], 'aspect-ratio': ['4:3', '16:9'] },
    itemRequired: ['src', 'alt-text'],
    perScreenMax: 2,
    itemCount: { images: { min: 1, max: 3 } },
  },
  /** Components reference, NavigationList (6.2): 1 to 20 list-items, at most 2 lists a screen; the action on the
   * list or on its items. */
  NavigationList: {
    minVersion: '6.2',
    required: ['name', 'list-items'],
    optional: ['label', 'description', 'media-size', 'visible', 'on-click-action'],
    enumValues: MEDIA_SIZES,
    perScreenMax: 2,
    actions: { 'on-click-action': ['navigate', 'data_exchange'] },
    itemActions: { 'on-click-action': ['navigate', 'data_exchange'] },
    itemsProperty: 'list-items',
    itemRequired: ['id', 'main-content'],
    itemCount: { 'list-items': { min: 1, max: 20 } },
  },
  /** Media upload components (4.0): at most one PhotoPicker or DocumentPicker per screen, never both. */
  PhotoPicker: {
    minVersion: '4.0',
    required: ['name', 'label'],
    optional: [...FORM_FIELD, 'photo-source', 'max-file-size-kb', 'min-uploaded-photos', 'max-uploaded-photos'],
    enumValues: { 'photo-source': ['camera_gallery', 'camera', 'gallery'] },
    perScreenMax: 1,
    valueType: 'media',
  },
  DocumentPicker: {
    minVersion: '4.0',
    required: ['name', 'label'],
    optional: [...FORM_FIELD, 'max-file-size-kb', 'min-uploaded-documents', 'max-uploaded-documents', 'allowed-mime-types'],
    perScreenMax: 1,
    valueType: 'media',
  },
  Form: { required: ['name', 'children'], optional: ['init-values', 'error-messages'] },
  If: { minVersion: '4.0', required: ['condition', 'then'], optional: ['else'] },
  Switch: { minVersion: '4.0', required: ['value', 'cases'], optional: [] },
};

/** Properties whose value is a list of components (Switch "cases" maps keys to such lists). */
export const CHILD_LIST_PROPERTIES = ['children', 'then', 'else'];

/**
 * The types that a property bound to `${data.x}` expects, for DATA_REFERENCE_TYPE_MISMATCH (components reference;
 * Error codes § Screen data model errors: "the TextHeading property 'text' expects a string value", "properties like
 * 'error-message' can only be of type string or object"). Text properties also take numbers, and objects where
 * CalendarPicker's range mode uses them, so that only a clear mismatch is an error.
 */
export const PROPERTY_VALUE_TYPES: Readonly<Record<string, readonly string[]>> = {
  'visible': ['boolean'],
  'enabled': ['boolean'],
  'required': ['boolean', 'object'],
  'text': ['string', 'number', 'integer', 'array'],
  'label': ['string', 'number', 'integer', 'object'],
  'helper-text': ['string', 'number', 'integer', 'object'],
  'error-message': ['string', 'object'],
  'description': ['string', 'number', 'integer'],
  'data-source': ['array'],
  'list-items': ['array'],
  'images': ['array'],
  'unavailable-dates': ['array'],
  'min-chars': ['number', 'integer', 'string'],
  'max-chars': ['number', 'integer', 'string'],
  'max-length': ['number', 'integer', 'string'],
  'min-selected-items': ['number', 'integer'],
  'max-selected-items': ['number', 'integer'],
};

/**
 * Components reference § If (then/else) and § Switch (cases): the components a branch may hold. ChipsSelector joins
 * both lists in 7.1. Meta's Flow JSON schema (WAFlowJSONIfComponentSchema, WAFlowJSONSwitchComponentSchema) also
 * takes PhotoPicker and DocumentPicker, and CalendarPicker from 6.1 (the component's own version), which the
 * reference's lists leave out: refusing them would be a false error.
 */
export const IF_BRANCH_COMPONENTS = [
  'TextHeading', 'TextSubheading', 'TextBody', 'TextCaption', 'CheckboxGroup', 'DatePicker', 'Dropdown', 'EmbeddedLink',
  'Footer', 'Image', 'OptIn', 'RadioButtonsGroup', 'Switch', 'TextArea', 'TextInput', 'If',
  'PhotoPicker', 'DocumentPicker', 'CalendarPicker',
];
export const SWITCH_CASE_COMPONENTS = IF_BRANCH_COMPONENTS.filter(type => type !== 'Switch' && type !== 'If');
export const BRANCH_CHIPS_SELECTOR_VERSION = '7.1';

/** Components reference § ImageCarousel: at most 3 in a Flow. */
export const MAX_IMAGE_CAROUSELS_PER_FLOW = 3;

/** Components that take user input (Error codes § Optional Form: "Form components are the ones which can take user
 * inputs"); on a screen with a Form they must be inside it. */
export const INPUT_COMPONENTS = [
  'TextInput', 'TextArea', 'CheckboxGroup', 'RadioButtonsGroup', 'Dropdown', 'ChipsSelector', 'OptIn', 'DatePicker',
  'CalendarPicker', 'PhotoPicker', 'DocumentPicker',
];

/** Error codes § Min max limit violation (MIN_VALUE_GREATER_THAN_MAX): a min property never above its max. */
export const MIN_MAX_PAIRS: readonly (readonly [string, string])[] = [
  ['min-selected-items', 'max-selected-items'],
  ['min-chars', 'max-chars'],
  ['min-uploaded-photos', 'max-uploaded-photos'],
  ['min-uploaded-documents', 'max-uploaded-documents'],
  ['min-days', 'max-days'],
];

/** Error codes § Min max limit violation (MINIMUM_VALUE_REQUIRED / MAXIMUM_VALUE_REQUIRED: "min-uploaded-photos in
 * PhotoPicker must be between [0, 30]") and Media upload components (max-file-size-kb up to 25 MB). */
export const VALUE_RANGES: Readonly<Record<string, readonly [number, number]>> = {
  'min-uploaded-photos': [0, 30],
  'max-uploaded-photos': [1, 30],
  'min-uploaded-documents': [0, 30],
  'max-uploaded-documents': [1, 30],
  'max-file-size-kb': [1, 25600],
};

/** Media upload components: how many files a picker takes when `max-uploaded-…` is not set. */
export const DEFAULT_MAX_UPLOADS = 30;

/** If components may be nested up to this depth. */
export const MAX_IF_NESTING = 3;

/** Components that may not share a screen. */
export const EXCLUSIVE_COMPONENTS: readonly (readonly [string, string])[] = [['PhotoPicker', 'DocumentPicker']];

/** Soft limits on the items of a data-source (CheckboxGroup, RadioButtonsGroup, Dropdown, ChipsSelector). */
export const DATA_SOURCE_ITEM_SOFT_LIMITS: Readonly<Record<string, number>> = { title: 30, description: 300, metadata: 20 };

export const MAX_COMPONENTS_PER_SCREEN = 50;

/** Largest Flow JSON AWS accepts, in bytes. */
export const MAX_FLOW_JSON_BYTES = 10 * 1024 * 1024;
