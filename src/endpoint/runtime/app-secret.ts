/**
 * The Meta app secret, as the endpoint reads it from Secrets Manager: the secret's plain text, or one field of a
 * JSON secret. It fails closed: a blank value, a JSON secret without the field, or a field that is not a string is
 * an AppSecretError, and nothing is verified with it.
 *
 * Reads are bounded per sandbox, whatever the traffic: a sandbox never reads the secret twice within
 * `SECRET_REREAD_MS` (5 s). Within that bound it reads
 * - when it has no value yet, or its value is `SECRET_TTL_MS` (5 min) old;
 * - after a signature failure (`reread`), so that a rotated app secret is picked up within seconds, not minutes;
 * - again after a failed read (Secrets Manager unavailable: the last good value, if any, is used meanwhile; a blank
 *   or malformed secret: nothing is, the endpoint answers 500).
 * Forged requests can therefore make a sandbox read at most once every 5 seconds: with the default reserved
 * concurrency of 20 sandboxes, at most 4 GetSecretValue a second per endpoint (Secrets Manager allows 10,000 a
 * second per account and Region; 4 a second cost about $0.07 an hour at $0.05 per 10,000 calls).
 */

/** Time a value is used before it is read again. */
export const SECRET_TTL_MS = 5 * 60_000;
/** The shortest time between two reads of the secret in one sandbox. */
export const SECRET_REREAD_MS = 5_000;

/** The secret's value cannot be used as the app secret. The message names what is wrong, never the value. */
export class AppSecretError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AppSecretError';
  }
}

/** A name from the configuration, safe to quote in a message. */
const quoted = (name: string) => JSON.stringify(name.replace(/[^A-Za-z0-9_.:/+=@-]/g, '').slice(0, 64));

/** The app secret in a secret's SecretString: the trimmed text, or the trimmed string in `field` of a JSON object. */
export function appSecretValue(secretString: string | undefined, field: string | undefined): string {
  if (secretString === undefined) throw new AppSecretError('the app secret has no SecretString');
  let value: unknown = secretString;
  if (field) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(secretString);
    } catch {
      throw new AppSecretError(`the app secret is not JSON, so it has no field ${quoted(field)}`);
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed) || !Object.prototype.hasOwnProperty.call(parsed, field)) {
      throw new AppSecretError(`the app secret has no field ${quoted(field)}`);
    }
    value = (parsed as Record<string, unknown>)[field];
    if (typeof value !== 'string') throw new AppSecretError(`the app secret's field ${quoted(field)} is not a string`);
  }
  const trimmed = (value as string).trim();
  if (trimmed === '') throw new AppSecretError(field ? `the app secret's field ${quoted(field)} is blank` : 'the app secret is blank');
  return trimmed;
}

/** The app secret of one sandbox: read lazily, kept, and read again within the bounds above. */
export class AppSecretCache {
  private value?: string;
  private problem?: Error;
  private freshUntil = -Infinity;
  private lastReadAt = -Infinity;

  /** `read` reads the secret and returns the app secret in it (appSecretValue), or throws. */
  constructor(private readonly read: () => Promise<string>, private readonly now: () => number = Date.now) {}

  /** The app secret to verify with; throws (AppSecretError, or the read's error) when there is none. */
  async current(): Promise<string> {
    if (this.value !== undefined && this.now() < this.freshUntil) return this.value;
    if (this.mayRead()) await this.load();
    if (this.value !== undefined) return this.value;
    throw this.problem ?? new AppSecretError('the app secret has not been read');
  }

  /**
   * After a signature failure: the secret read again, when it may be read now and its value changed (a rotation);
   * otherwise undefined. Never throws: a failed read is kept for `current()`.
   */
  async reread(): Promise<string | undefined> {
    if (!this.mayRead()) return undefined;
    const before = this.value;
    await this.load();
    return this.value !== undefined && this.value !== before ? this.value : undefined;
  }

  private mayRead(): boolean {
    return this.now() - this.lastReadAt >= SECRET_REREAD_MS;
  }

  private async load(): Promise<void> {
    this.lastReadAt = this.now();
    try {
      this.value = await this.read();
      this.problem = undefined;
      this.freshUntil = this.lastReadAt + SECRET_TTL_MS;
    } catch (error) {
      this.problem = error as Error;
      // A secret that holds no usable value is never verified with again; one that could not be read keeps its last value.
      if (error instanceof AppSecretError) this.value = undefined;
    }
  }
}
