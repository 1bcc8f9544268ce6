// Lets `node -r ./scripts/register-ts.js x.ts` run the TypeScript scripts: esbuild (already a dependency, for the
// Lambda bundle) transpiles each file on require in about a millisecond, where ts-node first loads the compiler.
// Types are checked by `npm run typecheck`, not here.
const fs = require("fs");
const { transformSync } = require("esbuild");

require.extensions[".ts"] = (module, filename) => {
  const { code } = transformSync(fs.readFileSync(filename, "utf8"), {
    loader: "ts",
    format: "cjs",
    target: "node20",
    sourcefile: filename,
    sourcemap: "inline",
  });
  module._compile(code, filename);
};
