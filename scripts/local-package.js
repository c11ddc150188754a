// Preloaded by the example app's command (examples/typescript/cdk.json): `import … from 'cdk-whatsapp-flows'`
// resolves to this repository's sources, as the installed package would for a user. Type checking gets the same
// mapping from tsconfig.dev.json's paths, jest from its moduleNameMapper.
const Module = require('module');
const path = require('path');

const PACKAGE = 'cdk-whatsapp-flows';
const SOURCES = path.join(__dirname, '..', 'src', 'index.ts');
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return resolveFilename.call(this, request === PACKAGE ? SOURCES : request, ...rest);
};
