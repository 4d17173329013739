// pnpm hooks for this workspace (pnpm >= 10.28).
//
// beforePacking: the manifest that goes into a tarball (`pnpm pack`, `pnpm publish`, and so `changeset publish`)
// leaves out `devDependencies`. Users never install them, and here they name private workspace packages
// (`@craft/test-utils`, and other workspace packages used only by tests) that do not exist on the registry. The
// pack-and-install test (tooling/packaging) checks every tarball's manifest for private names.
module.exports = {
  hooks: {
    beforePacking(manifest) {
      const { devDependencies: _unused, ...published } = manifest;
      return published;
    },
  },
};
