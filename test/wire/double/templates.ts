/**
 * WhatsApp message templates for the double: CreateWhatsAppMessageTemplate, UpdateWhatsAppMessageTemplate,
 * DeleteWhatsAppMessageTemplate, GetWhatsAppMessageTemplate and ListWhatsAppMessageTemplates, with the HTTP bindings
 * of @aws-sdk/client-socialmessaging 3.1069.0 (dist-es/schemas/schemas_0.js) and Meta's rules as its template
 * reference states them: a name and language are one template; only APPROVED, REJECTED or PAUSED templates can be
 * edited, an approved one keeps its category and can be edited once in 24 hours and 10 times in 30 days (a rejected
 * or paused one without limit); a DISABLED template cannot be deleted; the name of a deleted
 * approved template stays taken for 30 days; a FLOW button names a Flow of the same WABA and, for `navigate`, one of
 * its screens.
 */
import { ServiceError } from './errors';
import { blob, defineRoute, optStr, Route } from './input';
import type { FlowStore } from './state';

export type TemplateStatus = 'PENDING' | 'APPROVED' | 'REJECTED' | 'PAUSED' | 'DISABLED';

export interface TemplateRecord {
  readonly wabaId: string;
  readonly metaTemplateId: string;
  readonly name: string;
  readonly language: string;
  category: string;
  components: unknown[];
  status: TemplateStatus;
  rejectedReason?: string;
  deleted: boolean;
  /** How many edits UpdateWhatsAppMessageTemplate applied. */
  edits: number;
  /** When each edit was applied, in the store's hours (`TemplateStore.hours`). */
  editedAt: number[];
}

/** Meta's review as the double plays it: the status of a new or edited template. @default PENDING */
export type TemplateReviewer = (template: TemplateRecord) => { status: TemplateStatus; rejectedReason?: string };

const EDITABLE: TemplateStatus[] = ['APPROVED', 'REJECTED', 'PAUSED'];
/** Meta's limits on edits of an approved template (Template management § Edit templates, "Limitations"). */
const EDITS_PER_DAY = 1;
const EDITS_PER_30_DAYS = 10;


export class TemplateStore {
  private templates: TemplateRecord[] = [];
  private nextId = 700000000000001;
  /** Names of deleted approved templates, per WABA: Meta keeps them for 30 days. */
  private readonly reserved = new Set<string>();
  /** Meta's clock for the edit limits, in hours; tests move it on with `advanceHours`. */
  private hours = 0;

  constructor(private readonly flows: FlowStore) {}

  /** Replace to script Meta's review, e.g. `() => ({ status: 'REJECTED', rejectedReason: 'INVALID_FORMAT' })`. */
  public reviewer: TemplateReviewer = () => ({ status: 'PENDING' });

  create(wabaId: string, definition: Buffer): TemplateRecord {
    const t = parseJson(definition, 'templateDefinition');
    const name = t.name;
    const language = t.language;
    if (typeof name !== 'string' || typeof language !== 'string' || typeof t.category !== 'string' || !Array.isArray(t.components)) {
      throw new ServiceError('ValidationException', 'templateDefinition needs name, language, category and components.');
    }
    if (this.live(wabaId).some(r => r.name === name && r.language === language)) {
      throw new ServiceError('ValidationException', `Content in this language already exists: template '${name}' (${language}).`);
    }
    if (this.reserved.has(`${wabaId}\n${name}`)) {
      throw new ServiceError('ValidationException', `Template name '${name}' was used by a deleted approved template; it can be used again after 30 days.`);
    }
    this.checkButtons(wabaId, t.components);
    const record: TemplateRecord = {
      wabaId,
      metaTemplateId: String(this.nextId++),
      name,
      language,
      category: t.category,
      components: t.components,
      status: 'PENDING',
      deleted: false,
      edits: 0,
      editedAt: [],
    };
    this.review(record);
    this.templates.push(record);
    return record;
  }

