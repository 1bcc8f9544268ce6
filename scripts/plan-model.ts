/** Turns a recording of the program into the plan JSON of DESIGN.md and a readable tree. Pure but for asset text. */
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";
import { isSecretValue, type RecordedResource } from "./recorder";

export const SECRET_MASK = "[secret]";

export interface PlanResource {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly parent: string | null;
  readonly dependencies: string[];
  readonly inputs: Record<string, unknown>;
  readonly options: { readonly protect: boolean; readonly retainOnDelete: boolean; readonly ignoreChanges?: string[] };
}

export interface Plan {
  readonly project: string;
  readonly stack: string;
  readonly resources: PlanResource[];
  readonly outputs: Record<string, unknown>;
}

/** Masks secrets and summarises assets (a bundle is shown by size and hash, not by its code). */
export async function planValue(value: unknown): Promise<unknown> {
  if (isSecretValue(value)) return SECRET_MASK;
  if (value instanceof pulumi.asset.StringAsset) {
    const text = await value.text;
    return `[asset: ${Buffer.byteLength(text)} bytes, sha256 ${createHash("sha256").update(text).digest("hex")}]`;
  }
  if (value instanceof pulumi.asset.AssetArchive) {
    const assets = await value.assets;
    return { "[archive]": await planValue(assets) };
  }
  if (Array.isArray(value)) return Promise.all(value.map(planValue));
  if (typeof value === "object" && value !== null) {
    const entries = await Promise.all(Object.entries(value).map(async ([k, v]) => [k, await planValue(v)] as const));
    return Object.fromEntries(entries.sort(([a], [b]) => a.localeCompare(b)));
  }
  return value;
}

/** Parents before children, siblings by type then name: the same plan prints the same way every time. */
export function orderResources(resources: readonly RecordedResource[]): RecordedResource[] {
  const byParent = new Map<string | null, RecordedResource[]>();
  for (const r of resources) byParent.set(r.parent, [...(byParent.get(r.parent) ?? []), r]);
  const known = new Set(resources.map((r) => r.urn));
  const ordered: RecordedResource[] = [];
  const visit = (parent: string | null) => {
    const children = (byParent.get(parent) ?? []).sort((a, b) => a.type.localeCompare(b.type) || a.name.localeCompare(b.name));
    for (const child of children) {
      ordered.push(child);
      visit(child.urn);
    }
  };
  visit(null);
  for (const [parent] of byParent) if (parent !== null && !known.has(parent)) visit(parent);
  return ordered;
}

export async function buildPlan(
  project: string,
  stack: string,
  resources: readonly RecordedResource[],
  outputs: Record<string, unknown>,
): Promise<Plan> {
  const planned = await Promise.all(
    orderResources(resources).map(async (r) => ({
      urn: r.urn,
      type: r.type,
      name: r.name,
      parent: r.parent,
      dependencies: [...r.dependencies].sort(),
      inputs: (await planValue(r.inputs)) as Record<string, unknown>,
      options: {
        protect: r.options.protect,
        retainOnDelete: r.options.retainOnDelete,
        ...(r.options.ignoreChanges.length > 0 ? { ignoreChanges: r.options.ignoreChanges } : {}),
      },
    })),
  );
  return { project, stack, resources: planned, outputs: (await planValue(outputs)) as Record<string, unknown> };
}

/** The few settings worth a glance, per type. */
const HIGHLIGHTS: Record<string, readonly string[]> = {
  "aws:kms/key:Key": ["enableKeyRotation", "deletionWindowInDays"],
  "aws:sns/topic:Topic": ["name", "kmsMasterKeyId"],
  "aws:sns/topicSubscription:TopicSubscription": ["protocol", "endpoint"],
  "aws:lambda/function:Function": ["name", "runtime", "memorySize", "timeout", "reservedConcurrentExecutions"],
  "aws:cloudwatch/logGroup:LogGroup": ["name", "retentionInDays"],
  "aws:cloudwatch/logMetricFilter:LogMetricFilter": ["name", "pattern"],
  "aws:cloudwatch/metricAlarm:MetricAlarm": ["name", "treatMissingData"],
  "aws:cloudwatch/compositeAlarm:CompositeAlarm": ["alarmName", "alarmRule"],
  "aws:cloudwatch/eventRule:EventRule": ["name", "eventPattern"],
  "aws:cloudwatch/contributorInsightRule:ContributorInsightRule": ["ruleName"],
  "aws:cloudwatch/dashboard:Dashboard": ["dashboardName"],
  "aws:dynamodb/table:Table": ["name", "billingMode", "hashKey"],
  "aws:sqs/queue:Queue": ["name", "messageRetentionSeconds"],
  "aws:cloudformation/stackSet:StackSet": ["name", "permissionModel", "callAs"],
  "aws:cloudformation/stackSetInstance:StackSetInstance": ["stackSetInstanceRegion", "deploymentTargets"],
};

