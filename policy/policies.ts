/**
 * The monitoring hub's promises (README, DESIGN.md) as CrossGuard policies, every one mandatory.
 *
 * Only the policies live here. Constructing a `PolicyPack` starts a gRPC server, and a second one in a process exits
 * it, so `policy/index.ts` builds the pack for `pulumi preview --policy-pack policy` and the tests import this module
 * and run each policy offline against the recorded program (tests/policy/run-policies.ts).
 *
 * What a policy sees: a resource policy gets the resource's inputs and options, a stack policy every resource's
 * outputs and dependency graph; secrets arrive in plaintext. During a preview a value that is only known once another
 * resource exists (an ARN, a policy document built from ARNs) is unknown, and reading it makes the policy report
 * "can't run during preview" (advisory) for that resource; `pulumi up` runs it again with the value before the
 * resource is created, and a violation then blocks. So the policies read what is always known first, and they never
 * swallow the error that reading an unknown value throws (except where an unknown value cannot be what is looked for).
 *
 * Resource types are matched by their type token (`aws:sns/topic:Topic`), so the pack does not load @pulumi/aws.
 */
import { UnknownValueError } from "@pulumi/policy";
import type {
  Policies,
  PolicyResource,
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationPolicy,
} from "@pulumi/policy";

/** Type tokens of the resources the policies inspect. */
export const TYPES = {
  metricAlarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
  compositeAlarm: "aws:cloudwatch/compositeAlarm:CompositeAlarm",
  logGroup: "aws:cloudwatch/logGroup:LogGroup",
  eventRule: "aws:cloudwatch/eventRule:EventRule",
  eventTarget: "aws:cloudwatch/eventTarget:EventTarget",
  topic: "aws:sns/topic:Topic",
  queue: "aws:sqs/queue:Queue",
  table: "aws:dynamodb/table:Table",
  secret: "aws:secretsmanager/secret:Secret",
  lambda: "aws:lambda/function:Function",
  kmsKey: "aws:kms/key:Key",
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  userPolicy: "aws:iam/userPolicy:UserPolicy",
  groupPolicy: "aws:iam/groupPolicy:GroupPolicy",
  iamPolicy: "aws:iam/policy:Policy",
  stackSet: "aws:cloudformation/stackSet:StackSet",
  cfnStack: "aws:cloudformation/stack:Stack",
  bucket: "aws:s3/bucket:Bucket",
  bucketV2: "aws:s3/bucketV2:BucketV2",
  ecrRepository: "aws:ecr/repository:Repository",
} as const;

/** Retention every log group keeps (README: "log groups 30 d"). */
export const LOG_RETENTION_DAYS = 30;
/** Memory of the JIRA Lambda (the documented stack's size, kept). */
export const JIRA_LAMBDA_MEMORY_MB = 128;
/** The shortest KMS deletion window AWS allows: `pulumi destroy` leaves the key behind no longer than this. */
export const KMS_DELETION_WINDOW_DAYS = 7;
/** What the audit rule must match (DESIGN.md defect 4). */
export const ALARM_STATE_CHANGE = { source: "aws.cloudwatch", detailType: "CloudWatch Alarm State Change" } as const;

type Props = Record<string, unknown>;

