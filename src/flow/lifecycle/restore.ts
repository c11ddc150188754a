import { errorName, FlowApi } from './api';
import { JsonSource } from './desired';

/**
 * Puts a live Flow back on the air after a failed change of its JSON (rule 13): the JSON it had, published again.
 * `previous` is that JSON, or the asset that holds it. Never throws: the failure that led here is the one to report.
 */
export async function restoreLive(api: FlowApi, wabaId: string, flowId: string, previous: Uint8Array | JsonSource | undefined): Promise<void> {
  try {
    const status = (await api.describe(wabaId, flowId, false, true)).status;
    if (status !== 'DRAFT') return;
    const flowJson = previous instanceof Uint8Array ? previous : previous ? await api.readJson(previous) : undefined;
    if (!flowJson) {
      api.log(`Flow ${flowId} is DRAFT and there is no previous Flow JSON to restore`);
      return;
    }
    const validationErrors = await api.pushJson(wabaId, flowId, flowJson, true);
    if (validationErrors.length) {
      api.log(`Flow ${flowId}: Meta refused the previous Flow JSON too; it stays DRAFT`);
      return;
    }
    await api.publish(wabaId, flowId, true);
    api.log(`Flow ${flowId}: previous Flow JSON restored and published again`);
  } catch (restoreError) {
    api.log(`Flow ${flowId}: could not restore the previous Flow JSON (${errorName(restoreError)}); it may be DRAFT`);
  }
}
