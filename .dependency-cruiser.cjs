// Who may import whom, as a check: the rules of docs/architecture.md#who-may-import-whom.
// `pnpm lint` runs it after the packages are built (imports of a workspace package resolve to its dist).
'use strict';

const fs = require('node:fs');
const path = require('node:path');

/** The workspace's packages, read from their package.json files so a new one is covered. */
function workspacePackages() {
  const found = [];
  for (const group of ['packages', 'apps', 'test']) {
    for (const dir of fs.readdirSync(path.join(__dirname, group))) {
      const manifest = path.join(__dirname, group, dir, 'package.json');
      if (!fs.existsSync(manifest)) continue;
      const pkg = JSON.parse(fs.readFileSync(manifest, 'utf8'));
      found.push({ dir: `${group}/${dir}`, name: pkg.name, exports: pkg.exports ?? {} });
    }
  }
  return found;
}

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const packages = workspacePackages();
const byDir = (dir) => {
  const found = packages.find((p) => p.dir === dir);
  if (!found) throw new Error(`.dependency-cruiser.cjs: no workspace package in ${dir}`);
  return found;
};

/**
 * A package as an import target: its folder (what an import resolves to) or its name (what an
 * import that cannot be resolved, e.g. of a package one does not depend on, stays as).
 */
const target = (...dirs) => dirs.flatMap((dir) => [`^${escape(dir)}/`, `^${escape(byDir(dir).name)}(/|$)`]);

/** The files an `exports` map points at (e.g. `packages/protocol/dist/index.js`): the public entries. */
function entryFiles(pkg) {
  const files = [];
  const walk = (value) => {
    if (typeof value === 'string') files.push(path.posix.join(pkg.dir, value));
    else if (value && typeof value === 'object') Object.values(value).forEach(walk);
  };
  walk(pkg.exports);
  return files;
}

const ours = packages.flatMap((p) => target(p.dir));
const apps = packages.filter((p) => p.dir.startsWith('apps/')).flatMap((p) => target(p.dir));
const publicEntries = packages.flatMap(entryFiles).map((file) => `^${escape(file)}$`);
const specs = '\\.(spec|test)\\.ts$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'bridge-not-to-worker',
      comment: 'The bridge and the worker never import each other: Redis is all that is between them.',
      severity: 'error',
      from: { path: '^packages/bridge/' },
      to: { path: target('packages/worker') },
    },
    {
      name: 'worker-not-to-bridge',
      comment: 'The bridge and the worker never import each other: Redis is all that is between them.',
      severity: 'error',
      from: { path: '^packages/worker/' },
      to: { path: target('packages/bridge') },
    },
    {
      name: 'package-not-to-app',
      comment: 'A package never imports an app (apps/*): apps are built from packages, not the other way.',
      severity: 'error',
      from: { path: '^packages/' },
      to: { path: apps },
    },
    {
      name: 'emulator-not-to-ours',
      comment:
        'The emulator stands in for AWS and must not know who calls it: its source imports nothing of ' +
        'ours, its tests only the test helpers.',
      severity: 'error',
      from: { path: '^packages/emulator/' },
      to: {
        path: ours,
        pathNot: [...target('packages/emulator'), ...target('test/support')],
      },
    },
    {
      name: 'library-source-only-to-protocol',
      comment:
        'A library (packages/*/src, specs aside) imports of ours only @sfn-bullmq/protocol, the contract ' +
        'both sides of Redis share, and protocol itself nothing: test helpers and the emulator are for tests.',
      severity: 'error',
      from: { path: '^packages/([^/]+)/src/', pathNot: specs },
      to: { path: ours, pathNot: ['^packages/$1/', ...target('packages/protocol')] },
    },
    {
      name: 'example-worker-source-only-to-worker',
      comment:
        'The example worker is what users copy: its source imports of ours only @sfn-bullmq/worker, ' +
        'the package they install.',
      severity: 'error',
      from: { path: '^apps/example-worker/src/', pathNot: specs },
      to: { path: ours, pathNot: ['^apps/example-worker/', ...target('packages/worker')] },
    },
    {
      name: 'not-into-another-package-by-path',
      comment:
        "A relative import into another workspace package's folder (its src/ or dist/): import it by " +
        'its package name, through its exports map.',
      severity: 'error',
      from: { path: '^(packages|apps|test)/([^/]+)/' },
      to: { path: '^(packages|apps|test)/', pathNot: '^$1/$2/', dependencyTypes: ['local'] },
    },
    {
      name: 'only-public-entry-points',
      comment:
        'An import of another workspace package must land on a file its exports map names, never on ' +
        'its src/ or on some other file of its dist/.',
      severity: 'error',
      from: { path: '^(packages|apps|test)/([^/]+)/' },
      to: { path: '^(packages|apps|test)/[^/]+/', pathNot: ['^$1/$2/', ...publicEntries] },
    },
    {
      name: 'no-deep-package-import',
      comment:
        "A subpath import into another workspace package's src/ or dist/ (e.g. @sfn-bullmq/protocol/src/x.js).",
      severity: 'error',
      from: {},
      to: { path: '^(@sfn-bullmq/[^/]+|sfn-bullmq)/(src|dist)(/|$)' },
    },
    {
      name: 'no-circular',
      comment: 'A cycle of imports: the modules in it can only be understood, tested and changed together.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      comment:
        'An import that resolves to nothing: a missing file, or a package that is not in this ' +
        "package's dependencies.",
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    // Sources only: dist/ holds what tsc made of them, node_modules what others wrote.
    exclude: { path: ['(^|/)node_modules/', '(^|/)\\.turbo/', '^apps/bench/results/'] },
    doNotFollow: { path: ['(^|/)node_modules/', '(^|/)dist/'] },
    // Type-only imports couple packages too.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.base.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['types', 'import', 'require', 'node', 'default'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