/** `MetricAlarm "monitoring-hub-alarms-application-errors"`: how a violation names the resource. */
function label(type: string, name: string): string {
  return `${type.split(":").pop()} "${name}"`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function asArray(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

function nonEmptyString(value: unknown): value is string {
  return typeof value === "string" && value.trim().length > 0;
}

/** Marks `policy` not applicable to `args` unless its type is one of `types`. */
function onlyFor(args: ResourceValidationArgs, types: readonly string[]): void {
  if (!types.includes(args.type)) args.notApplicable(`applies to ${types.join(", ")}`);
}

/** Parses a JSON document given as a string (or already an object); `undefined` when it is not JSON. */
function parseJson(value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return undefined;
  }
}

// ------------------------------------------------------------------------------------------------------------------
// Alarms

export const alarmsBreachAndNotify: ResourceValidationPolicy = {
  name: "alarms-breaching-with-ok-and-alarm-actions",
  description:
    'Every CloudWatch alarm treats missing data as "breaching" (metric alarms) and notifies on both ALARM and OK, with ' +
    "its actions enabled, so neither a silent system nor a recovery goes unnoticed.",
  enforcementLevel: "mandatory",
  validateResource: (args, report) => {
    onlyFor(args, [TYPES.metricAlarm, TYPES.compositeAlarm]);
    const p = args.props as Props;
    const what = label(args.type, args.name);
    if (args.type === TYPES.metricAlarm && p.treatMissingData !== "breaching") {
      const current = p.treatMissingData === undefined ? "unset (CloudWatch's default, missing)" : `"${String(p.treatMissingData)}"`;
      report(
        `${what} has treatMissingData ${current}. Fix: set treatMissingData: "breaching", and keep the alarm right when ` +
          "the system is quiet (defaultValue 0 on metric filters, FILL(m, 0) metric math for sparse metrics).",
      );
    }
    if (p.actionsEnabled === false) {
      report(`${what} has actionsEnabled: false, so it notifies nobody. Fix: remove actionsEnabled (it defaults to true).`);
    }
    for (const key of ["alarmActions", "okActions"] as const) {
      if (asArray(p[key]).length === 0) {
        report(`${what} has no ${key}. Fix: set ${key} to the SNS topic the alarm notifies (lib/alarms.ts).`);
      }
    }
  },
};

// ------------------------------------------------------------------------------------------------------------------
// Log groups

export const logGroupRetention: ResourceValidationPolicy = {
  name: "log-group-retention-30-days",
  description: `Every CloudWatch Logs log group keeps its events exactly ${LOG_RETENTION_DAYS} days: not forever, not less.`,
  enforcementLevel: "mandatory",
  validateResource: (args, report) => {
    onlyFor(args, [TYPES.logGroup]);
    const days = (args.props as Props).retentionInDays;
    if (days !== LOG_RETENTION_DAYS) {
      const current = days === undefined || days === 0 ? "keeps events forever (no retentionInDays)" : `keeps events ${String(days)} days`;
      report(`${label(args.type, args.name)} ${current}. Fix: set retentionInDays: ${LOG_RETENTION_DAYS}.`);
    }
  },
};

// ------------------------------------------------------------------------------------------------------------------
// Customer managed keys

/** `alias/aws/sns`, `arn:aws:kms:...:alias/aws/sqs`: a key AWS manages, whose key policy nobody can change. */
export function isAwsManagedKey(key: string): boolean {
  return /(^|:)alias\/aws\//i.test(key.trim());
}

/** Where each encrypted type names its key. */
const KEY_INPUT: Readonly<Record<string, string>> = {
  [TYPES.topic]: "kmsMasterKeyId",
  [TYPES.queue]: "kmsMasterKeyId",
  [TYPES.secret]: "kmsKeyId",
  [TYPES.table]: "serverSideEncryption.kmsKeyArn",
};

export const customerManagedKeys: ResourceValidationPolicy = {
  name: "encrypted-with-customer-managed-key",
  description:
    "Every SNS topic, SQS queue, DynamoDB table and Secrets Manager secret is encrypted with a customer managed KMS key " +
    "(an explicit key, not an alias/aws/... AWS managed key): CloudWatch cannot publish to a topic encrypted with " +
    "alias/aws/sns, and only a customer managed key's policy can grant the services that write to them.",
  enforcementLevel: "mandatory",
  validateResource: (args, report) => {
    onlyFor(args, Object.keys(KEY_INPUT));
    const p = args.props as Props;
    const what = label(args.type, args.name);
    const input = KEY_INPUT[args.type];
    const fix = `Fix: set ${input} to the stack's customer managed key (lib/alerting.ts, or the kmsKeyArn config).`;
    let key: unknown;
    if (args.type === TYPES.table) {
      const sse = isRecord(p.serverSideEncryption) ? p.serverSideEncryption : {};
      if (sse.enabled !== true) {
        report(`${what} is encrypted with an AWS owned key (serverSideEncryption not enabled). Fix: set serverSideEncryption: { enabled: true, kmsKeyArn: <the stack's key> }.`);
        return;
      }
      key = sse.kmsKeyArn;
    } else {
      key = p[input];
    }
    if (!nonEmptyString(key)) {
      const sqsManaged = args.type === TYPES.queue && p.sqsManagedSseEnabled === true ? " (SSE-SQS is not customer managed)" : "";
      const awsManaged = args.type === TYPES.table || args.type === TYPES.secret ? " and so uses the AWS managed key" : "";
      report(`${what} has no ${input}${awsManaged}${sqsManaged}. ${fix}`);
    } else if (isAwsManagedKey(key)) {
      report(`${what} uses the AWS managed key ${key}, whose key policy cannot grant other services. ${fix}`);
    }
  },
};

// ------------------------------------------------------------------------------------------------------------------
// The JIRA Lambda

/** The Lambda that turns alarms into tickets: its name says jira, or its environment configures JIRA. */
function isJiraLambda(args: ResourceValidationArgs): boolean {
  const p = args.props as Props;
  if (/jira/i.test(args.name) || (typeof p.name === "string" && /jira/i.test(p.name))) return true;
  // Read only when the names do not tell: an environment computed from other resources is unknown in a preview.
  const environment = isRecord(p.environment) ? p.environment : {};
  const variables = isRecord(environment.variables) ? environment.variables : {};
  return "JIRA_BASE_URL" in variables;
}

export const jiraLambdaMemory: ResourceValidationPolicy = {
  name: "jira-lambda-128-mb",
  description: `The JIRA Lambda runs with ${JIRA_LAMBDA_MEMORY_MB} MB of memory (Lambda's default when unset).`,
  enforcementLevel: "mandatory",
  validateResource: (args, report) => {
    onlyFor(args, [TYPES.lambda]);
    if (!isJiraLambda(args)) args.notApplicable("not the JIRA Lambda");
    const memory = (args.props as Props).memorySize;
    if (memory !== undefined && memory !== JIRA_LAMBDA_MEMORY_MB) {
      report(`${label(args.type, args.name)} has memorySize ${String(memory)}. Fix: set memorySize: ${JIRA_LAMBDA_MEMORY_MB}.`);
    }
  },
};

/** Variable names that say "a secret": a literal value under such a name is one... */
const SECRET_NAME = /(TOKEN|SECRET|PASSWORD|PASSWD|PASSPHRASE|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIAL)/i;
/** ...unless the name says it holds where the secret is (`JIRA_SECRET_ARN`, `TOKEN_URL`); credential shapes still apply. */
const REFERENCE_NAME = /_(ARN|NAME|ID|PATH|PARAMETER|URL|URI|ENDPOINT)$/i;

/** Shapes of credentials, whatever the variable is called. */
export const CREDENTIAL_SHAPES: ReadonlyArray<{ readonly what: string; readonly pattern: RegExp }> = [
  { what: "an Atlassian API token", pattern: /\bATATT[A-Za-z0-9_=-]{20,}/ },
  { what: "an AWS access key id", pattern: /\b(AKIA|ASIA)[0-9A-Z]{16}\b/ },
  { what: "a private key", pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----/ },
  { what: "a GitHub token", pattern: /\bgh[pousr]_[A-Za-z0-9]{30,}/ },
  { what: "a Slack token", pattern: /\bxox[abprs]-[A-Za-z0-9-]{10,}/ },
  { what: "a JSON Web Token", pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\./ },
  { what: "a JSON credential", pattern: /"(apiToken|personalAccessToken|password|secret|token)"\s*:\s*"[^"]+"/i },
  { what: "an Authorization header value", pattern: /^(Basic|Bearer)\s+\S{8,}/i },
  { what: "a URL with a password", pattern: /^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i },
];

/** A value that points at a secret instead of holding it: an ARN (Secrets Manager, SSM, KMS...). */
function isReference(value: string): boolean {
  return /^arn:[a-z-]+:[a-z0-9-]+:/.test(value);
}

export const lambdaNoPlaintextSecrets: ResourceValidationPolicy = {
  name: "lambda-no-plaintext-secrets",
  description:
    "No Lambda (the JIRA Lambda included) holds a secret in its environment, which anyone who may read the function's " +
    "configuration sees: no literal value under a name like TOKEN/SECRET/PASSWORD/API_KEY, and no value shaped like a " +
    "credential. Secrets live in Secrets Manager and the environment holds their ARN.",
  enforcementLevel: "mandatory",
  validateResource: (args, report) => {
    onlyFor(args, [TYPES.lambda]);
    const p = args.props as Props;
    const environment = isRecord(p.environment) ? p.environment : {};
    const variables = isRecord(environment.variables) ? environment.variables : {};
    const what = label(args.type, args.name);
    const fix = "Fix: keep the value in the Secrets Manager secret and pass its ARN (JIRA_SECRET_ARN); the handler reads it at run time.";
    for (const key of Object.keys(variables)) {
      let value: unknown;
      try {
        value = variables[key];
      } catch (e) {
        // A value only known once another resource exists (an ARN) is computed, never a literal secret.
        if (e instanceof UnknownValueError) continue;
        throw e;
      }
      if (typeof value !== "string" || value.length === 0) continue;
      const shape = CREDENTIAL_SHAPES.find((s) => s.pattern.test(value));
      if (shape) {
        report(`${what} has ${shape.what} in its environment variable ${key}. ${fix}`);
      } else if (SECRET_NAME.test(key) && !REFERENCE_NAME.test(key) && !isReference(value)) {
        report(`${what} has a literal value in its environment variable ${key}, whose name says it is a secret. ${fix}`);
      }
    }
  },
};

// ------------------------------------------------------------------------------------------------------------------
// Physical names

/** The input that holds each type's physical name; an unset one is auto-named from the logical name. */
export const PHYSICAL_NAME_INPUT: Readonly<Record<string, string>> = {
  [TYPES.topic]: "name",
  [TYPES.queue]: "name",
  [TYPES.table]: "name",
  [TYPES.secret]: "name",
  [TYPES.lambda]: "name",
  [TYPES.role]: "name",
  [TYPES.iamPolicy]: "name",
  [TYPES.logGroup]: "name",
  [TYPES.metricAlarm]: "name",
  [TYPES.eventRule]: "name",
  [TYPES.stackSet]: "name",
  [TYPES.cfnStack]: "name",
  [TYPES.ecrRepository]: "name",
  [TYPES.bucket]: "bucket",
  [TYPES.bucketV2]: "bucket",
  [TYPES.compositeAlarm]: "alarmName",
  "aws:cloudwatch/logMetricFilter:LogMetricFilter": "name",
  "aws:cloudwatch/dashboard:Dashboard": "dashboardName",
  "aws:cloudwatch/contributorInsightRule:ContributorInsightRule": "ruleName",
  "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": "policyName",
  "aws:kms/alias:Alias": "name",
  "aws:oam/sink:Sink": "name",
};

/** Types whose name is scoped to a parent resource that carries the suffix (an inline role policy in its role). */
const SCOPED_NAME_TYPES: readonly string[] = [TYPES.rolePolicy, TYPES.userPolicy, TYPES.groupPolicy, "aws:lambda/alias:Alias"];

/** The stack name in `urn:pulumi:<stack>::<project>::<type>::<name>`. */
export function stackOfUrn(urn: string): string {
  return urn.split("::")[0].split(":")[2] ?? "";
}

/** True when `name` carries `suffix` as a whole token (`-dev`, `/dev/`), not inside a word (`devops`). */
export function carriesSuffix(name: string, suffix: string): boolean {
  const escaped = suffix.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`(^|[^a-z0-9])${escaped}($|[^a-z0-9])`, "i").test(name);
}

