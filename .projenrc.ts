import { awscdk, javascript } from 'projen';

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-whatsapp-flows',
  description: 'WhatsApp Flows as infrastructure as code: an AWS CDK construct that creates, updates, publishes and retires a Flow through AWS End User Messaging Social.',
  keywords: ['cdk', 'aws-cdk', 'awscdk', 'whatsapp', 'whatsapp-flows', 'social-messaging', 'end-user-messaging'],
  author: 'cdk-whatsapp-flows maintainers',
  authorAddress: 'maintainers@cdk-whatsapp-flows.dev',
  repositoryUrl: 'https://github.com/cdk-whatsapp-flows/cdk-whatsapp-flows.git',
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  tsconfigDevFile: 'tsconfig.dev.json',
  tsconfigDev: {
    include: ['.projenrc.ts'],
    // The examples import the package by name, as users do; in this repository the name is its sources. Node resolves
    // it through scripts/local-package.js (the cdk CLI's app command) and jest through moduleNameMapper.
    // Paths are relative to the tsconfig file (TypeScript 6 deprecates baseUrl).
    compilerOptions: { paths: { 'cdk-whatsapp-flows': ['./src/index.ts'] } },
  },

  // 2.245.0: the newest aws-cdk-lib that @aws-cdk/integ-tests-alpha is published for (the two are pinned
  // together), and well past what the construct needs (nodejs22.x runtime, Provider log groups,
  // CustomResource serviceTimeout).
  cdkVersion: '2.245.0',
  jsiiVersion: '~6.0.0',
  // Before 1.0 the public API may still change in a minor release (see the README's "Stability"); 1.0 makes it stable.
  stability: 'experimental',
  minNodeVersion: '20.0.0',

  devDeps: [
    '@aws-sdk/client-socialmessaging@^3.1069.0',
    '@aws-sdk/client-s3@^3.1069.0',
    // The command builder the SDK's own commands use (src/provider/social-messaging-extension.ts).
    '@smithy/core@^3.24.6',
    // Bundled into the endpoint and events functions.
    '@aws-sdk/client-cloudformation@^3.1069.0',
    '@aws-sdk/client-eventbridge@^3.1069.0',
    '@aws-sdk/client-kms@^3.1069.0',
    '@aws-sdk/client-lambda@^3.1069.0',
    '@aws-sdk/client-secrets-manager@^3.1069.0',
    '@types/aws-lambda',
    'aws-sdk-client-mock@^4',
    'esbuild',
    'aws-cdk@^2.1148.1',
    'cdk-nag@^2.35.0',
    // Pinned with aws-cdk-lib: the alpha is published for exactly one aws-cdk-lib version.
    '@aws-cdk/integ-tests-alpha@2.245.0-alpha.0',
    '@aws-cdk/integ-runner',
  ],
  gitignore: ['/cdk.out/', 'cdk.out/'],

  // One dev tsconfig covers src, tests, examples and benchmarks, so eslint uses it instead of per-folder configs.
  eslintOptions: {
    dirs: ['src'],
    devdirs: ['test', 'examples', 'benchmark', 'scripts', 'projenrc'],
    tsconfigPath: './tsconfig.dev.json',
    projectService: false,
  },

  lambdaOptions: {
    runtime: awscdk.LambdaRuntime.NODEJS_22_X,
    // The Lambda runtime's built-in SDK predates the Flow APIs: bundle ours.
    bundlingOptions: { externals: [], sourcemap: false },
  },

  // The command-line Flow JSON validator.
  bin: { 'whatsapp-flow': 'lib/cli/main.js' },

  jestOptions: {
    jestConfig: {
      collectCoverageFrom: ['src/**/*.ts', '!src/**/*-function.ts', '!src/index.ts'],
      coverageThreshold: { lines: 90 },
      // The packaging tests read dist/ and run after `package` (task test:packages).
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/packaging/'],
      // A green run is quiet: a test's console output is printed only when it fails (test/support/quiet-environment.ts).
      testEnvironment: '<rootDir>/test/support/quiet-environment.ts',
      // The examples import the package by name (see tsconfigDev's paths).
      moduleNameMapper: { '^cdk-whatsapp-flows$': '<rootDir>/src' },
    },
  },

  // The Python package is built with Debian's setuptools and wheel (see scripts/package-python.sh).
  workflowBootstrapSteps: [{
    name: 'Install Python packaging tools',
    run: 'sudo apt-get update && sudo apt-get install -y --no-install-recommends python3-pip python3-setuptools python3-wheel',
  }],

  publishToPypi: {
    distName: 'cdk-whatsapp-flows',
    module: 'cdk_whatsapp_flows',
  },
});

// Code that runs in Lambda bundles its SDK clients, so they are devDependencies of the library: the shared
// handler plumbing, each capability's lifecycle (`*-lifecycle.ts` and the files of its `lifecycle/` folder) and
// function code (`runtime/`, `*.lambda.ts`).
project.eslint?.addOverride({
  files: ['src/provider/**/*.ts', 'src/**/*-lifecycle.ts', 'src/**/lifecycle/**/*.ts', 'src/**/runtime/**/*.ts', 'src/**/*.lambda.ts',
    'src/events/parse.ts', 'src/events/publish.ts', 'src/events/media.ts'],
  rules: { 'import/no-extraneous-dependencies': ['error', { devDependencies: true, optionalDependencies: false, peerDependencies: true }] },
});