function highlight(resource: PlanResource): string {
  const keys = HIGHLIGHTS[resource.type] ?? ["name"];
  const parts = keys
    .filter((k) => resource.inputs[k] !== undefined)
    .map((k) => {
      const v = resource.inputs[k];
      const shown = typeof v === "string" ? v : JSON.stringify(v);
      return `${k}=${shown.length > 80 ? `${shown.slice(0, 77)}...` : shown}`;
    });
  return parts.length > 0 ? `  (${parts.join(", ")})` : "";
}

/** A tree of what would be created, with a count per type and in all. */
export function renderTree(plan: Plan): string {
  const children = new Map<string | null, PlanResource[]>();
  for (const r of plan.resources) children.set(r.parent, [...(children.get(r.parent) ?? []), r]);
  const lines: string[] = [];
  const walk = (parent: string | null, indent: string) => {
    const list = children.get(parent) ?? [];
    list.forEach((r, i) => {
      const last = i === list.length - 1;
      lines.push(`${indent}${last ? "└─" : "├─"} ${r.type} ${r.name}${highlight(r)}`);
      walk(r.urn, indent + (last ? "   " : "│  "));
    });
  };
  walk(null, "");
  const counts = new Map<string, number>();
  for (const r of plan.resources) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
  const summary = [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([t, n]) => `  ${String(n).padStart(3)}  ${t}`);
  return [
    `Plan for ${plan.project} (stack ${plan.stack}): ${plan.resources.length} resources would be created`,
    "",
    ...lines,
    "",
    "Per type:",
    ...summary,
    "",
    "Outputs:",
    ...Object.entries(plan.outputs).map(([k, v]) => `  ${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`),
  ].join("\n");
}

/**
 * A Mermaid flowchart of the planned resources, grouped by concern (the segment of the logical name after the
 * component's name, e.g. `monitoring-hub-jira-function` -> `jira`), with an edge from each dependency to the resource
 * that needs it. Deterministic, so the README's copy can be checked against it.
 */
export function renderMermaid(plan: Plan): string {
  const root = plan.resources.find((r) => r.parent === null);
  const members = plan.resources.filter((r) => r !== root);
  const ids = new Map(members.map((r, i) => [r.urn, `r${i}`]));
  const prefix = root ? `${root.name}-` : "";
  const groupOf = (r: PlanResource) => r.name.slice(prefix.length).split("-")[0];
  const label = (r: PlanResource) => {
    const [, module, kind] = r.type.split(":");
    return `${module.split("/")[0]} ${kind}<br/>${r.name.slice(prefix.length)}`;
  };
  const groups = new Map<string, PlanResource[]>();
  for (const r of members) groups.set(groupOf(r), [...(groups.get(groupOf(r)) ?? []), r]);

  const lines = ["flowchart LR"];
  for (const [group, resources] of groups) {
    lines.push(`  subgraph ${group}`);
    for (const r of resources) lines.push(`    ${ids.get(r.urn)}["${label(r)}"]`);
    lines.push("  end");
  }
  for (const r of members) {
    for (const dependency of r.dependencies) {
      const from = ids.get(dependency);
      if (from) lines.push(`  ${from} --> ${ids.get(r.urn)}`);
    }
  }
  return lines.join("\n");
}

/** Where the README keeps the generated diagram. */
export const README_DIAGRAM_START = "<!-- generated by `npm run plan -- --mermaid`: start -->";
export const README_DIAGRAM_END = "<!-- generated by `npm run plan -- --mermaid`: end -->";

/** The README's diagram block for a plan: a fenced Mermaid block between the markers. */
export function readmeDiagramBlock(plan: Plan): string {
  return [README_DIAGRAM_START, "```mermaid", renderMermaid(plan), "```", README_DIAGRAM_END].join("\n");
}