  update(wabaId: string, metaTemplateId: string, category: string | undefined, components: Buffer | undefined): void {
    const record = this.get(wabaId, metaTemplateId);
    if (!EDITABLE.includes(record.status)) {
      throw new ServiceError('ValidationException', `Template ${metaTemplateId} is ${record.status}; only APPROVED, REJECTED or PAUSED templates can be edited.`);
    }
    if (category !== undefined && category !== record.category && record.status === 'APPROVED') {
      throw new ServiceError('ValidationException', 'The category of an approved template cannot be edited.');
    }
    if (record.status === 'APPROVED') {
      const within = (hours: number) => record.editedAt.filter(at => at > this.hours - hours).length;
      if (within(24) >= EDITS_PER_DAY || within(30 * 24) >= EDITS_PER_30_DAYS) {
        throw new ServiceError('ValidationException', `Template ${metaTemplateId} reached its edit limit: an approved template can be edited `
          + `${EDITS_PER_DAY} time in 24 hours and ${EDITS_PER_30_DAYS} times in 30 days.`);
      }
    }
    let parsed: unknown[] | undefined;
    if (components !== undefined) {
      if (components.length > 3000) throw new ServiceError('ValidationException', 'templateComponents is longer than 3000 characters.');
      const value = parseJson(components, 'templateComponents');
      if (!Array.isArray(value)) throw new ServiceError('ValidationException', 'templateComponents must be a JSON array.');
      this.checkButtons(wabaId, value);
      parsed = value;
    }
    if (category !== undefined) record.category = category;
    if (parsed !== undefined) record.components = parsed;
    record.edits++;
    record.editedAt.push(this.hours);
    this.review(record);
  }

  /** By name and id: that template; by name alone (or deleteAllTemplates): every language of the name. */
  delete(wabaId: string, name: string, metaTemplateId?: string, all = false): void {
    const matches = this.live(wabaId).filter(r => r.name === name && (all || metaTemplateId === undefined || r.metaTemplateId === metaTemplateId));
    if (matches.length === 0) throw new ServiceError('ResourceNotFoundException', `No template '${name}'${metaTemplateId ? ` with id ${metaTemplateId}` : ''}.`);
    const disabled = matches.find(r => r.status === 'DISABLED');
    if (disabled) throw new ServiceError('ValidationException', `Template ${disabled.metaTemplateId} is DISABLED and cannot be deleted.`);
    for (const record of matches) {
      record.deleted = true;
      if (record.status === 'APPROVED') this.reserved.add(`${wabaId}\n${name}`);
    }
  }

  get(wabaId: string, metaTemplateId: string): TemplateRecord {
    const record = this.live(wabaId).find(r => r.metaTemplateId === metaTemplateId);
    if (!record) throw new ServiceError('ResourceNotFoundException', `Template ${metaTemplateId} not found in ${wabaId}.`);
    return record;
  }

  list(wabaId: string, nextToken?: string, maxResults?: number): { templates: TemplateRecord[]; nextToken?: string } {
    const live = this.live(wabaId);
    const start = nextToken === undefined ? 0 : Number(Buffer.from(nextToken, 'base64').toString('utf8'));
    if (!Number.isInteger(start) || start < 0) throw new ServiceError('InvalidParametersException', 'Invalid nextToken.');
    // A small default page, so that paging is exercised; the handler asks for 100.
    const size = Math.min(maxResults ?? 2, 100);
    const page = live.slice(start, start + size);
    return { templates: page, nextToken: start + size < live.length ? Buffer.from(String(start + size)).toString('base64') : undefined };
  }

  // ---- test controls ----

  /** Live (not deleted) templates, optionally of one WABA. */
  live(wabaId?: string): TemplateRecord[] {
    return this.templates.filter(r => !r.deleted && (wabaId === undefined || r.wabaId === wabaId));
  }

  /** Every template ever created, deleted ones included. */
  all(): TemplateRecord[] {
    return [...this.templates];
  }

  find(metaTemplateId: string): TemplateRecord | undefined {
    return this.templates.find(r => r.metaTemplateId === metaTemplateId);
  }

  /** What Meta's review decides later (APPROVED after hours, PAUSED for low quality, DISABLED). */
  setStatus(metaTemplateId: string, status: TemplateStatus): void {
    const record = this.find(metaTemplateId);
    if (!record) throw new Error(`no template ${metaTemplateId}`);
    record.status = status;
  }

  /** Meta's clock moves on: edit limits count edits of the last 24 hours and 30 days. */
  advanceHours(hours: number): void {
    this.hours += hours;
  }

  reset(): void {
    this.hours = 0;
    this.templates = [];
    this.nextId = 700000000000001;
    this.reserved.clear();
    this.reviewer = () => ({ status: 'PENDING' });
  }

