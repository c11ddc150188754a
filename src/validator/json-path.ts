/** Appends an object key to a JSONPath, in bracket notation when the key is not a plain identifier. */
export function keyPath(path: string, key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}['${key.replace(/'/g, "\\'")}']`;
}

/** Appends an array index to a JSONPath. */
export function indexPath(path: string, index: number): string {
  return `${path}[${index}]`;
}
