import {
  CreateWhatsAppMessageTemplateCommand,
  DeleteWhatsAppMessageTemplateCommand,
  GetWhatsAppMessageTemplateCommand,
  ListWhatsAppMessageTemplatesCommand,
  SocialMessagingClient,
  TemplateSummary,
  UpdateWhatsAppMessageTemplateCommand,
} from '@aws-sdk/client-socialmessaging';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { CREATE_ONLY_PROPERTIES, TemplateAttribute, TemplateAttributes, TemplateResourceProperties } from './contract';
import { templateProblems } from './template-checks';
import { componentDifferences, sameCategory } from './template-convergence';
import { templateComponents, templateDefinition } from './template-definition';
import { InvocationBudget, NOT_A_NAME_CONFLICT, withinBudget } from '../provider/budget';
import { FlowFailure } from '../provider/failure';
import { isRetryable, mayHaveApplied, RetryBudgetExhausted } from '../provider/retry';
import { wabaIdOf } from '../provider/waba';

/** What the Provider framework expects back from `onEvent`. */
export interface TemplateHandlerResponse {
  readonly PhysicalResourceId: string;
  readonly Data: Partial<TemplateAttributes>;
}

export interface TemplateLifecycleDependencies extends InvocationBudget {
  readonly socialMessaging: SocialMessagingClient;
  /** Whether CloudFormation is rolling the stack back: an Update then restores the previous properties. */
  readonly isRollingBack: (stackId: string) => Promise<boolean>;
}

/** Meta edits only templates it has reviewed (Template management § Edit templates, "Limitations"). */
const EDITABLE_STATUSES = ['APPROVED', 'REJECTED', 'PAUSED'];

/** UpdateWhatsAppMessageTemplate's limit on `templateComponents`. */
const MAX_COMPONENTS_JSON_LENGTH = 3000;

/** A template as Meta describes it (GetWhatsAppMessageTemplate's `template` JSON). */
interface MetaTemplate {
  readonly name?: string;
  readonly language?: string;
  readonly status: string;
  readonly category?: string;
  readonly rejectedReason?: string;
  /** Meta's components, as it echoes them; undefined when it reported none. */
  readonly components?: unknown[];
}

interface Desired {
  readonly wabaId: string;
  readonly p: TemplateResourceProperties;
}

interface Created {
  readonly metaTemplateId: string;
  readonly status: string;
  readonly category?: string;
}

function desiredOf(properties: TemplateResourceProperties): Desired {
  const p = properties ?? {} as TemplateResourceProperties;
  return {
    wabaId: wabaIdOf(p.WhatsAppBusinessAccountId),
    p: {
      ...p,
      BodyExamples: p.BodyExamples ?? [],
      Header: p.Header || undefined,
      HeaderExample: p.HeaderExample || undefined,
      Footer: p.Footer || undefined,
      FlowId: p.FlowId || undefined,
      ButtonText: p.ButtonText || undefined,
      FlowAction: p.FlowAction || undefined,
      NavigateScreen: p.NavigateScreen || undefined,
    },
  };
}

const errorName = (error: unknown): string => (error as Error)?.name ?? 'Error';
const isNotFound = (error: unknown): boolean => errorName(error) === 'ResourceNotFoundException';
const label = (d: Desired): string => `'${d.p.TemplateName}' (${d.p.Language})`;
const bytes = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));

/** The failure for a name and language that another template holds: which template, and the way out. */
function nameTaken(d: Desired, existing: TemplateSummary): FlowFailure {
  return new FlowFailure(`A template named '${d.p.TemplateName}' in ${d.p.Language} already exists in ${d.wabaId}: `
    + `id ${existing.metaTemplateId}, status ${existing.templateStatus}. It was left as it is: this stack never takes over `
    + 'a template it did not make. Choose another templateName (or language); or, if that template is a leftover that '
    + 'nothing sends, delete it in WhatsApp Manager and deploy again (Meta keeps the name of a deleted approved template for 30 days).');
}

/**
 * Creates, edits and deletes one WhatsApp message template per CloudFormation event. The physical id is Meta's
 * template id; the handler deletes and edits only that template, or one that a Create call of this same invocation
 * provably made.
 */
