/**
 * The policy pack as the Pulumi CLI runs it for `pulumi preview --policy-pack policy`: @pulumi/pulumi's
 * run-policy-pack started in policy/ (ts-node compiles and type-checks policy/index.ts with policy/tsconfig.json,
 * the PolicyPack reads policy/package.json and serves the analyzer over gRPC), then the engine's RPCs: GetAnalyzerInfo,
 * Configure (what --policy-pack-config sends), Analyze per resource and AnalyzeStack, fed the recorded dev program.
 * This proves the pack's layout and the real server path; run-policies.ts is checked against it here too.
 */
import { spawn, type ChildProcess } from "child_process";
import { createRequire } from "module";
import * as path from "path";
import type * as structPb from "google-protobuf/google/protobuf/struct_pb";
import type * as emptyPb from "google-protobuf/google/protobuf/empty_pb";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as pb from "@pulumi/pulumi/proto/analyzer_pb";
import { policies } from "../../policy/policies";
import { record, type RecordedResource } from "../../scripts/recorder";
import { REPO_ROOT, readStackConfig } from "../../scripts/stack-config";
import { runPolicies } from "./run-policies";

// The gRPC and protobuf runtimes @pulumi/pulumi itself uses (transitive dependencies, so resolved from its location).
const fromPulumi = createRequire(require.resolve("@pulumi/pulumi/package.json"));
const grpc = fromPulumi("@grpc/grpc-js") as { credentials: { createInsecure(): ConstructorParameters<typeof AnalyzerClient>[1] } };
const { Struct } = fromPulumi("google-protobuf/google/protobuf/struct_pb") as typeof structPb;
const { Empty } = fromPulumi("google-protobuf/google/protobuf/empty_pb") as typeof emptyPb;

const POLICY_DIR = path.join(REPO_ROOT, "policy");
const stackConfig = readStackConfig("dev");
let pack: ChildProcess | undefined;
let client: AnalyzerClient;
let all: RecordedResource[];

/** Starts the pack like the CLI's nodejs plugin host does: `node run-policy-pack <engine> .` in the pack's directory. */
function startPack(): Promise<number> {
  const env = { ...process.env };
  delete env.ENVIRONMENT_SUFFIX;
  const child = spawn(process.execPath, [require.resolve("@pulumi/pulumi/cmd/run-policy-pack"), "127.0.0.1:0", "."], { cwd: POLICY_DIR, env });
  pack = child;
  return new Promise((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (d: Buffer) => {
      stdout += d.toString();
      const port = /^(\d+)\r?$/m.exec(stdout);
      if (port) resolve(Number(port[1]));
    });
    child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("exit", (code) => reject(new Error(`the policy pack exited (${code}) before serving: ${stderr || stdout}`)));
  });
}

function call<Req, Res>(method: (req: Req, cb: (err: Error | null, res: Res) => void) => unknown, request: Req): Promise<Res> {
  return new Promise((resolve, reject) => method.call(client, request, (err, res) => (err ? reject(err) : resolve(res))));
}

/** The recorded value as the engine sends it: plain JSON (secrets keep the SDK's signature object). */
const struct = (value: Record<string, unknown>) => Struct.fromJavaScript(JSON.parse(JSON.stringify(value)) as never);

function options(r: RecordedResource): pb.AnalyzerResourceOptions {
  const o = new pb.AnalyzerResourceOptions();
  o.setProtect(r.options.protect);
  o.setIgnorechangesList(r.options.ignoreChanges);
  if (r.parent) o.setParent(r.parent);
  return o;
}

function analyzeRequest(r: RecordedResource): pb.AnalyzeRequest {
  const req = new pb.AnalyzeRequest();
  req.setType(r.type);
  req.setName(r.name);
  req.setUrn(r.urn);
  req.setProperties(struct(r.inputs));
  req.setOptions(options(r));
  return req;
}

function analyzeStackRequest(resources: readonly RecordedResource[]): pb.AnalyzeStackRequest {
  const req = new pb.AnalyzeStackRequest();
  req.setResourcesList(
    resources.map((r) => {
      const res = new pb.AnalyzerResource();
      res.setType(r.type);
      res.setName(r.name);
      res.setUrn(r.urn);
      res.setProperties(struct(r.state));
      res.setOptions(options(r));
      if (r.parent) res.setParent(r.parent);
      res.setDependenciesList(r.dependencies);
      for (const [input, urns] of Object.entries(r.propertyDependencies)) {
        res.getPropertydependenciesMap().set(input, new pb.AnalyzerPropertyDependencies().setUrnsList(urns));
      }
      return res;
    }),
  );
  return req;
}

interface Diagnostic {
  policy: string;
  level: "advisory" | "mandatory" | "other";
  urn: string;
  message: string;
}

function diagnostics(res: pb.AnalyzeResponse): Diagnostic[] {
  return res.getDiagnosticsList().map((d) => ({
    policy: d.getPolicyname(),
    level: d.getEnforcementlevel() === pb.EnforcementLevel.MANDATORY ? "mandatory" : d.getEnforcementlevel() === pb.EnforcementLevel.ADVISORY ? "advisory" : "other",
    urn: d.getUrn(),
    message: d.getMessage(),
  }));
}

