/**
 * Bundles the JIRA Lambda into one CommonJS file. The Pulumi program calls it at run time (so a deployment always
 * ships the code it was run with) and `npm run build` writes the same bytes to disk.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { buildSync } from "esbuild";

const REPO_ROOT = path.join(__dirname, "..");

/** The handler's entry module; it exports `handler` (DESIGN.md, "The JIRA Lambda"). */
export const JIRA_HANDLER_ENTRY = path.join(REPO_ROOT, "lambda_functions", "jira-handler", "index.ts");

/** Replaces axios's multipart dependency, which the handler never uses (see the shim's comment). */
const FORM_DATA_SHIM = path.join(REPO_ROOT, "lambda_functions", "jira-handler", "form-data-shim.ts");

/** Where `npm run build` puts the bundle (DESIGN.md, "Commands"). */
export const JIRA_HANDLER_OUT_DIR = "dist/lambda/jira-handler";

/** A bundled Lambda: the single `index.js` and the sha256 (hex) of its bytes. */
export interface LambdaBundle {
  readonly code: string;
  readonly sha256: string;
}

/**
 * Bundles the handler with every dependency, the AWS SDK included, so the function runs the SDK version the tests ran
 * against rather than whatever the runtime ships. Same source, same bytes: no source maps, no legal comments, and the
 * working directory pinned to the repository root so no machine-specific path can leak into the output.
 *
 * @param entry The module to bundle. @default {@link JIRA_HANDLER_ENTRY}
 * @throws when esbuild reports an error (a missing entry, a type-only import that does not resolve, ...).
 */
export function bundleJiraHandler(entry: string = JIRA_HANDLER_ENTRY): LambdaBundle {
  const result = buildSync({
    entryPoints: [entry],
    absWorkingDir: REPO_ROOT,
    bundle: true,
    platform: "node",
    target: "node22",
    format: "cjs",
    minify: true,
    sourcemap: false,
    legalComments: "none",
    write: false,
    outfile: "index.js",
    logLevel: "silent",
    alias: { "form-data": FORM_DATA_SHIM },
    // Prefer a package's ES module build ("module") over its CommonJS one ("main"). esbuild's "node" default is
    // main-first, which pulls in the AWS SDK's dist-cjs files: one pre-joined module per package that cannot be tree
    // shaken. The dist-es builds can, which takes the zip from ~240 KB to ~210 KB and the peak RSS of 1,000
    // notifications under the 128 MB function's 100 MB budget (scripts/bench-lambda.ts). The output stays CommonJS,
    // but the SDK's ES code keeps `await import("node:http")`: Node and the Lambda runtime run that, jest's module VM
    // does not (without --experimental-vm-modules), which is why tests/lambda/bundle.test.ts runs the bundle in a
    // child Node process.
    mainFields: ["module", "main"],
  });
  if (result.outputFiles.length !== 1) {
    throw new Error(`esbuild produced ${result.outputFiles.length} files for ${entry}; expected exactly index.js`);
  }
  const code = result.outputFiles[0].text;
  return { code, sha256: crypto.createHash("sha256").update(code).digest("hex") };
}

/** What {@link writeJiraHandlerBundle} wrote. */
export interface WrittenBundle extends LambdaBundle {
  /** Absolute path of the written `index.js`. */
  readonly file: string;
}

/**
 * Writes the bundle as `<outDir>/index.js` (the `npm run build` contract: CommonJS exporting `handler`).
 *
 * @param outDir Output directory; a relative path is taken from the repository root. @default "dist/lambda/jira-handler"
 * @param entry The module to bundle. @default {@link JIRA_HANDLER_ENTRY}
 */
export function writeJiraHandlerBundle(outDir: string = JIRA_HANDLER_OUT_DIR, entry: string = JIRA_HANDLER_ENTRY): WrittenBundle {
  const bundle = bundleJiraHandler(entry);
  const dir = path.resolve(REPO_ROOT, outDir);
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, "index.js");
  fs.writeFileSync(file, bundle.code);
  return { ...bundle, file };
}