export interface SuffixConfig {
  readonly environmentSuffix?: string;
}

/**
 * The suffix every name must carry, found the way the program finds it: the policy's `environmentSuffix` config
 * (pass the stack's `environmentSuffix` there when it differs from the stack name), else `ENVIRONMENT_SUFFIX`, else
 * the stack name.
 */
export function expectedSuffix(config: SuffixConfig, urn: string): { suffix: string; from: string } {
  if (config.environmentSuffix?.trim()) return { suffix: config.environmentSuffix.trim(), from: "the policy config environmentSuffix" };
  const variable = process.env.ENVIRONMENT_SUFFIX?.trim();
  if (variable) return { suffix: variable, from: "ENVIRONMENT_SUFFIX" };
  return { suffix: stackOfUrn(urn), from: "the stack name" };
}

export const physicalNamesCarrySuffix: ResourceValidationPolicy = {
  name: "physical-names-carry-environment-suffix",
  description:
    "Every physical name (topic, queue, table, secret, function, role, log group, alarm, rule, dashboard, sink, " +
    "StackSet, alias...) carries the environment suffix as a whole token, so stacks of several environments can share " +
    "an account. An unnamed resource gets Pulumi's auto-name from its logical name, which must then carry it.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      environmentSuffix: {
        type: "string",
        pattern: "^[a-z0-9]([a-z0-9-]{0,14}[a-z0-9])?$",
        description: "The stack's environmentSuffix; unset: ENVIRONMENT_SUFFIX, else the stack name (as the program does).",
      },
    },
  },
  validateResource: (args, report) => {
    if (!args.type.startsWith("aws:") || SCOPED_NAME_TYPES.includes(args.type)) {
      args.notApplicable("not an AWS resource with an account-wide physical name");
    }
    const p = args.props as Props;
    const input = PHYSICAL_NAME_INPUT[args.type] ?? (typeof p.name === "string" ? "name" : undefined);
    if (input === undefined) args.notApplicable("this type has no physical name");
    const { suffix, from } = expectedSuffix(args.getConfig<SuffixConfig>(), args.urn);
    const what = label(args.type, args.name);
    const fix = "Fix: build it with physicalName(ctx.suffix, ...) or logGroupName(ctx.suffix, ...) from lib/naming.ts.";
    const name = p[input];
    if (nonEmptyString(name)) {
      if (!carriesSuffix(name, suffix)) report(`${what} is named "${name}", which does not carry the environment suffix "${suffix}" (from ${from}). ${fix}`);
      return;
    }
    const prefix = p[`${input}Prefix`];
    if (nonEmptyString(prefix)) {
      if (!carriesSuffix(prefix, suffix)) report(`${what} has ${input}Prefix "${prefix}", which does not carry the environment suffix "${suffix}" (from ${from}). ${fix}`);
      return;
    }
    if (!carriesSuffix(args.name, suffix)) {
      report(`${what} has no ${input}, so Pulumi names it "${args.name}-<random>", which does not carry the environment suffix "${suffix}" (from ${from}). Fix: set ${input} with physicalName(ctx.suffix, ...) from lib/naming.ts.`);
    }
  },
};