async function analyzeAll(resources: readonly RecordedResource[]): Promise<Diagnostic[]> {
  const found: Diagnostic[] = [];
  for (const r of resources) found.push(...diagnostics(await call(client.analyze, analyzeRequest(r))));
  found.push(...diagnostics(await call(client.analyzeStack, analyzeStackRequest(resources))));
  return found;
}

async function configure(config: Record<string, Record<string, unknown>>): Promise<void> {
  const req = new pb.ConfigureAnalyzerRequest();
  for (const [policy, properties] of Object.entries(config)) {
    // The CLI sends each configured policy's enforcement level along (the policy's own when the file names none).
    req.getPolicyconfigMap().set(policy, new pb.PolicyConfig().setEnforcementlevel(pb.EnforcementLevel.MANDATORY).setProperties(struct(properties)));
  }
  await call(client.configure, req);
}

beforeAll(async () => {
  const port = await startPack();
  client = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const { monitor } = await record(() => require("../../index"), {
    ...stackConfig,
    config: { ...stackConfig.config, "monitoring-hub:jiraCredentials": JSON.stringify({ email: "bot@example.com", apiToken: "tok-offline" }) },
    secretKeys: ["monitoring-hub:jiraCredentials"],
  });
  all = monitor.all();
}, 90_000);

afterAll(() => {
  client?.close();
  pack?.kill();
});

describe("the policy pack under run-policy-pack (what pulumi preview --policy-pack policy starts)", () => {
  it("serves every policy of policy/policies.ts, mandatory, under the pack's name and version", async () => {
    const info = await call<emptyPb.Empty, pb.AnalyzerInfo>(client.getAnalyzerInfo, new Empty());

    expect(info.getName()).toBe("monitoring-hub");
    expect(info.getVersion()).toBe("0.1.0");
    expect(info.getPoliciesList().map((p) => [p.getName(), p.getEnforcementlevel()])).toEqual(
      policies.map((p) => [p.name, pb.EnforcementLevel.MANDATORY]),
    );
  });

  it("finds nothing wrong with the dev program, resource by resource and as a stack", async () => {
    expect(await analyzeAll(all)).toEqual([]);
  });

  it("blocks a broken resource with the CLI's message (description, then what is wrong and the fix)", async () => {
    const topic = all.find((r) => r.name === "monitoring-hub-alerting-alerts")!;
    const broken: RecordedResource = { ...topic, inputs: { ...topic.inputs, kmsMasterKeyId: "alias/aws/sns" }, options: { ...topic.options, protect: true } };
    const found = diagnostics(await call(client.analyze, analyzeRequest(broken)));

    // Resource diagnostics carry no URN: the engine attaches them to the resource it asked about.
    expect(found.map((d) => [d.policy, d.level, d.urn])).toEqual([
      ["encrypted-with-customer-managed-key", "mandatory", ""],
      ["nothing-protected-or-retained", "mandatory", ""],
    ]);
    expect(found[0].message).toBe(`${policies.find((p) => p.name === "encrypted-with-customer-managed-key")!.description}\nTopic "monitoring-hub-alerting-alerts" uses the AWS managed key alias/aws/sns, whose key policy cannot grant other services. Fix: set kmsMasterKeyId to the stack's customer managed key (lib/alerting.ts, or the kmsKeyArn config).`);
  });

  it("agrees with the offline runner on a broken stack", async () => {
    const broken = all.map((r) =>
      r.name === "monitoring-hub-audit-rule" ? { ...r, state: { ...r.state, eventPattern: JSON.stringify({ source: ["aws.cloudwatch"] }) } } : r,
    );
    const served = diagnostics(await call(client.analyzeStack, analyzeStackRequest(broken)));
    const offline = (await runPolicies(policies, broken)).violations;

    expect(served.map((d) => [d.policy, d.urn])).toEqual([["audit-rule-matches-alarm-state-changes", broken.find((r) => r.name === "monitoring-hub-audit-rule")!.urn]]);
    expect(offline.map((v) => [v.policy, v.urn, v.message])).toEqual(served.map((d) => [d.policy, d.urn, d.message.split("\n").slice(1).join("\n")]));
  });

  it("turns an unknown value into a can't-run-during-preview advisory", async () => {
    const rolePolicy = all.find((r) => r.type === "aws:iam/rolePolicy:RolePolicy")!;
    const unknown = (require("@pulumi/policy/proxy") as { unknownStringValue: string }).unknownStringValue;
    const found = diagnostics(await call(client.analyze, analyzeRequest({ ...rolePolicy, inputs: { ...rolePolicy.inputs, policy: unknown } })));

    expect(found.map((d) => [d.policy, d.level])).toEqual([["iam-no-write-on-wildcard-resource", "advisory"]]);
    expect(found[0].message).toMatch(/can't run policy 'iam-no-write-on-wildcard-resource' .* during preview/);
  });

  it("takes the environment suffix from the policy config (pulumi preview --policy-pack-config)", async () => {
    const topic = all.find((r) => r.name === "monitoring-hub-alerting-alerts")!;
    try {
      await configure({ "physical-names-carry-environment-suffix": { environmentSuffix: "prod" } });
      const found = diagnostics(await call(client.analyze, analyzeRequest(topic)));

      expect(found.map((d) => [d.policy, d.level])).toEqual([["physical-names-carry-environment-suffix", "mandatory"]]);
      expect(found[0].message).toMatch(/does not carry the environment suffix "prod" \(from the policy config environmentSuffix\)/);
    } finally {
      await configure({});
    }
  });
});
