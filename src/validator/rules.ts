/**
 * Every problem the validator reports, one code per rule. The rule table in the README is generated
 * from this list (scripts/rules-doc.ts), so a new rule is documented by adding it here.
 */
export type Severity = 'error' | 'warning';

export interface RuleInfo {
  readonly severity: Severity;
  readonly summary: string;
}

export const RULES = {
  // Document
  INVALID_JSON: { severity: 'error', summary: 'The text is not valid JSON.' },
  FLOW_TOO_LARGE: { severity: 'error', summary: 'The Flow JSON is larger than 10 MB.' },
  NOT_AN_OBJECT: { severity: 'error', summary: 'The Flow JSON (or a screen, component or action in it) is not a JSON object.' },
  MISSING_VERSION: { severity: 'error', summary: '`version` is missing.' },
  UNSUPPORTED_VERSION: { severity: 'error', summary: '`version` is not one AWS can publish (5.1, 6.0–6.3, 7.0–7.3).' },
  VERSION_NOTICE: { severity: 'warning', summary: 'The version is publishable but older; Meta freezes and expires old versions first.' },
  SCREENS_EMPTY: { severity: 'error', summary: '`screens` is missing, not a list, or empty.' },
  UNKNOWN_TOP_LEVEL_KEY: { severity: 'error', summary: 'A top-level key Flow JSON does not define.' },
  ENDPOINT_FEATURE_UNSUPPORTED: {
    severity: 'error',
    summary: '`routing_model`, `data_api_version`, `data_channel_uri`, `refresh_on_back` or a `data_exchange` action: endpoint Flows are not supported by AWS yet.',
  },
  // Screens
  MISSING_SCREEN_ID: { severity: 'error', summary: 'A screen has no `id`.' },
  INVALID_SCREEN_ID: { severity: 'error', summary: 'A screen `id` has characters other than letters and underscores.' },
  DUPLICATE_SCREEN_ID: { severity: 'error', summary: 'Two screens share an `id`.' },
  RESERVED_SCREEN_ID: { severity: 'error', summary: '`SUCCESS` is reserved and cannot be a screen `id`.' },
  MISSING_SCREEN_TITLE: { severity: 'error', summary: 'A screen has no `title`.' },
  UNKNOWN_SCREEN_KEY: { severity: 'error', summary: 'A screen key Flow JSON does not define.' },
  INVALID_LAYOUT: { severity: 'error', summary: '`layout` is missing, not `SingleColumnLayout`, or has no `children` list.' },
  DATA_FIELD_INVALID: { severity: 'error', summary: 'A declared `data` field has no valid `type`.' },
  DATA_FIELD_NO_EXAMPLE: { severity: 'error', summary: 'A declared `data` field has no `__example__`.' },
  DATA_EXAMPLE_TYPE_MISMATCH: { severity: 'error', summary: 'A `data` field\'s `__example__` does not match its declared `type`.' },
  // Components
  UNKNOWN_COMPONENT: { severity: 'error', summary: 'A component `type` Flow JSON does not define.' },
  COMPONENT_NOT_IN_VERSION: { severity: 'error', summary: 'A component used in a version older than the one that introduced it.' },
  MISSING_PROPERTY: { severity: 'error', summary: 'A required property of a component or action is missing.' },
  UNKNOWN_PROPERTY: { severity: 'error', summary: 'A property the component does not define.' },
  PROPERTY_NOT_IN_VERSION: { severity: 'error', summary: 'A property used in a version older than the one that introduced it.' },
  EXPRESSION_NOT_IN_VERSION: { severity: 'error', summary: 'String concatenation or an expression in a property before version 6.0.' },
  EMPTY_TEXT: { severity: 'error', summary: 'An empty or blank string property (rejected from version 6.0).' },
  TOO_MANY_COMPONENTS: { severity: 'error', summary: 'A screen has more than 50 components.' },
  COMPONENT_LIMIT_EXCEEDED: {
    severity: 'error',
    summary: 'More of one component on a screen than allowed (Footer 1, Image 3, EmbeddedLink 2, OptIn 5, PhotoPicker 1, DocumentPicker 1).',
  },
  EXCLUSIVE_COMPONENTS: { severity: 'error', summary: 'PhotoPicker and DocumentPicker on the same screen.' },
  IF_NESTING_TOO_DEEP: { severity: 'error', summary: '`If` components nested more than 3 deep.' },
  IF_FOOTER_BRANCHES: { severity: 'error', summary: 'A Footer inside an `If` must be in both `then` and `else`.' },
  EMPTY_BRANCH: { severity: 'error', summary: 'An `If` `then` list or a `Switch` `cases` map is empty.' },
  DUPLICATE_FIELD_NAME: { severity: 'error', summary: 'Two input components on a screen (or in a form) share a `name`.' },
  EMPTY_ITEM_ID: { severity: 'error', summary: 'An item of `data-source` or `list-items` has no `id` or an empty one.' },
  DUPLICATE_ITEM_ID: { severity: 'error', summary: 'Two items of one `data-source` or `list-items` share an `id`.' },
  TEXT_TOO_LONG: { severity: 'warning', summary: 'A label or text is longer than Meta\'s documented limit (not strictly enforced).' },
  // Actions and navigation
  UNKNOWN_ACTION: { severity: 'error', summary: 'An action `name` Flow JSON does not define.' },
  ACTION_NOT_IN_VERSION: { severity: 'error', summary: 'An action used in a version older than the one that introduced it (`update_data`, `open_url`: 6.0).' },
  ACTION_NOT_ALLOWED: { severity: 'error', summary: 'The action cannot be used on this component property.' },
  NAVIGATE_UNKNOWN_SCREEN: { severity: 'error', summary: 'A `navigate` action targets a screen that does not exist.' },
  NAVIGATE_SELF: { severity: 'error', summary: 'A `navigate` action targets its own screen.' },
  NAVIGATION_CYCLE: { severity: 'error', summary: 'Screens navigate to each other in a cycle.' },
  COMPLETE_ON_NON_TERMINAL: { severity: 'error', summary: 'A `complete` action on a screen that is not `terminal`.' },
  TERMINAL_WITHOUT_FOOTER: { severity: 'error', summary: 'A `terminal` screen has no Footer.' },
  NO_TERMINAL_SCREEN: { severity: 'error', summary: 'No screen is `terminal`.' },
  ENTRY_SCREEN_COUNT: { severity: 'error', summary: 'Not exactly one entry screen (a screen no `navigate` action targets).' },
  UNREACHABLE_SCREEN: { severity: 'error', summary: 'A screen cannot be reached from the entry screen.' },
  // References
  UNKNOWN_FORM_REFERENCE: { severity: 'error', summary: '`${form.x}` names no input component on that screen.' },
  UNKNOWN_DATA_REFERENCE: { severity: 'error', summary: '`${data.x}` names no declared `data` field of that screen.' },
  UNKNOWN_SCREEN_REFERENCE: { severity: 'error', summary: '`${screen.NAME.form.x}` or `${screen.NAME.data.x}` names no existing screen or field.' },
} satisfies Record<string, RuleInfo>;

export type RuleCode = keyof typeof RULES;
