// valibot (under @bull-board/api) declares an optional peer on typescript. pnpm satisfies optional
// peers from whatever the importer has, dev dependencies included, so `pnpm deploy --prod` of the
// CLI (scripts/deploy-cli.sh) would ship TypeScript (23 MB) in the production image. valibot needs
// TypeScript only for its types, never at run time: drop that peer.
module.exports = {
  hooks: {
    readPackage(pkg) {
      if (pkg.name === 'valibot' && pkg.peerDependencies) {
        delete pkg.peerDependencies.typescript;
        if (pkg.peerDependenciesMeta) delete pkg.peerDependenciesMeta.typescript;
      }
      return pkg;
    },
  },
};
