/**
 * `npm run plan [-- --stack NAME] [-- --json]`: runs the real program under Pulumi mocks with the config of
 * `Pulumi.<stack>.yaml` and prints what it would create. No cloud access, no credentials, no Pulumi CLI.
 */
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../lib/config";
import { buildPlan, renderTree, SECRET_MASK, type Plan } from "./plan-model";
import { record, valueOf } from "./recorder";
import { readStackConfig } from "./stack-config";

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

function parseArgs(argv: readonly string[]): { stack: string; json: boolean } {
  let stack = "dev";
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--json") json = true;
    else if (arg === "--stack") stack = argv[++i] ?? "";
    else if (arg.startsWith("--stack=")) stack = arg.slice("--stack=".length);
    else throw new Error(`Unknown argument ${arg}. Usage: npm run plan [-- --stack NAME] [-- --json]`);
  }
  if (!stack) throw new Error("--stack needs a name, e.g. --stack dev");
  return { stack, json };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const plan = await planStack(args);
  process.stdout.write(args.json ? `${JSON.stringify(plan, null, 2)}\n` : `${renderTree(plan)}\n`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    // The program's own ConfigError can arrive wrapped by the Pulumi runtime; show the config problem itself.
    const message = err instanceof ConfigError || err instanceof Error ? err.message : String(err);
    process.stderr.write(`${message}\n`);
    process.exit(1);
  });
}