  private review(record: TemplateRecord): void {
    const verdict = this.reviewer(record);
    record.status = verdict.status;
    record.rejectedReason = verdict.rejectedReason;
  }

  /** A FLOW button opens a Flow of the template's WABA and, with `navigate`, one of the Flow's screens. */
  private checkButtons(wabaId: string, components: unknown[]): void {
    for (const component of components as Array<{ type?: string; buttons?: Array<Record<string, unknown>> }>) {
      for (const button of component?.type === 'BUTTONS' ? component.buttons ?? [] : []) {
        if (button.type !== 'FLOW') continue;
        const flow = this.flows.find(String(button.flow_id));
        if (!flow || flow.deleted || flow.wabaId !== wabaId) {
          throw new ServiceError('ValidationException', `Flow ${button.flow_id} does not exist in WhatsApp Business Account ${wabaId}.`);
        }
        if (button.flow_action === 'navigate') {
          let screens: string[] = [];
          try {
            screens = (JSON.parse(flow.json?.toString('utf8') ?? '{}').screens ?? []).map((s: { id?: string }) => s.id);
          } catch {
            screens = [];
          }
          if (!screens.includes(String(button.navigate_screen))) {
            throw new ServiceError('ValidationException', `navigate_screen '${button.navigate_screen}' is not a screen of Flow ${flow.flowId}.`);
          }
        }
      }
    }
  }
}

function parseJson(bytes: Buffer, what: string): any {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new ServiceError('ValidationException', `${what} is not valid JSON.`);
  }
}

function describe(r: TemplateRecord): string {
  return JSON.stringify({
    id: r.metaTemplateId,
    name: r.name,
    language: r.language,
    category: r.category,
    status: r.status,
    components: r.components,
    ...(r.rejectedReason ? { rejected_reason: r.rejectedReason } : {}),
  });
}

/** The five template operations. */
export const TEMPLATE_ROUTES: Route[] = [
  defineRoute('CreateWhatsAppMessageTemplate', 'POST /v1/whatsapp/template/put', ['templateDefinition', 'id'], (i, { templates }) => {
    const r = templates.create(optStr(i, 'id')!, blob(i, 'templateDefinition')!);
    return { metaTemplateId: r.metaTemplateId, templateStatus: r.status, category: r.category };
  }),
  defineRoute('UpdateWhatsAppMessageTemplate', 'POST /v1/whatsapp/template', ['id'], (i, { templates }) => {
    const id = optStr(i, 'metaTemplateId');
    if (!id) throw new ServiceError('ValidationException', 'The double identifies a template to edit by metaTemplateId.');
    templates.update(optStr(i, 'id')!, id, optStr(i, 'templateCategory'), blob(i, 'templateComponents'));
    return {};
  }),
  defineRoute('DeleteWhatsAppMessageTemplate', 'DELETE /v1/whatsapp/template', ['id', 'templateName'], (i, { templates }) => {
    // Booleans in @httpQuery arrive as strings; the SDK sends deleteAllLanguages as `deleteAllTemplates`.
    templates.delete(optStr(i, 'id')!, optStr(i, 'templateName')!, optStr(i, 'metaTemplateId'), i.deleteAllTemplates === 'true');
    return {};
  }),
  defineRoute('GetWhatsAppMessageTemplate', 'GET /v1/whatsapp/template', ['id'], (i, { templates }) => {
    const wabaId = optStr(i, 'id')!;
    const id = optStr(i, 'metaTemplateId');
    const name = optStr(i, 'templateName');
    const record = id !== undefined
      ? templates.get(wabaId, id)
      : templates.live(wabaId).find(r => r.name === name && r.language === optStr(i, 'templateLanguageCode'));
    if (!record) throw new ServiceError('ResourceNotFoundException', `Template '${name}' not found.`);
    return { template: describe(record) };
  }),
  defineRoute('ListWhatsAppMessageTemplates', 'GET /v1/whatsapp/template/list', ['id'], (i, { templates }) => {
    const page = templates.list(optStr(i, 'id')!, optStr(i, 'nextToken'), i.maxResults === undefined ? undefined : Number(i.maxResults));
    return {
      templates: page.templates.map(r => ({
        templateName: r.name, metaTemplateId: r.metaTemplateId, templateStatus: r.status, templateLanguage: r.language, templateCategory: r.category,
      })),
      nextToken: page.nextToken,
    };
  }),
];
