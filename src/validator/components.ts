/**
 * What Meta's Flow JSON reference says about each component, as data.
 *
 * Sources: developers.facebook.com "Flow JSON components", "Media upload components" and the Flows changelog.
 * Allowed properties are listed generously (a missed optional property would reject a valid flow); required
 * properties, version gates and hard limits are listed strictly.
 */
export type ActionName = 'navigate' | 'complete' | 'data_exchange' | 'update_data' | 'open_url';

export interface ActionSpec {
  readonly minVersion?: string;
  readonly required: readonly string[];
  readonly optional: readonly string[];
}

export const ACTIONS: Record<ActionName, ActionSpec> = {
  navigate: { required: ['next'], optional: ['payload'] },
  complete: { required: [], optional: ['payload'] },
  data_exchange: { required: [], optional: ['payload'] },
  update_data: { minVersion: '6.0', required: [], optional: ['payload'] },
  open_url: { minVersion: '6.0', required: ['url'], optional: [] },
};

export interface ComponentSpec {
  /** The first Flow JSON version that has this component. */
  readonly minVersion?: string;
  readonly required: readonly string[];
  readonly optional: readonly string[];
  /** Optional properties that arrived later than the component. */
  readonly propertyVersions?: Readonly<Record<string, string>>;
  /** Action properties and the actions each accepts. */
  readonly actions?: Readonly<Record<string, readonly ActionName[]>>;
  /** Hard limit on how many of this component a screen may show. */
  readonly perScreenMax?: number;
  /** The property holding a list whose items need unique, non-empty ids. */
  readonly itemsProperty?: string;
  /** Character limits Meta documents but does not strictly enforce: warnings. */
  readonly softTextLimits?: Readonly<Record<string, number>>;
}

const LINK_ACTIONS: readonly ActionName[] = ['navigate', 'data_exchange', 'open_url'];
const SELECT_ACTIONS: readonly ActionName[] = ['data_exchange', 'update_data'];
const UNSELECT_ACTIONS: readonly ActionName[] = ['update_data'];
const FORM_FIELD = ['visible', 'enabled', 'required', 'init-value', 'error-message', 'helper-text', 'description'];
const TEXT = ['visible', 'font-weight', 'strikethrough'];