// ------------------------------------------------------------------------------------------------------------------
// Nothing protected or retained

/** Inputs that keep a resource (or its data) alive past `pulumi destroy` when true. */
const RETAINING_INPUTS = ["deletionProtection", "deletionProtectionEnabled", "skipDestroy", "retainStack"] as const;

export const nothingProtectedOrRetained: ResourceValidationPolicy = {
  name: "nothing-protected-or-retained",
  description:
    "pulumi destroy removes everything: no resource is protected or retained on delete, nothing has deletion " +
    "protection or skipDestroy, buckets and repositories empty themselves, secrets are deleted without a recovery " +
    `window, KMS keys are scheduled for deletion after the shortest window (${KMS_DELETION_WINDOW_DAYS} days), and StackSets ` +
    "remove their stacks. (The CLI does not send retainOnDelete to policies; the offline tests check it from the recording.)",
  enforcementLevel: "mandatory",
  validateResource: (args, report) => {
    const what = label(args.type, args.name);
    if (args.opts.protect) report(`${what} is protected, so pulumi destroy stops at it. Fix: remove the protect resource option.`);
    // Not in PolicyResourceOptions (the analyzer protocol does not carry it); a runner that knows it passes it.
    if ((args.opts as { retainOnDelete?: boolean }).retainOnDelete === true) {
      report(`${what} is retained on delete, so pulumi destroy leaves it in the account. Fix: remove the retainOnDelete resource option.`);
    }
    const p = args.props as Props;
    for (const key of RETAINING_INPUTS) {
      if (key in p && p[key] === true) report(`${what} has ${key}: true, so pulumi destroy cannot delete it. Fix: set ${key}: false (or remove it).`);
    }
    switch (args.type) {
      case TYPES.secret:
        if (p.recoveryWindowInDays !== 0) {
          const current = p.recoveryWindowInDays === undefined ? "unset (30 days)" : String(p.recoveryWindowInDays);
          report(`${what} has recoveryWindowInDays ${current}, so it lingers after pulumi destroy and its name cannot be reused. Fix: set recoveryWindowInDays: 0.`);
        }
        break;
      case TYPES.kmsKey:
        if (p.deletionWindowInDays !== KMS_DELETION_WINDOW_DAYS) {
          const current = p.deletionWindowInDays === undefined ? "unset (30 days)" : String(p.deletionWindowInDays);
          report(`${what} has deletionWindowInDays ${current}. Fix: set deletionWindowInDays: ${KMS_DELETION_WINDOW_DAYS}, the shortest window AWS allows.`);
        }
        break;
      case TYPES.stackSet: {
        const auto = isRecord(p.autoDeployment) ? p.autoDeployment : {};
        if (auto.retainStacksOnAccountRemoval === true) {
          report(`${what} retains its stacks (and member roles) in accounts that leave a targeted OU. Fix: set autoDeployment.retainStacksOnAccountRemoval: false.`);
        }
        break;
      }
      case TYPES.bucket:
      case TYPES.bucketV2:
        if (p.forceDestroy !== true) report(`${what} has no forceDestroy: true, so pulumi destroy fails while it holds objects. Fix: set forceDestroy: true.`);
        break;
      case TYPES.ecrRepository:
        if (p.forceDelete !== true) report(`${what} has no forceDelete: true, so pulumi destroy fails while it holds images. Fix: set forceDelete: true.`);
        break;
    }
  },
};

