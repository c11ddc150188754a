import * as fs from 'fs';
import { DOC_PATH, renderGeneratedSection, replaceGeneratedSection } from '../../scripts/rules-doc';

test('the README lists the current rules (run scripts/rules-doc.ts to update)', () => {
  const doc = fs.readFileSync(DOC_PATH, 'utf8');
  expect(replaceGeneratedSection(doc, renderGeneratedSection())).toBe(doc);
});
