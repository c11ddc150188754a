/**
 * Flow JSON versions that AWS End User Messaging Social can publish, and what we know of their lifecycle.
 *
 * Source: the AWS user guide ("Supported versions for publishing are 5.1, 6.0–6.3, and 7.0–7.3. We recommend
 * version 7.3.") and Meta's versioning policy (versions are frozen, then expire, oldest first).
 */
export interface FlowJsonVersionInfo {
  readonly version: string;
  /** Set when a move to a newer version is advised; becomes a warning. */
  readonly notice?: string;
}

const OLDER_VERSION_NOTICE = 'Meta freezes and then expires old Flow JSON versions, oldest first (see Meta\'s "Versioning" page); '
  + 'a frozen version can no longer be published. AWS recommends version 7.3.';

export const PUBLISHABLE_VERSIONS: readonly FlowJsonVersionInfo[] = [
  { version: '5.1', notice: OLDER_VERSION_NOTICE },
  { version: '6.0', notice: OLDER_VERSION_NOTICE },
  { version: '6.1', notice: OLDER_VERSION_NOTICE },
  { version: '6.2', notice: OLDER_VERSION_NOTICE },
  { version: '6.3', notice: OLDER_VERSION_NOTICE },
  { version: '7.0' },
  { version: '7.1' },
  { version: '7.2' },
  { version: '7.3' },
];

/**
 * Flow JSON versions Meta still lets businesses send but AWS cannot publish (Meta's changelog, "Currently Supported
 * Versions": sending 2.1, 3.0, 3.1, 4.0, 5.0 and up; publishing 5.1 and up). A Flow of one of these versions fails
 * with UNSUPPORTED_VERSION, and the other rules judge it by its own version (a property that was optional then, or
 * a key that was only removed later, is not a second error): raising "version" then shows what else must change.
 */
export const OLDER_META_VERSIONS: readonly string[] = ['2.1', '3.0', '3.1', '4.0', '5.0'];

/** Features that are not components but still arrived with a given version. */
export const FEATURE_VERSIONS = {
  /** Backtick string concatenation and nested expressions in component properties. */
  expressions: '6.0',
  /** Blank strings ("", " ", "\n") in component properties became invalid. */
  nonEmptyStrings: '6.0',
  /** Flow JSON § Top level properties: `data_channel_uri` is refused from 3.0 (the endpoint is set on the Flow). */
  noDataChannelUri: '3.0',
} as const;

/** Compares two "major.minor" versions; minor parts compare as numbers (1.10 > 1.9). */
export function compareVersions(a: string, b: string): number {
  const [aMajor, aMinor] = a.split('.').map(Number);
  const [bMajor, bMinor] = b.split('.').map(Number);
  return aMajor !== bMajor ? aMajor - bMajor : aMinor - bMinor;
}

export function isAtLeast(version: string, minimum: string | undefined): boolean {
  return minimum === undefined || compareVersions(version, minimum) >= 0;
}

export function findVersion(version: unknown): FlowJsonVersionInfo | undefined {
  return PUBLISHABLE_VERSIONS.find(v => v.version === version);
}