export class TemplateLifecycle {
  constructor(private readonly deps: TemplateLifecycleDependencies) {}

  public async handle(event: CloudFormationCustomResourceEvent): Promise<TemplateHandlerResponse> {
    const desired = desiredOf(event.ResourceProperties as unknown as TemplateResourceProperties);
    switch (event.RequestType) {
      case 'Create':
        this.deps.log(`Create: template ${label(desired)} in ${desired.wabaId}`);
        return this.create(desired);
      case 'Update':
        this.deps.log(`Update: template ${event.PhysicalResourceId} in ${desired.wabaId}`);
        return this.update(event.PhysicalResourceId, desired,
          desiredOf(event.OldResourceProperties as unknown as TemplateResourceProperties), event.StackId);
      case 'Delete':
        this.deps.log(`Delete: template ${event.PhysicalResourceId} in ${desired.wabaId}`);
        return this.delete(event.PhysicalResourceId, desired);
    }
  }

  /** The synth's checks again, now that every token is resolved: nothing is sent that Meta would refuse. */
  private check(d: Desired, what: string): void {
    const problems = templateProblems({
      templateName: d.p.TemplateName,
      language: d.p.Language,
      body: d.p.Body,
      bodyExamples: d.p.BodyExamples,
      header: d.p.Header,
      headerExample: d.p.HeaderExample,
      footer: d.p.Footer,
      buttonText: d.p.FlowId ? d.p.ButtonText ?? '' : d.p.ButtonText,
    });
    if (d.p.FlowId && d.p.FlowAction !== 'navigate' && d.p.FlowAction !== 'data_exchange') {
      problems.push(`the button's action '${d.p.FlowAction}' is neither navigate nor data_exchange`);
    }
    if (d.p.FlowId && d.p.FlowAction === 'navigate' && !d.p.NavigateScreen) {
      problems.push('a navigate button needs the screen the Flow opens on, and NavigateScreen is empty');
    }
    if (problems.length) {
      throw new FlowFailure(`Template ${label(d)}: ${problems.join('; ')}. ${what}`);
    }
  }

  private async create(d: Desired): Promise<TemplateHandlerResponse> {
    this.check(d, 'Nothing was created.');
    const created = await this.createTemplate(d);
    const id = created.metaTemplateId;
    if (created.status === 'REJECTED') {
      // Meta refused it at once: its reason is only in the template itself.
      const reason = await this.describe(d.wabaId, id).then(
        (t) => t.rejectedReason ?? 'Meta gave no reason',
        (error) => `the reason could not be read (${errorName(error)})`);
      // CloudFormation does send a Delete after a failed Create, but the Provider framework answers it itself
      // without calling this handler: the template this Create made goes now.
      await this.removeAfterFailedCreate(d, id);
      throw new FlowFailure(`Meta rejected template ${label(d)} at once: ${reason}. The rejected template was deleted again. `
        + 'Change what the reason names (see Meta\'s template guidelines) and deploy again.');
    }
    if (created.category && created.category !== d.p.Category) {
      this.deps.log(`template ${id}: Meta set the category ${created.category} (declared ${d.p.Category})`);
    }
    this.deps.log(`template ${id} is ${created.status}`);
    return this.response(id, created.status);
  }