export const COMPONENTS: Record<string, ComponentSpec> = {
  TextHeading: { required: ['text'], optional: TEXT, softTextLimits: { text: 80 } },
  TextSubheading: { required: ['text'], optional: TEXT, softTextLimits: { text: 80 } },
  TextBody: {
    required: ['text'],
    optional: [...TEXT, 'markdown'],
    propertyVersions: { markdown: '5.1' },
    softTextLimits: { text: 4096 },
  },
  TextCaption: {
    required: ['text'],
    optional: [...TEXT, 'markdown'],
    propertyVersions: { markdown: '5.1' },
    softTextLimits: { text: 409 },
  },
  RichText: { minVersion: '5.1', required: ['text'], optional: ['visible'] },
  TextInput: {
    required: ['name', 'label'],
    optional: [...FORM_FIELD, 'input-type', 'pattern', 'min-chars', 'max-chars'],
    propertyVersions: { pattern: '6.2' },
    softTextLimits: { 'label': 20, 'helper-text': 80, 'error-message': 30 },
  },
  TextArea: {
    required: ['name', 'label'],
    optional: [...FORM_FIELD, 'max-length'],
    softTextLimits: { 'label': 20, 'helper-text': 80 },
  },
  CheckboxGroup: {
    required: ['name', 'label', 'data-source'],
    optional: [...FORM_FIELD, 'min-selected-items', 'max-selected-items', 'media-size', 'on-select-action', 'on-unselect-action'],
    propertyVersions: { 'on-unselect-action': '6.0' },
    actions: { 'on-select-action': SELECT_ACTIONS, 'on-unselect-action': UNSELECT_ACTIONS },
    itemsProperty: 'data-source',
    softTextLimits: { label: 30 },
  },
  RadioButtonsGroup: {
    required: ['name', 'label', 'data-source'],
    optional: [...FORM_FIELD, 'media-size', 'on-select-action', 'on-unselect-action'],
    propertyVersions: { 'on-unselect-action': '6.0' },
    actions: { 'on-select-action': SELECT_ACTIONS, 'on-unselect-action': UNSELECT_ACTIONS },
    itemsProperty: 'data-source',
    softTextLimits: { label: 30 },
  },
  Dropdown: {
    required: ['name', 'label', 'data-source'],
    optional: [...FORM_FIELD, 'on-select-action', 'on-unselect-action'],
    propertyVersions: { 'on-unselect-action': '6.0' },
    actions: { 'on-select-action': SELECT_ACTIONS, 'on-unselect-action': UNSELECT_ACTIONS },
    itemsProperty: 'data-source',
    softTextLimits: { label: 20 },
  },
  ChipsSelector: {
    minVersion: '6.3',
    required: ['name', 'label', 'data-source'],
    optional: [...FORM_FIELD, 'min-selected-items', 'max-selected-items', 'on-select-action', 'on-unselect-action'],
    actions: { 'on-select-action': SELECT_ACTIONS, 'on-unselect-action': UNSELECT_ACTIONS },
    itemsProperty: 'data-source',
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
    optional: ['required', 'visible', 'init-value', 'on-click-action'],
    actions: { 'on-click-action': LINK_ACTIONS },
    perScreenMax: 5,
    softTextLimits: { label: 120 },
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
    optional: [...FORM_FIELD, 'min-date', 'max-date', 'unavailable-dates', 'on-select-action'],
    actions: { 'on-select-action': ['data_exchange'] },
    softTextLimits: { 'label': 40, 'helper-text': 80, 'error-message': 80 },
  },
  CalendarPicker: {
    minVersion: '6.1',
    required: ['name', 'label'],
    optional: [...FORM_FIELD, 'title', 'mode', 'min-date', 'max-date', 'unavailable-dates', 'include-days', 'min-days', 'max-days', 'on-select-action'],
    actions: { 'on-select-action': ['data_exchange'] },
    softTextLimits: { 'title': 80, 'description': 300, 'label': 40, 'helper-text': 80, 'error-message': 80 },
  },
  Image: {
    required: ['src'],
    optional: ['width', 'height', 'scale-type', 'aspect-ratio', 'alt-text', 'visible'],
    perScreenMax: 3,
  },
  ImageCarousel: {
    minVersion: '7.1',
    required: ['images'],
    optional: ['aspect-ratio', 'scale-type', 'visible'],
  },
  NavigationList: {
    minVersion: '6.2',
    required: ['name', 'list-items'],
    optional: ['label', 'description', 'media-size', 'visible', 'on-click-action'],
    actions: { 'on-click-action': ['navigate', 'data_exchange'] },
    itemsProperty: 'list-items',
  },
  PhotoPicker: {
    minVersion: '4.0',
    required: ['name', 'label'],
    optional: [...FORM_FIELD, 'photo-source', 'max-file-size-kb', 'min-uploaded-photos', 'max-uploaded-photos'],
    perScreenMax: 1,
  },
  DocumentPicker: {
    minVersion: '4.0',
    required: ['name', 'label'],
    optional: [...FORM_FIELD, 'max-file-size-kb', 'min-uploaded-documents', 'max-uploaded-documents', 'allowed-mime-types'],
    perScreenMax: 1,
  },
  Form: { required: ['name', 'children'], optional: ['init-values', 'error-messages'] },
  If: { minVersion: '4.0', required: ['condition', 'then'], optional: ['else'] },
  Switch: { minVersion: '4.0', required: ['value', 'cases'], optional: [] },
};

/** Properties whose value is a list of components (Switch "cases" maps keys to such lists). */
export const CHILD_LIST_PROPERTIES = ['children', 'then', 'else'];

/** If components may be nested up to this depth. */
export const MAX_IF_NESTING = 3;

/** Components that may not share a screen. */
export const EXCLUSIVE_COMPONENTS: readonly (readonly [string, string])[] = [['PhotoPicker', 'DocumentPicker']];

/** Soft limits on the items of a data-source (CheckboxGroup, RadioButtonsGroup, Dropdown, ChipsSelector). */
export const DATA_SOURCE_ITEM_SOFT_LIMITS: Readonly<Record<string, number>> = { title: 30, description: 300, metadata: 20 };

export const MAX_COMPONENTS_PER_SCREEN = 50;

/** Largest Flow JSON AWS accepts, in bytes. */
export const MAX_FLOW_JSON_BYTES = 10 * 1024 * 1024;