// A small handler loads fast: minify, and prefer the SDK's ES modules so that esbuild can tree-shake them.
function minifyBundle(entry: string): void {
  const name = entry.replace(/^src\//, '').replace(/\.ts$/, '');
  project.tasks.tryFind(`bundle:${name}`)!.reset(['esbuild --bundle', entry, '--target=node22 --platform=node',
    `--outfile=assets/${name}/index.js --tsconfig=tsconfig.dev.json`,
    '--minify --main-fields=module,main --legal-comments=none'].join(' '));
}
minifyBundle('src/provider/on-event.lambda.ts');
minifyBundle('src/events/flow-events.lambda.ts');
minifyBundle('src/endpoint/runtime/endpoint.lambda.ts');
// The endpoint's S3 client (media, issue 20) is a second file of its asset, loaded on the first request with media:
// an endpoint without media does not parse it at cold start.
project.tasks.tryFind('bundle:endpoint/runtime/endpoint.lambda')!.exec(['esbuild --bundle src/endpoint/runtime/media-s3.ts',
  '--target=node22 --platform=node --outfile=assets/endpoint/runtime/endpoint.lambda/media-s3.js --tsconfig=tsconfig.dev.json',
  '--minify --main-fields=module,main --legal-comments=none --log-level=warning'].join(' '));

// Tests synthesize stacks that point at the handler asset, so it is built first.
project.testTask.prependSpawn(project.tasks.tryFind('bundle')!);

project.addTask('docs:rules', {
  description: 'Regenerates the README\'s rule tables from the validator\'s rule data',
  exec: 'ts-node --project tsconfig.dev.json scripts/rules-doc.ts',
});

const integSnapshot = project.addTask('integ:snapshot', {
  description: 'Checks the integration test snapshot (test/integ.*.ts) against a fresh synth; never deploys',
  exec: 'bash scripts/integ-snapshot.sh',
});
project.testTask.spawn(integSnapshot);
project.addTask('integ:update', {
  description: 'Rewrites the integration test snapshot after a change to the library',
  exec: 'bash scripts/integ-snapshot.sh update',
});

project.addTask('benchmark', {
  description: 'Prints performance figures: synth time and template size, handler size and load time, Flow API calls per operation, Flow JSON validation time, the Flow endpoint\'s added latency and its answer guard\'s cost, and 100 Flows against Meta\'s rate limit',
  steps: [
    { spawn: 'bundle' },
    { exec: 'ts-node --project tsconfig.dev.json benchmark/performance.ts' },
    { exec: 'ts-node --project tsconfig.dev.json benchmark/validate.ts' },
    { exec: 'ts-node --project tsconfig.dev.json benchmark/flow-events.ts' },
    { exec: 'ts-node --project tsconfig.dev.json benchmark/flow-endpoint.ts' },
    { exec: 'ts-node --project tsconfig.dev.json benchmark/answer-guard.ts' },
    { exec: 'ts-node --project tsconfig.dev.json benchmark/rate-limit.ts' },
  ],
});

project.addTask('example', {
  description: 'Synthesizes the example app in examples/typescript with the cdk CLI and prints where the template went',
  steps: [{ spawn: 'bundle' }, { exec: 'bash scripts/synth-example.sh' }],
});

// npm tarball: an allowlist, so that nothing new in the repository (benchmarks, examples, cdk.out, scripts)
// can leak into the package. Only the compiled library, the jsii assembly and the bundled handler ship;
// npm adds package.json, README.md and LICENSE itself.
project.package.addField('files', [
  'lib/**/*.js',
  'lib/**/*.d.ts',
  '.jsii',
  '.jsii.gz',
  'assets/**/index.js',
  'assets/endpoint/runtime/endpoint.lambda/media-s3.js',
  'API.md',
]);

// CI fails when the committed API.md is not what jsii-docgen generates.
project.postCompileTask.exec('bash scripts/check-api-md.sh');

// Python: jsii-pacmak's own build fetches setuptools/build/twine from the package index. The script generates
// the sources with jsii-pacmak and builds the wheel and sdist with the system Python, offline.
project.tasks.tryFind('package:python')!.reset('bash scripts/package-python.sh');

// Packaging tests read dist/ and so run after packaging; the default jest run ignores them.
const testPackages = project.addTask('test:packages', {
  description: 'Checks the contents of the npm tarball and the Python wheel and sdist in dist/',
  exec: 'jest --coverage=false test/packaging --testPathIgnorePatterns=/node_modules/',
});

// Every build packages both targets and checks what they hold.
project.packageTask.reset();
project.packageTask.spawn(project.tasks.tryFind('package:js')!);
project.packageTask.spawn(project.tasks.tryFind('package:python')!);
project.packageTask.spawn(testPackages);

project.synth();