  /**
   * CreateWhatsAppMessageTemplate, retried within the budget. The service has no idempotency token, and Meta keys
   * a template by name and language: they are looked up first, so a taken name fails before any change, and a
   * template of that name found after an attempt whose answer was lost is provably this invocation's (the name was
   * free before its first attempt). Anything else holding the name is never touched.
   */
  private async createTemplate(d: Desired): Promise<Created> {
    const before = await this.findByName(d);
    if (before) throw nameTaken(d, before);
    let mayHaveMade = false;
    const definition = bytes(templateDefinition(d.p));
    const made = async (error: unknown): Promise<Created | undefined> => {
      // A lookup that fails proves nothing either way: the Create is retried, and a refusal as a duplicate looks again.
      const found = await this.findByName(d).catch((lookupError) => {
        this.deps.log(`looking the template up after a lost answer failed (${errorName(lookupError)})`);
        return undefined;
      });
      if (!found) return undefined;
      this.deps.log(`CreateWhatsAppMessageTemplate got no answer (${errorName(error)}), but made template ${found.metaTemplateId}: `
        + 'the name was free before the first attempt, so the template is this Create\'s');
      return { metaTemplateId: found.metaTemplateId!, status: found.templateStatus ?? 'PENDING', category: found.templateCategory };
    };
    try {
      return await this.call('CreateWhatsAppMessageTemplate', async (client) => {
        try {
          const out = await client.send(new CreateWhatsAppMessageTemplateCommand({ id: d.wabaId, templateDefinition: definition }));
          if (!out.metaTemplateId) {
            throw new FlowFailure(`CreateWhatsAppMessageTemplate returned no template id for ${label(d)}. Deploy again.`);
          }
          this.deps.log(`created template ${out.metaTemplateId} ${label(d)}`);
          return { metaTemplateId: out.metaTemplateId, status: out.templateStatus ?? 'PENDING', category: out.category };
        } catch (error) {
          if (!mayHaveApplied(error)) throw error;
          mayHaveMade = true;
          const found = await made(error);
          if (found) return found;
          throw error;
        }
      });
    } catch (error) {
      if (error instanceof FlowFailure || isRetryable(error) || error instanceof RetryBudgetExhausted) throw error;
      if (NOT_A_NAME_CONFLICT.includes(errorName(error))) throw error;
      // A refused Create: an earlier attempt whose answer was lost may have made it, or another creator took the name meanwhile.
      const existing = await this.findByName(d).catch(() => undefined);
      if (!existing) throw error;
      if (mayHaveMade) {
        const ours = await made(error);
        if (ours) return ours;
      }
      throw nameTaken(d, existing);
    }
  }

  /** The WABA's template of the declared name and language. */
  private async findByName(d: Desired): Promise<TemplateSummary | undefined> {
    let nextToken: string | undefined;
    do {
      const page = await this.call('ListWhatsAppMessageTemplates', (client) => client.send(new ListWhatsAppMessageTemplatesCommand({
        id: d.wabaId, nextToken, maxResults: 100,
      })), true);
      const found = (page.templates ?? []).find((t) => t.templateName === d.p.TemplateName && t.templateLanguage === d.p.Language);
      if (found) return found;
      nextToken = page.nextToken;
    } while (nextToken);
    return undefined;
  }

  /** Deletes the template this invocation's Create made: this language only, by its id. */
  private async removeAfterFailedCreate(d: Desired, id: string): Promise<void> {
    try {
      await this.deleteCall(d, id, true);
      this.deps.log(`deleted template ${id} made by the failed Create`);
    } catch (error) {
      if (isNotFound(error)) return;
      this.deps.log(`could not delete template ${id} made by the failed Create: ${errorName(error)}`);
    }
  }

