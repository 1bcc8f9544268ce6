/** The offline plan: the real program under mocks, printed as the plan JSON of DESIGN.md and as a tree. */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { readmeDiagramBlock, renderMermaid, renderTree, type Plan } from "../../scripts/plan-model";
import { planStack } from "../../scripts/plan";
import { REPO_ROOT } from "../../scripts/stack-config";

let plan: Plan;
beforeAll(async () => {
  plan = await planStack({ stack: "dev" });
});

describe("npm run plan", () => {
  it("describes every resource with the fields of the plan contract", () => {
    expect(plan.project).toBe("monitoring-hub");
    expect(plan.stack).toBe("dev");
    for (const r of plan.resources) {
      expect(Object.keys(r).sort()).toEqual(["dependencies", "inputs", "name", "options", "parent", "type", "urn"]);
      expect(r.urn).toBe(
        r.parent === null
          ? `urn:pulumi:dev::monitoring-hub::${r.type}::${r.name}`
          : `urn:pulumi:dev::monitoring-hub::monitoring-hub:index:MonitoringStack$${r.type}::${r.name}`,
      );
      expect(r.options).toEqual(expect.objectContaining({ protect: false, retainOnDelete: false }));
    }
  });

  it("lists only dependencies on resources that are in the plan", () => {
    const urns = new Set(plan.resources.map((r) => r.urn));

    expect(plan.resources.flatMap((r) => r.dependencies).filter((u) => !urns.has(u))).toEqual([]);
  });

  it("exports what an operator needs", () => {
    expect(Object.keys(plan.outputs).sort()).toEqual([
      "alarmNames",
      "alertTopicArn",
      "compositeAlarmName",
      "dashboardUrl",
      "failureQueueUrl",
      "jiraFunctionName",
      "jiraSecretArn",
      "noticeTopicArn",
      "reconcileFunctionName",
      "redriveQueueUrl",
      "sinkArn",
      "stackSetName",
      "ticketsTableName",
    ]);
    expect(plan.outputs.jiraFunctionName).toBe("monitoring-hub-jira-handler-dev");
  });

  it("shows the Lambda code by size and hash, not its text", () => {
    const fn = plan.resources.find((r) => r.type === "aws:lambda/function:Function")!;

    expect(fn.inputs.code).toEqual({ "[archive]": { "index.js": expect.stringMatching(/^\[asset: \d+ bytes, sha256 [0-9a-f]{64}\]$/) } });
  });

  it("prints a tree with the resource count", () => {
    const tree = renderTree(plan);

    expect(tree.split("\n")[0]).toBe(`Plan for monitoring-hub (stack dev): ${plan.resources.length} resources would be created`);
    expect(tree).toContain("└─ monitoring-hub:index:MonitoringStack monitoring-hub");
  });

  it("draws every resource and dependency edge as Mermaid", () => {
    const mermaid = renderMermaid(plan);
    const nodes = mermaid.split("\n").filter((l) => /^ {4}r\d+\["/.test(l));
    const edges = mermaid.split("\n").filter((l) => /^ {2}r\d+ --> r\d+$/.test(l));
    const custom = plan.resources.filter((r) => r.parent !== null);

    expect(mermaid.startsWith("flowchart LR\n")).toBe(true);
    expect(nodes).toHaveLength(custom.length);
    expect(edges).toHaveLength(custom.flatMap((r) => r.dependencies).filter((u) => custom.some((c) => c.urn === u)).length);
    expect(mermaid).toContain("  subgraph jira\n");
  });

  it("keeps the README's diagram in step with the dev plan", () => {
    const readme = fs.readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");

    expect(readme).toContain(readmeDiagramBlock(plan));
  });

  it("exits non-zero with the config error for an invalid stack", () => {
    const stack = `plan-test-${process.pid}`;
    const file = path.join(REPO_ROOT, `Pulumi.${stack}.yaml`);
    fs.writeFileSync(file, "config:\n  aws:region: us-east-1\n  monitoring-hub:jiraApi: server\n");
    try {
      const run = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "scripts/plan.ts", "--stack", stack], {
        cwd: REPO_ROOT,
        encoding: "utf8",
      });

      expect(run.status).toBe(1);
      expect(run.stdout).toBe("");
      expect(run.stderr).toContain('monitoring-hub:jiraApi "server" is not one of cloud, datacenter. Fix: pulumi config set jiraApi cloud');
      expect(run.stderr).toContain("monitoring-hub:memberAccountIds must be a list");
    } finally {
      fs.unlinkSync(file);
    }
  });
});
