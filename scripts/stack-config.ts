/** Reads `Pulumi.<stack>.yaml` into the flat string config the Pulumi engine would hand the program. */
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";

export const REPO_ROOT = path.join(__dirname, "..");

export interface StackConfig {
  readonly project: string;
  readonly stack: string;
  readonly region: string;
  /** Full keys to engine-style strings (lists and maps JSON-encoded). */
  readonly config: Record<string, string>;
  /** Keys whose value is a secret. */
  readonly secretKeys: string[];
  /** Secret keys stored encrypted (`secure:`), which cannot be decrypted without the Pulumi CLI. */
  readonly encryptedKeys: string[];
}

/**
 * A `secure:` value cannot be decrypted offline. The plan stands in a well-formed credential so validation passes,
 * and masks it like every secret: the stand-in is never printed.
 */
const OFFLINE_SECRET_STAND_INS: Record<string, (config: Record<string, string>) => string> = {
  "monitoring-hub:jiraCredentials": (config) =>
    config["monitoring-hub:jiraApi"] === "datacenter"
      ? JSON.stringify({ personalAccessToken: "offline-plan" })
      : JSON.stringify({ email: "offline-plan@example.com", apiToken: "offline-plan" }),
};

export function readStackConfig(stack: string, root = REPO_ROOT): StackConfig {
  const project = (parse(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8")) as { name: string }).name;
  const file = path.join(root, `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(file)) {
    throw new Error(`No stack config ${path.basename(file)}. Fix: create it (see Pulumi.dev.yaml) or pass --stack dev.`);
  }
  const values = ((parse(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown> } | null)?.config ?? {}) as Record<string, unknown>;
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  const encryptedKeys: string[] = [];
  for (const [key, value] of Object.entries(values)) {
    const fullKey = key.includes(":") ? key : `${project}:${key}`;
    if (typeof value === "object" && value !== null && "secure" in value) {
      secretKeys.push(fullKey);
      encryptedKeys.push(fullKey);
      continue;
    }
    config[fullKey] = typeof value === "string" ? value : JSON.stringify(value);
  }
  for (const key of encryptedKeys) {
    const standIn = OFFLINE_SECRET_STAND_INS[key];
    if (!standIn) throw new Error(`${key} is encrypted and the offline plan has no stand-in for it.`);
    config[key] = standIn(config);
  }
  const region = config["aws:region"] ?? "";
  return { project, stack, region, config, secretKeys, encryptedKeys };
}