  private async update(id: string, d: Desired, previous: Desired, stackId: string): Promise<TemplateHandlerResponse> {
    const replaced = CREATE_ONLY_PROPERTIES.filter((name) => name === 'WhatsAppBusinessAccountId'
      ? d.wabaId !== previous.wabaId
      : d.p[name] !== previous.p[name]);
    if (replaced.length) {
      const original = await this.rolledBackReplacement(id, d);
      if (original) {
        // CloudFormation rolls a failed replacement back to the original template, which the replacement never
        // changed: it already is what the rollback asks for, unless an earlier rollback left it newer.
        this.deps.log(`template ${id} already is ${label(d)}: the rollback of a replacement keeps it`);
        return this.converge(id, d, previous, original, stackId);
      }
      if (await this.deps.isRollingBack(stackId)) {
        // CloudFormation rolls a replacement back with this resource's previous properties, which it deployed: the
        // template holding their name and language is the one it had before (cleanup never ran). It becomes the
        // physical id again, and the rollback's cleanup deletes the replacement.
        const before = await this.findByName(d);
        if (before) {
          this.deps.log(`rolling back a replacement: template ${before.metaTemplateId} ${label(d)} is this resource's again`);
          const template = await this.describe(d.wabaId, before.metaTemplateId!).catch((error) => {
            if (isRetryable(error) || error instanceof RetryBudgetExhausted) throw error;
            return undefined;
          });
          if (!template) return this.response(before.metaTemplateId!, before.templateStatus ?? 'PENDING');
          return this.converge(before.metaTemplateId!, d, previous, template, stackId);
        }
      }
      // A new template; CloudFormation's cleanup Delete then removes the old one with the old properties.
      this.deps.log(`${replaced.join(', ')} changed, which Meta does not let change: replacing template ${id}`);
      return this.create(d);
    }
    this.check(d, 'Nothing was changed.');
    let current: MetaTemplate;
    try {
      current = await this.describe(d.wabaId, id);
    } catch (error) {
      if (!isNotFound(error)) throw error;
      this.deps.log(`template ${id} no longer exists in ${d.wabaId} (deleted outside this stack): creating it again`);
      return this.create(d);
    }
    return this.converge(id, d, previous, current, stackId);
  }

  /**
   * Converge, don't diff: the declared template against what Meta holds (`current`), not the new properties against
   * the old. A template that already matches gets no mutating call, forward or rollback.
   */
  private async converge(id: string, d: Desired, previous: Desired, current: MetaTemplate, stackId: string): Promise<TemplateHandlerResponse> {
    const components = templateComponents(d.p);
    const componentsJson = JSON.stringify(components);
    let differing = componentDifferences(components, current.components);
    if (!differing) {
      this.deps.log(`template ${id}: Meta reported no components to compare with; comparing with the previous properties`);
      differing = componentsJson !== JSON.stringify(templateComponents(previous.p)) ? ['components'] : [];
    }
    let categoryDiffers = !(sameCategory(d.p.Category, current.category) ?? d.p.Category === previous.p.Category);
    if (categoryDiffers && current.status === 'APPROVED' && d.p.Category === previous.p.Category) {
      // Meta chose the category (or an earlier rollback left it), and an approved template keeps it: this deploy did not
      // ask for a change, so it is not failed for one it cannot make.
      this.deps.log(`template ${id}: Meta holds the category ${current.category} (declared ${d.p.Category}), which an approved template keeps`);
      categoryDiffers = false;
    }
    const componentsDiffer = differing.length > 0;
    if (!componentsDiffer && !categoryDiffers) {
      if (componentsJson !== JSON.stringify(templateComponents(previous.p)) || d.p.Category !== previous.p.Category) {
        this.deps.log(`template ${id} already holds what is declared: no edit`);
      }
      return this.response(id, current.status);
    }

    let rollingBack: Promise<boolean> | undefined;
    const isRollingBack = () => rollingBack ??= this.deps.isRollingBack(stackId);
    const parts = [...differing, ...(categoryDiffers ? ['category'] : [])].join(', ');
    // A rollback never fails on a rule that protects the live template: it leaves the template as it is, says what
    // differs (the parts, never the text), answers its true status, and the next deploy converges.
    const leave = (why: string): TemplateHandlerResponse => {
      this.deps.log(`the rollback leaves template ${id} as it is (${current.status}): it differs from what the rollback restores in ${parts}, `
        + `and ${why}. It keeps its newer content until the next deploy converges it`);
      return this.response(id, current.status);
    };
    const refusal = this.editRefusal(id, current, categoryDiffers);
    if (refusal) {
      if (await isRollingBack()) return leave(`Meta does not let it be edited ${categoryDiffers && current.status === 'APPROVED' ? 'in its category' : 'now'}`);
      throw new FlowFailure(`${refusal} Nothing was changed.`);
    }
    if (current.status === 'APPROVED' && await isRollingBack()) {
      return leave('an edit would take the live template back into review and use up its edit for the day');
    }
    if (componentsDiffer && componentsJson.length > MAX_COMPONENTS_JSON_LENGTH) {
      if (await isRollingBack()) return leave(`its components are longer than an edit takes (${MAX_COMPONENTS_JSON_LENGTH} characters of JSON)`);
      throw new FlowFailure(`Template ${label(d)}: its components are ${componentsJson.length} characters of JSON, and an edit takes at most `
        + `${MAX_COMPONENTS_JSON_LENGTH}. Nothing was changed. Shorten the body or the samples, or give it a new templateName (a new template).`);
    }
    try {
      await this.edit(d, id, componentsDiffer ? componentsJson : undefined, categoryDiffers ? d.p.Category : undefined);
    } catch (error) {
      if (error instanceof FlowFailure || isRetryable(error) || error instanceof RetryBudgetExhausted) throw error;
      if (await isRollingBack()) return leave(`Meta refused the edit (${errorName(error)})`);
      throw error;
    }
    this.deps.log(`edited ${parts} of template ${id}`);
    let after: MetaTemplate;
    try {
      after = await this.describe(d.wabaId, id);
    } catch (error) {
      // A success stays a success: Meta reviews an edited template again.
      this.deps.log(`template ${id} was edited, but reading it failed (${errorName(error)}): taking it as PENDING`);
      return this.response(id, 'PENDING');
    }
    if (after.status === 'REJECTED') {
      if (await isRollingBack()) {
        this.deps.log(`Meta rejected the content the rollback restored to template ${id} (${after.rejectedReason ?? 'no reason given'}): `
          + 'it stays REJECTED until the next deploy converges it');
        return this.response(id, after.status);
      }
      throw new FlowFailure(`Meta rejected the edit of template ${label(d)} (id ${id}) at once: ${after.rejectedReason ?? 'Meta gave no reason'}. `
        + 'Change what the reason names and deploy again.');
    }
    this.deps.log(`template ${id} is ${after.status}`);
    return this.response(id, after.status);
  }

