/**
 * A WhatsApp Business Account is named either by its id (`waba-0123…`) or by its ARN
 * (`arn:<partition>:social-messaging:<region>:<account>:waba/0123…`, the id without its `waba-` prefix).
 */
const WABA_ID = /^waba-[0-9A-Za-z]+$/;
const WABA_ARN = /^arn:[^:]+:social-messaging:[^:]*:[^:]*:waba\/([0-9A-Za-z]+)$/;

/** True for `waba-…` ids and WABA ARNs. */
export function isWabaIdOrArn(value: string): boolean {
  return WABA_ID.test(value) || WABA_ARN.test(value);
}

/** True when the value is an ARN rather than an id. */
export function isWabaArn(value: string): boolean {
  return WABA_ARN.test(value);
}

/** The `waba-…` id the Flow APIs take, from an id or an ARN. */
export function wabaIdOf(idOrArn: string): string {
  const arn = WABA_ARN.exec(idOrArn);
  return arn ? `waba-${arn[1]}` : idOrArn;
}
