/**
 * Regenerates the rule, version and component tables in the README from the validator's data.
 *
 *   npx ts-node --project tsconfig.dev.json scripts/rules-doc.ts
 *
 * test/validator/docs.test.ts fails when the file is out of date.
 */
import * as fs from 'fs';
import * as path from 'path';
import { COMPONENTS } from '../src/validator/components';
import { RULES } from '../src/validator/rules';
import { PUBLISHABLE_VERSIONS } from '../src/validator/versions';

export const DOC_PATH = path.join(__dirname, '..', 'README.md');
export const START_MARKER = '<!-- generated:start (scripts/rules-doc.ts) -->';
export const END_MARKER = '<!-- generated:end -->';

export function renderGeneratedSection(): string {
  const lines: string[] = [];
  lines.push('#### Rules', '', '| Code | Severity | Family | Rule | Source |', '| --- | --- | --- | --- | --- |');
  for (const [code, rule] of Object.entries(RULES)) {
    lines.push(`| \`${code}\` | ${rule.severity} | ${rule.family} | ${escapeCell(rule.summary)} | ${escapeCell(rule.source)} |`);
  }

  lines.push('', '#### Versions', '', '| Version | Note |', '| --- | --- |');
  for (const version of PUBLISHABLE_VERSIONS) lines.push(`| ${version.version} | ${version.notice ? 'warning: older version' : 'current'} |`);

  lines.push('', '#### Components', '', '| Component | From version | Required properties | Per screen |', '| --- | --- | --- | --- |');
  for (const [type, spec] of Object.entries(COMPONENTS)) {
    const required = spec.required.map(p => `\`${p}\``).join(', ');
    lines.push(`| ${type} | ${spec.minVersion ?? 'all'} | ${required} | ${spec.perScreenMax ?? ''} |`);
  }
  return lines.join('\n');
}

export function replaceGeneratedSection(doc: string, section: string): string {
  const start = doc.indexOf(START_MARKER);
  const end = doc.indexOf(END_MARKER);
  if (start < 0 || end < start) throw new Error(`${DOC_PATH} lacks the generated-section markers`);
  return `${doc.slice(0, start + START_MARKER.length)}\n${section}\n${doc.slice(end)}`;
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

if (require.main === module) {
  const doc = fs.readFileSync(DOC_PATH, 'utf8');
  fs.writeFileSync(DOC_PATH, replaceGeneratedSection(doc, renderGeneratedSection()));
  console.log(`Updated ${path.relative(process.cwd(), DOC_PATH)}`);
}