  /**
   * UpdateWhatsAppMessageTemplate, retried within the budget. The service has no idempotency token: after an attempt
   * whose answer was lost, the template is read first, and an edit already in place is a success (Meta reviews an
   * edited template again, so a retry would be refused as not editable, or use up another edit).
   */
  private async edit(d: Desired, id: string, componentsJson: string | undefined, category: string | undefined): Promise<void> {
    let mayHaveEdited = false;
    const applied = async (error: unknown): Promise<boolean> => {
      const now = await this.describe(d.wabaId, id).catch((lookupError) => {
        this.deps.log(`reading template ${id} after a lost answer failed (${errorName(lookupError)})`);
        return undefined;
      });
      if (!now) return false;
      const differing = componentsJson === undefined ? [] : componentDifferences(JSON.parse(componentsJson), now.components);
      const inPlace = differing !== undefined && differing.length === 0 && (category === undefined || sameCategory(category, now.category) === true);
      if (inPlace) {
        this.deps.log(`UpdateWhatsAppMessageTemplate got no answer (${errorName(error)}), but the edit is in place: template ${id} is ${now.status}`);
      }
      return inPlace;
    };
    try {
      await this.call('UpdateWhatsAppMessageTemplate', async (client) => {
        try {
          await client.send(new UpdateWhatsAppMessageTemplateCommand({
            id: d.wabaId,
            metaTemplateId: id,
            templateCategory: category,
            templateComponents: componentsJson === undefined ? undefined : new TextEncoder().encode(componentsJson),
          }));
        } catch (error) {
          if (!mayHaveApplied(error)) throw error;
          mayHaveEdited = true;
          if (await applied(error)) return;
          throw error;
        }
      });
    } catch (error) {
      if (!mayHaveEdited || isRetryable(error) || error instanceof RetryBudgetExhausted) throw error;
      // A retry refused (the template is in review again, say): the attempt whose answer was lost may have applied it.
      if (await applied(error)) return;
      throw error;
    }
  }

  /**
   * The template of the physical id, when it already has the declared WABA, name and language: CloudFormation rolls a
   * failed replacement back with the original's properties and id. A replacement's normal path reads nothing else.
   */
  private async rolledBackReplacement(id: string, d: Desired): Promise<MetaTemplate | undefined> {
    try {
      const template = await this.describe(d.wabaId, id);
      return template.name === d.p.TemplateName && template.language === d.p.Language ? template : undefined;
    } catch (error) {
      if (isRetryable(error) || error instanceof RetryBudgetExhausted) throw error;
      return undefined;
    }
  }

