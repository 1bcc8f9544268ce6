/**
 * `npm run plan [-- --stack NAME] [-- --json | --mermaid]`: runs the real program under Pulumi mocks with the config of
 * `Pulumi.<stack>.yaml` and prints what it would create. No cloud access, no credentials, no Pulumi CLI.
 */
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../lib/config";
import * as fs from "fs";
import * as path from "path";
import { buildPlan, readmeDiagramBlock, README_DIAGRAM_END, README_DIAGRAM_START, renderMermaid, renderTree, SECRET_MASK, type Plan } from "./plan-model";
import { record, valueOf } from "./recorder";
import { readStackConfig, REPO_ROOT } from "./stack-config";

export interface PlanOptions {
  readonly stack: string;
}

/** Records the program for a stack and returns its plan; throws {@link ConfigError} for a bad config. */
export async function planStack(options: PlanOptions): Promise<Plan> {
  const stackConfig = readStackConfig(options.stack);
  const { monitor, result } = await record(() => require("../index") as Record<string, unknown>, stackConfig);
  const outputs: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(result)) {
    if (!pulumi.Output.isInstance(value)) continue;
    outputs[name] = (await pulumi.isSecret(value)) ? SECRET_MASK : await valueOf(value);
  }
  return buildPlan(stackConfig.project, stackConfig.stack, [...monitor.recorded.values()], outputs);
}

type Format = "tree" | "json" | "mermaid";

interface Args {
  readonly stack: string;
  readonly format: Format;
  /** Rewrite the README's generated diagram instead of printing. */
  readonly updateReadme: boolean;
}

const USAGE = "Usage: npm run plan [-- --stack NAME] [-- --json | --mermaid [--update-readme]]";

function parseArgs(argv: readonly string[]): Args {
  let stack = "dev";
  let format: Format = "tree";
  let updateReadme = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--json") format = "json";
    else if (arg === "--mermaid") format = "mermaid";
    else if (arg === "--update-readme") updateReadme = true;
    else if (arg === "--stack") stack = argv[++i] ?? "";
    else if (arg.startsWith("--stack=")) stack = arg.slice("--stack=".length);
    else throw new Error(`Unknown argument ${arg}. ${USAGE}`);
  }
  if (!stack) throw new Error(`--stack needs a name, e.g. --stack dev. ${USAGE}`);
  if (updateReadme && format !== "mermaid") throw new Error(`--update-readme goes with --mermaid. ${USAGE}`);
  return { stack, format, updateReadme };
}

/** Replaces the README's generated diagram with the one of this plan. */
function updateReadme(plan: Plan): void {
  const file = path.join(REPO_ROOT, "README.md");
  const readme = fs.readFileSync(file, "utf8");
  const start = readme.indexOf(README_DIAGRAM_START);
  const end = readme.indexOf(README_DIAGRAM_END);
  if (start < 0 || end < start) throw new Error(`README.md has no generated diagram markers (${README_DIAGRAM_START})`);
  fs.writeFileSync(file, readme.slice(0, start) + readmeDiagramBlock(plan) + readme.slice(end + README_DIAGRAM_END.length));
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const plan = await planStack(args);
  if (args.updateReadme) return updateReadme(plan);
  const render = { tree: renderTree, json: (p: Plan) => JSON.stringify(p, null, 2), mermaid: renderMermaid }[args.format];
  process.stdout.write(`${render(plan)}\n`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    // The program's own ConfigError can arrive wrapped by the Pulumi runtime; show the config problem itself.
    const message = err instanceof ConfigError || err instanceof Error ? err.message : String(err);
    process.stderr.write(`${message}\n`);
    process.exit(1);
  });
}