// ------------------------------------------------------------------------------------------------------------------
// IAM: no write action on "*"

/** Name prefixes of read-only IAM actions (`cloudwatch:GetMetricData`, `logs:Describe*`). */
const READ_ONLY_PREFIXES = ["describe", "get", "list", "batchget", "search", "query", "scan", "lookup", "filter"];
/** Read-only actions whose names do not say so; several (Logs Insights queries) only support Resource "*". */
const READ_ONLY_ACTIONS = new Set(["logs:startquery", "logs:stopquery", "logs:startlivetail", "logs:stoplivetail", "logs:testmetricfilter"]);

/** True for an action (or action pattern) that only reads: `logs:Describe*` yes, `s3:*`, `*`, `s3:Put*` no. */
export function isReadOnlyAction(action: string): boolean {
  const lower = action.trim().toLowerCase();
  if (READ_ONLY_ACTIONS.has(lower)) return true;
  const [service, name] = lower.split(":");
  if (!service || name === undefined || service.includes("*")) return false;
  // A pattern reads only when what precedes its first wildcard already names a read (`Get*`, not `G*`).
  const literal = name.split(/[*?]/)[0];
  return READ_ONLY_PREFIXES.some((prefix) => literal.startsWith(prefix));
}

/** `"*"`, or an ARN whose service is a wildcard (`arn:aws:*:...`). */
function isWildcardResource(resource: unknown): boolean {
  return typeof resource === "string" && (resource.trim() === "*" || /^arn:[^:]*:\*/.test(resource.trim()));
}

