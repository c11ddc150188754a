import { errorName, FlowApi, FlowHandlerResponse, flowResponse, LIVE_STATUSES, ObservedFlow, sameBytes } from './api';
import { DesiredFlow } from './desired';
import { FlowStep, JsonComparison, planFlow } from './plan';
import { restoreLive } from './restore';
import { Plan } from '../../provider/converge';
import { FlowFailure, rejectedFlowJson } from '../../provider/failure';
import { RetryBudgetExhausted } from '../../provider/retry';

export interface ConvergeInput {
  readonly flowId: string;
  readonly desired: DesiredFlow;
  /** The properties the resource had; undefined when a Flow made elsewhere is adopted. */
  readonly previous?: DesiredFlow;
  /** What GetWhatsAppFlow reported at the start of this Update. */
  readonly observed: ObservedFlow;
  /** Whether the declared Flow JSON asset is another than the one the resource had (always, when adopting). */
  readonly jsonSourceChanged: boolean;
  /** Whether CloudFormation is rolling the stack back; asked only when a decision depends on it. */
  readonly rollingBack: () => Promise<boolean>;
}

/**
 * Brings an existing Flow to the declared state (rule 14): reads what Meta holds, plans the calls that close the
 * gap (flow-plan.ts), and makes them. A Flow that already matches gets no mutating call.
 *
 * The Flow JSON is compared with the Flow's own (ListWhatsAppFlowAssets and its download) only where the answer
 * changes what happens: a live Flow that publish: false would otherwise refuse new JSON for, or a DEPRECATED one.
 * Elsewhere an unchanged asset is taken as the Flow's JSON and a changed one is pushed, so that the normal paths
 * make no extra read.
 *
 * A rollback never fails on a rule that protects the live Flow, nor on Meta refusing what it needs: it leaves the
 * Flow as it is, logs what differs, and reports the Flow's real status; the next deploy converges (rule 7).
 */
export async function convergeFlow(api: FlowApi, input: ConvergeInput): Promise<FlowHandlerResponse> {
  const { flowId, desired, observed } = input;
  const wabaId = desired.wabaId;
  const live = LIVE_STATUSES.includes(observed.status);

  let declared: Uint8Array | undefined;
  /** The Flow's own JSON, when it was read: what a live Flow goes back to if new JSON fails. */
  let current: Uint8Array | undefined;
  let json: JsonComparison = 'none-declared';
  if (desired.json) {
    json = input.jsonSourceChanged ? 'different' : 'same';
    if (input.jsonSourceChanged && ((live && !desired.publish) || observed.status === 'DEPRECATED')) {
      declared = await api.readJson(desired.json);
      current = await api.currentJson(wabaId, flowId);
      json = sameBytes(current, declared) ? 'same' : 'different';
      if (json === 'same') api.log(`Flow ${flowId} already holds the declared Flow JSON`);
    }
  }

  let rollback = false;
  let plan = planFlow({ flowId, desired, previous: input.previous, observed, json, rollback });
  if (plan.blocked && await input.rollingBack()) {
    rollback = true;
    plan = planFlow({ flowId, desired, previous: input.previous, observed, json, rollback });
  }
  if (plan.blocked) {
    if (!rollback) throw new FlowFailure(plan.blocked);
    return leaveAsIs(api, input, plan, 'a deprecated Flow cannot change');
  }
  if (rollback && plan.steps.length) {
    api.log(`Flow ${flowId} is ${observed.status} and the stack is rolling back: its previous Flow JSON is published again`);
  }

  let status = observed.status;
  let pushing = false;
  try {
    for (const step of plan.steps) {
      if (step.call === 'UpdateWhatsAppFlow') {
        await api.updateMetadata(wabaId, flowId, step.changes);
      } else if (step.call === 'UpdateWhatsAppFlowAssets') {
        // What a failed push restores when no asset of the previous properties can: the Flow's own JSON, read now.
        if (live && !current && !input.previous?.json) current = await api.currentJson(wabaId, flowId);
        pushing = true;
        declared ??= await api.readJson(desired.json!);
        const validationErrors = await api.pushJson(wabaId, flowId, declared);
        if (validationErrors.length) throw rejectedFlowJson(desired.flowName, validationErrors);
        api.log(`updated Flow JSON of Flow ${flowId}`);
        if (status === 'PUBLISHED') {
          status = 'DRAFT';
          api.log(`Flow ${flowId}: PUBLISHED -> DRAFT (new Flow JSON)`);
        } else if (status !== 'DRAFT') {
          // Meta decides what new JSON does to a BLOCKED or THROTTLED Flow: ask rather than guess.
          status = (await api.describe(wabaId, flowId, false)).status;
        }
      } else {
        status = await publishStep(api, wabaId, flowId, status, step);
      }
    }
  } catch (error) {
    if (live && pushing) await restoreLive(api, wabaId, flowId, current ?? input.previous?.json);
    if (error instanceof RetryBudgetExhausted || !(rollback || await input.rollingBack().catch(() => false))) throw error;
    return leaveAsIs(api, input, plan, `${errorName(error)} on the way`);
  }
  if (!desired.publish && status === 'PUBLISHED') api.log(`Flow ${flowId} stays PUBLISHED: publishing cannot be undone`);
  return flowResponse(flowId, status, observed.previewUrl);
}

/**
 * Publishes a Flow that is DRAFT by now. A Flow that Meta holds (BLOCKED, THROTTLED) fails a required step;
 * otherwise its status is only reported.
 */
async function publishStep(api: FlowApi, wabaId: string, flowId: string, status: string, step: FlowStep & { call: 'PublishWhatsAppFlow' }): Promise<string> {
  if (status === 'PUBLISHED') return status;
  if (status === 'DRAFT') {
    await api.publish(wabaId, flowId);
    api.log(`Flow ${flowId}: DRAFT -> PUBLISHED`);
    return 'PUBLISHED';
  }
  if (!step.required) {
    api.log(`Flow ${flowId} is ${status}: not published`);
    return status;
  }
  throw new FlowFailure(`Flow ${flowId} is ${status}, so publish: true cannot be carried out: Meta sets BLOCKED or THROTTLED `
    + 'when the Flow or its endpoint is unhealthy. See the Flow\'s health in WhatsApp Manager, fix the cause, and deploy again.');
}

/**
 * A rollback that cannot close the gap succeeds and leaves the Flow as it is: it logs what differs (names of
 * fields, never the Flow JSON) and answers with the status Meta reports.
 */
async function leaveAsIs(api: FlowApi, input: ConvergeInput, plan: Plan<FlowStep>, why: string): Promise<FlowHandlerResponse> {
  const { flowId, desired, observed } = input;
  const now = await api.describe(desired.wabaId, flowId, false, true).catch(() => undefined);
  const status = now?.status ?? observed.status;
  api.log(`rollback: Flow ${flowId} is left as it is (${why}); it is ${status} and differs from the restored properties in `
    + `${plan.differences.join(', ') || 'nothing known'}. The next deploy converges it.`);
  return flowResponse(flowId, status, observed.previewUrl);
}
