// Proves the bundle is a reproducible CommonJS file that exports `handler`, for a small fixture entry and for the real
// handler. Does not prove the handler's behaviour (tests/lambda/ does) nor that the Lambda runtime loads it.
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as vm from "vm";

import { bundleJiraHandler, JIRA_HANDLER_ENTRY, writeJiraHandlerBundle } from "../../lib/lambda-bundle";

/** Runs a CommonJS bundle the way Node's loader would and returns its exports. */
function load(code: string): Record<string, unknown> {
  const module = { exports: {} as Record<string, unknown> };
  vm.runInThisContext(`(function (exports, require, module, __filename, __dirname) {${code}\n})`)(
    module.exports,
    require,
    module,
    "/var/task/index.js",
    "/var/task",
  );
  return module.exports;
}

describe("bundleJiraHandler", () => {
  let dir: string;
  let entry: string;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "lambda-bundle-"));
    fs.writeFileSync(path.join(dir, "greeting.ts"), "/*! @license keep-me */\nexport const greet = (who: string): string => `hello ${who}`;\n");
    fs.writeFileSync(
      path.join(dir, "index.ts"),
      'import { createHash } from "crypto";\nimport { greet } from "./greeting";\n' +
        "export const handler = async (event: { who: string }) => ({ text: greet(event.who), sum: createHash(\"sha256\").update(event.who).digest(\"hex\") });\n",
    );
    entry = path.join(dir, "index.ts");
  });

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("produces the same bytes and hash for the same source", () => {
    const first = bundleJiraHandler(entry);
    const second = bundleJiraHandler(entry);

    expect(second).toEqual(first);
    expect(first.sha256).toBe(crypto.createHash("sha256").update(first.code).digest("hex"));
  });

  it("emits minified CommonJS without source maps or legal comments, with its imports inlined", async () => {
    const { code } = bundleJiraHandler(entry);
    const handler = load(code).handler as (e: { who: string }) => Promise<unknown>;

    expect(code).not.toContain("sourceMappingURL");
    expect(code).not.toContain("keep-me");
    expect(code).not.toMatch(/\brequire\("\.\/greeting"\)/);
    expect(code.split("\n").length).toBeLessThanOrEqual(2);
    expect(await handler({ who: "ops" })).toEqual({
      text: "hello ops",
      sum: crypto.createHash("sha256").update("ops").digest("hex"),
    });
  });

  it("changes the hash when the source changes", () => {
    const before = bundleJiraHandler(entry).sha256;
    const other = path.join(dir, "other.ts");
    fs.writeFileSync(other, "export const handler = async () => 'other';\n");

    expect(bundleJiraHandler(other).sha256).not.toBe(before);
  });

  it("fails loudly when the entry does not exist", () => {
    expect(() => bundleJiraHandler(path.join(dir, "missing.ts"))).toThrow(/Could not resolve/);
  });

  it("bundles the real handler entry into a module that exports handler", () => {
    const { code, sha256 } = bundleJiraHandler();

    expect(JIRA_HANDLER_ENTRY).toBe(path.resolve(__dirname, "../../lambda_functions/jira-handler/index.ts"));
    expect(typeof load(code).handler).toBe("function");
    expect(bundleJiraHandler().sha256).toBe(sha256);
  });
});

describe("writeJiraHandlerBundle", () => {
  it("writes index.js into the output directory with exactly the bundled bytes", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lambda-out-"));
    const entry = path.join(dir, "entry.ts");
    fs.writeFileSync(entry, "export const handler = async () => 42;\n");
    try {
      const written = writeJiraHandlerBundle(path.join(dir, "dist", "fn"), entry);

      expect(written.file).toBe(path.join(dir, "dist", "fn", "index.js"));
      expect(fs.readFileSync(written.file, "utf8")).toBe(written.code);
      expect(written).toEqual({ ...bundleJiraHandler(entry), file: written.file });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