  /** Why Meta would refuse the edit, or undefined when it allows it. */
  private editRefusal(id: string, current: MetaTemplate, categoryChanged: boolean): string | undefined {
    if (!EDITABLE_STATUSES.includes(current.status)) {
      return `Template ${id} is ${current.status}, and Meta only lets APPROVED, REJECTED or PAUSED templates be edited. `
        + 'Deploy again once Meta has reviewed it, or give it a new templateName to replace it.';
    }
    if (categoryChanged && current.status === 'APPROVED') {
      return `Template ${id} is APPROVED, and Meta does not let the category of an approved template change. `
        + 'Keep the category, or give the template a new templateName: a new template is created and this one deleted.';
    }
    return undefined;
  }

  private async delete(id: string, d: Desired): Promise<TemplateHandlerResponse> {
    const gone = { PhysicalResourceId: id, Data: {} };
    // RETAIN is CloudFormation's DeletionPolicy: a retained template's Delete never reaches the handler.
    try {
      await this.deleteCall(d, id);
      this.deps.log(`template ${id}: deleted`);
    } catch (error) {
      if (isNotFound(error)) {
        this.deps.log(`template ${id} is already gone`);
        return gone;
      }
      if (isRetryable(error) || error instanceof RetryBudgetExhausted) throw error;
      // Meta does not delete a DISABLED template; failing would block the stack's deletion for good.
      const status = await this.describe(d.wabaId, id).then((t) => t.status, () => undefined);
      if (status !== 'DISABLED') throw error;
      this.deps.log(`template ${id} is DISABLED, which Meta does not let be deleted: it is left as it is`);
    }
    return gone;
  }

  /** DeleteWhatsAppMessageTemplate by name and id: only this language's template, never every language of the name. */
  private deleteCall(d: Desired, id: string, cleanup = false): Promise<unknown> {
    return this.call('DeleteWhatsAppMessageTemplate', (client) => client.send(new DeleteWhatsAppMessageTemplateCommand({
      id: d.wabaId, templateName: d.p.TemplateName, metaTemplateId: id,
    })), cleanup);
  }

  /** GetWhatsAppMessageTemplate: the template's status, category and rejection reason. */
  private async describe(wabaId: string, id: string): Promise<MetaTemplate> {
    const out = await this.call('GetWhatsAppMessageTemplate', (client) => client.send(new GetWhatsAppMessageTemplateCommand({
      id: wabaId, metaTemplateId: id,
    })), true);
    let template: Record<string, unknown> = {};
    try {
      const parsed = JSON.parse(out.template ?? '{}');
      if (parsed && typeof parsed === 'object') template = parsed;
    } catch {
      this.deps.log(`template ${id}: GetWhatsAppMessageTemplate answered with JSON that does not parse`);
    }
    const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
    const rejectedReason = text(template.rejected_reason);
    return {
      name: text(template.name),
      language: text(template.language),
      status: text(template.status) ?? 'UNKNOWN',
      category: text(template.category),
      rejectedReason: rejectedReason && rejectedReason !== 'NONE' ? rejectedReason : undefined,
      components: Array.isArray(template.components) ? template.components : undefined,
    };
  }

  private response(id: string, status: string): TemplateHandlerResponse {
    return { PhysicalResourceId: id, Data: { [TemplateAttribute.META_TEMPLATE_ID]: id, [TemplateAttribute.TEMPLATE_STATUS]: status } };
  }

  /**
   * Sends one command, retrying retryable errors. The main work stops short of the deadline to leave time for
   * cleanup; cleanup and reads itself may use all of it.
   */
  private call<Output>(operation: string, send: (client: SocialMessagingClient) => Promise<Output>, cleanup = false): Promise<Output> {
    return withinBudget(operation, () => send(this.deps.socialMessaging), this.deps, cleanup);
  }
}