/** One way a policy document allows a write on every resource. */
export interface WildcardWrite {
  readonly statement: string;
  readonly actions: string[];
}

/** The Allow statements of an identity policy document that allow a non-read-only action on "*". */
export function wildcardWrites(document: unknown): WildcardWrite[] {
  const doc = isRecord(document) ? document : {};
  const found: WildcardWrite[] = [];
  asArray(doc.Statement).forEach((raw, index) => {
    if (!isRecord(raw) || raw.Effect !== "Allow") return;
    const statement = typeof raw.Sid === "string" && raw.Sid ? `"${raw.Sid}"` : `#${index + 1}`;
    // NotResource allows everything it does not list; no Resource at all is a trust policy (not an identity grant).
    const everyResource = raw.NotResource !== undefined || asArray(raw.Resource).some(isWildcardResource);
    if (!everyResource) return;
    if (raw.NotAction !== undefined) {
      found.push({ statement, actions: [`every action except ${asArray(raw.NotAction).join(", ")} (NotAction)`] });
      return;
    }
    const writes = asArray(raw.Action).filter((a): a is string => typeof a === "string" && !isReadOnlyAction(a));
    if (writes.length > 0) found.push({ statement, actions: writes });
  });
  return found;
}

/** CloudFormation resource types that carry inline identity policies, and where. */
const CFN_POLICY_HOLDERS = new Set(["AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group"]);
const CFN_POLICIES = new Set(["AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::IAM::RolePolicy", "AWS::IAM::UserPolicy", "AWS::IAM::GroupPolicy"]);

/** Every identity policy document of a CloudFormation template, with where it is. */
export function templatePolicyDocuments(template: unknown): Array<{ where: string; document: unknown }> {
  const resources = isRecord(template) && isRecord(template.Resources) ? template.Resources : {};
  const documents: Array<{ where: string; document: unknown }> = [];
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (!isRecord(resource)) continue;
    const properties = isRecord(resource.Properties) ? resource.Properties : {};
    if (typeof resource.Type === "string" && CFN_POLICY_HOLDERS.has(resource.Type)) {
      asArray(properties.Policies).forEach((policy, index) => {
        if (!isRecord(policy)) return;
        const name = typeof policy.PolicyName === "string" ? policy.PolicyName : `#${index + 1}`;
        documents.push({ where: `template resource ${logicalId}, policy ${name}`, document: parseJson(policy.PolicyDocument) });
      });
    }
    if (typeof resource.Type === "string" && CFN_POLICIES.has(resource.Type)) {
      documents.push({ where: `template resource ${logicalId}`, document: parseJson(properties.PolicyDocument) });
    }
  }
  return documents;
}

export const iamNoWildcardWrites: ResourceValidationPolicy = {
  name: "iam-no-write-on-wildcard-resource",
  description:
    'No IAM identity policy (role, user, group and managed policies, inline role policies, and the IAM resources of ' +
    'CloudFormation templates such as the member StackSet\'s MonitoringRole) has an Allow statement with a write action ' +
    '(anything but Describe/Get/List/... and the few read APIs that only support "*") on Resource "*". Resource ' +
    'policies (key, topic, queue, sink policies) are not identity policies: their "*" means the resource itself.',
  enforcementLevel: "mandatory",
  validateResource: (args, report) => {
    onlyFor(args, [TYPES.rolePolicy, TYPES.userPolicy, TYPES.groupPolicy, TYPES.iamPolicy, TYPES.role, TYPES.stackSet, TYPES.cfnStack]);
    const p = args.props as Props;
    const what = label(args.type, args.name);
    const fix = "Fix: scope Resource to the ARNs the actions need, or drop the actions.";
    const documents: Array<{ where: string; raw: unknown }> = [];
    if (args.type === TYPES.role) {
      asArray(p.inlinePolicies).forEach((policy, index) => {
        if (isRecord(policy)) documents.push({ where: `inline policy ${typeof policy.name === "string" ? policy.name : `#${index + 1}`}`, raw: policy.policy });
      });
    } else if (args.type === TYPES.stackSet || args.type === TYPES.cfnStack) {
      const body = p.templateBody;
      if (body === undefined) {
        report(`${what} has no templateBody${p.templateUrl !== undefined ? " (it uses templateUrl)" : ""}, so its IAM statements cannot be checked. Fix: pass the template inline as templateBody (JSON).`);
        return;
      }
      const template = parseJson(body);
      if (!isRecord(template)) {
        report(`${what} has a templateBody that is not JSON, so its IAM statements cannot be checked. Fix: render the template with JSON.stringify.`);
        return;
      }
      for (const { where, document } of templatePolicyDocuments(template)) documents.push({ where, raw: document });
    } else {
      documents.push({ where: "policy", raw: p.policy });
    }
    for (const { where, raw } of documents) {
      const document = parseJson(raw);
      if (!isRecord(document)) {
        report(`${what}: the ${where} is not a JSON policy document, so it cannot be checked. Fix: pass it as JSON.`);
        continue;
      }
      for (const write of wildcardWrites(document)) {
        report(`${what}: statement ${write.statement} of its ${where} allows ${write.actions.join(", ")} on Resource "*". ${fix}`);
      }
    }
  },
};

// ------------------------------------------------------------------------------------------------------------------
// Stack policies (they see outputs and the dependency graph)

function dependenciesOf(resource: PolicyResource, input: string, type: string): PolicyResource[] {
  return (resource.propertyDependencies[input] ?? []).filter((d) => d.type === type);
}

/** True when the EventBridge target delivers into a CloudWatch Logs log group. */
function targetsLogGroup(target: PolicyResource): boolean {
  if (dependenciesOf(target, "arn", TYPES.logGroup).length > 0) return true;
  const arn = (target.props as Props).arn;
  return typeof arn === "string" && /^arn:[^:]+:logs:[^:]*:[^:]*:log-group:/.test(arn);
}

export const auditRuleMatchesAlarmStateChanges: StackValidationPolicy = {
  name: "audit-rule-matches-alarm-state-changes",
  description:
    "The alarm audit trail exists and records what it promises: every EventBridge rule that delivers into a CloudWatch " +
    `Logs log group matches source "${ALARM_STATE_CHANGE.source}" AND detail-type "${ALARM_STATE_CHANGE.detailType}" ` +
    "on the default bus (matching the source alone also records configuration and contributor events).",
  enforcementLevel: "mandatory",
  validateStack: (args, report: ReportViolation) => {
    const rules = args.resources.filter((r) => r.type === TYPES.eventRule);
    const auditTargets = args.resources.filter((r) => r.type === TYPES.eventTarget && targetsLogGroup(r));
    if (auditTargets.length === 0) {
      report("No EventBridge rule delivers into a CloudWatch Logs log group, so alarm state changes are not audited. Fix: create the audit trail (lib/audit-trail.ts).");
      return;
    }
    for (const target of auditTargets) {
      const rule =
        dependenciesOf(target, "rule", TYPES.eventRule)[0] ?? rules.find((r) => (r.props as Props).name === (target.props as Props).rule);
      if (!rule) {
        report(`EventTarget "${target.name}" delivers into a log group, but its rule is not in this stack. Fix: create the rule with the audit trail (lib/audit-trail.ts).`, target.urn);
        continue;
      }
      const what = label(rule.type, rule.name);
      const p = rule.props as Props;
      const fix = `Fix: set eventPattern to JSON.stringify({ source: ["${ALARM_STATE_CHANGE.source}"], "detail-type": ["${ALARM_STATE_CHANGE.detailType}"] }).`;
      const bus = p.eventBusName;
      if (bus !== undefined && bus !== "default" && !(typeof bus === "string" && bus.endsWith(":event-bus/default"))) {
        report(`${what} listens on event bus "${String(bus)}"; alarm state changes arrive on the default bus. Fix: remove eventBusName.`, rule.urn);
      }
      const pattern = parseJson(p.eventPattern);
      if (!isRecord(pattern)) {
        report(`${what} has no JSON eventPattern, so it does not match alarm state changes. ${fix}`, rule.urn);
        continue;
      }
      const detailTypes = asArray(pattern["detail-type"]);
      if (detailTypes.length === 0) {
        report(`${what} does not match a detail-type, so it records every event of its source. ${fix}`, rule.urn);
      } else if (!detailTypes.includes(ALARM_STATE_CHANGE.detailType)) {
        report(`${what} matches detail-type ${JSON.stringify(detailTypes)}, not "${ALARM_STATE_CHANGE.detailType}". ${fix}`, rule.urn);
      }
      if (!asArray(pattern.source).includes(ALARM_STATE_CHANGE.source)) {
        report(`${what} matches source ${JSON.stringify(pattern.source ?? null)}, not "${ALARM_STATE_CHANGE.source}". ${fix}`, rule.urn);
      }
    }
  },
};

export const lambdaLogGroupsInStack: StackValidationPolicy = {
  name: "lambda-log-group-in-stack",
  description:
    `Every Lambda writes to a log group this stack creates (so it keeps ${LOG_RETENTION_DAYS} days and is destroyed with the ` +
    "stack) and depends on it; otherwise Lambda creates the group on first invocation, kept forever and left behind.",
  enforcementLevel: "mandatory",
  validateStack: (args, report: ReportViolation) => {
    const groups = args.resources.filter((r) => r.type === TYPES.logGroup);
    for (const fn of args.resources.filter((r) => r.type === TYPES.lambda)) {
      const p = fn.props as Props;
      const logging = isRecord(p.loggingConfig) ? p.loggingConfig : {};
      const groupName = nonEmptyString(logging.logGroup) ? logging.logGroup : `/aws/lambda/${String(p.name)}`;
      const what = label(fn.type, fn.name);
      const group = groups.find((g) => (g.props as Props).name === groupName);
      if (!group) {
        report(
          `${what} writes to log group "${groupName}", which this stack does not create: Lambda creates it on first invocation, ` +
            `kept forever. Fix: create aws.cloudwatch.LogGroup "${groupName}" with retentionInDays ${LOG_RETENTION_DAYS} and make the function depend on it.`,
          fn.urn,
        );
      } else if (!fn.dependencies.some((d) => d.urn === group.urn)) {
        report(
          `${what} does not depend on its log group "${groupName}": an invocation before the group exists creates it, and then ` +
            "creating the LogGroup fails. Fix: pass the log group in the function's dependsOn (or use its name output in loggingConfig).",
          fn.urn,
        );
      }
    }
  },
};

/** Every policy of the pack, in the order the README lists them. */
export const policies: Policies = [
  alarmsBreachAndNotify,
  logGroupRetention,
  customerManagedKeys,
  jiraLambdaMemory,
  lambdaNoPlaintextSecrets,
  physicalNamesCarrySuffix,
  nothingProtectedOrRetained,
  iamNoWildcardWrites,
  auditRuleMatchesAlarmStateChanges,
  lambdaLogGroupsInStack,
];
