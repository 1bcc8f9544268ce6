/**
 * Runs the real Pulumi program under the SDK's mocks and records every registration: type, name, parent,
 * dependencies (explicit `dependsOn` and implicit, through Output inputs), inputs and resource options.
 * The offline plan and the component tests share it, so what the tests prove is what the plan shows.
 *
 * `MockResourceArgs` carries neither parents nor dependencies (pulumi/pulumi#14421), so the recorder subclasses the
 * SDK's `MockMonitor` (a deep import; @pulumi/pulumi is pinned) and reads them off the raw request.
 */
import * as pulumi from "@pulumi/pulumi";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";

/** The account the mocked hub runs in (the account of the AWS sample payloads in ../shared/fixtures). */
export const MOCK_HUB_ACCOUNT_ID = "111122223333";
export const MOCK_PARTITION = "aws";

export interface ResourceOptionsRecord {
  readonly protect: boolean;
  readonly retainOnDelete: boolean;
  readonly ignoreChanges: string[];
  readonly deleteBeforeReplace: boolean;
}

export interface RecordedResource {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly custom: boolean;
  readonly parent: string | null;
  /** Every resource this one depends on: explicit and implicit. */
  readonly dependencies: string[];
  /** Input name -> the resources that input's value came from. */
  readonly propertyDependencies: Record<string, string[]>;
  /** Inputs as the engine would receive them; secret values stay wrapped (see {@link isSecretValue}). */
  readonly inputs: Record<string, unknown>;
  /** The mocked outputs. */
  readonly state: Record<string, unknown>;
  readonly options: ResourceOptionsRecord;
}

type Callback = (err: unknown, resp?: unknown) => void;

/** A protobuf RegisterResourceRequest, narrowed to what we read. */
interface RegisterRequest {
  getType(): string;
  getName(): string;
  getCustom(): boolean;
  getParent(): string;
  getObject(): unknown;
  getDependenciesList(): string[];
  getPropertydependenciesMap(): { forEach(fn: (v: { getUrnsList(): string[] }, k: string) => void): void };
  getProtect(): boolean;
  getRetainondelete(): boolean;
  getIgnorechangesList(): string[];
  getDeletebeforereplace(): boolean;
}

export class RecordingMonitor extends MockMonitor {
  /** Named apart from the base class's own `resources`, which the SDK reads back for outputs and lookups. */
  readonly recorded = new Map<string, RecordedResource>();

  /** Every recorded resource, components included, in the order the engine answered them. */
  all(): RecordedResource[] {
    return [...this.recorded.values()];
  }

  /** The custom resources (what a provider creates), without components. */
  custom(): RecordedResource[] {
    return this.all().filter((r) => r.custom);
  }

  /** Every resource of `type` (`aws:sns/topic:Topic`), in recording order. */
  ofType(type: string): RecordedResource[] {
    return this.all().filter((r) => r.type === type);
  }

  /** The one resource of `type`; throws unless exactly one was recorded. */
  one(type: string): RecordedResource {
    return exactlyOne(this.ofType(type), `of type ${type}`);
  }

  /** The one resource with the logical name `name`; throws unless exactly one was recorded. */
  named(name: string): RecordedResource {
    return exactlyOne(this.all().filter((r) => r.name === name), `named ${name}`);
  }

  async registerResource(req: RegisterRequest, callback: Callback): Promise<void> {
    const propertyDependencies: Record<string, string[]> = {};
    req.getPropertydependenciesMap().forEach((v, k) => {
      propertyDependencies[k] = v.getUrnsList();
    });
    const observed = {
      type: req.getType(),
      name: req.getName(),
      custom: req.getCustom(),
      parent: req.getParent() || null,
      dependencies: [...new Set(req.getDependenciesList())],
      propertyDependencies,
      inputs: pulumi.runtime.deserializeProperties(req.getObject() as never) as Record<string, unknown>,
      options: {
        protect: req.getProtect(),
        retainOnDelete: req.getRetainondelete(),
        ignoreChanges: req.getIgnorechangesList(),
        deleteBeforeReplace: req.getDeletebeforereplace(),
      },
    };
    return super.registerResource(req, (err: unknown, resp?: unknown) => {
      if (!err && resp) {
        const r = resp as { getUrn(): string; getObject(): unknown };
        const state = pulumi.runtime.deserializeProperties(r.getObject() as never) as Record<string, unknown>;
        this.recorded.set(r.getUrn(), { urn: r.getUrn(), ...observed, state });
      }
      callback(err, resp);
    });
  }
}

function exactlyOne(found: readonly RecordedResource[], what: string): RecordedResource {
  if (found.length !== 1) throw new Error(`expected exactly one resource ${what}, found ${found.length}`);
  return found[0];
}

/** How many of `resources` there are of each type, e.g. `{ "aws:sns/topic:Topic": 2 }`. */
export function countByType(resources: readonly RecordedResource[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of resources) counts[r.type] = (counts[r.type] ?? 0) + 1;
  return counts;
}

/**
 * The dependencies `resource` declares through `dependsOn` only: every dependency that no input's value brought in.
 * (One that is both explicit and implicit counts as implicit: the request does not tell them apart.)
 */
export function explicitDependencies(resource: RecordedResource): string[] {
  const implicit = new Set(Object.values(resource.propertyDependencies).flat());
  return resource.dependencies.filter((urn) => !implicit.has(urn));
}

/** True for a value the SDK serialized as a secret. */
export function isSecretValue(value: unknown): value is { value: unknown } {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as Record<string, unknown>)[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig
  );
}

const physicalNameKeys = ["name", "ruleName", "alarmName", "dashboardName", "functionName", "topicName"] as const;

function physicalName(args: pulumi.runtime.MockResourceArgs): string {
  for (const key of physicalNameKeys) {
    const v = args.inputs[key];
    if (typeof v === "string" && v.length > 0) return v;
  }
  return args.name;
}

/** Realistic ARNs per type: the IAM simulator rejects malformed ones (TOOLING.md 3). */
export function mockArn(type: string, name: string, region: string): string {
  const acct = MOCK_HUB_ACCOUNT_ID;
  const service = type.split(":")[1].split("/")[0];
  const uuid = "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0";
  switch (type) {
    case "aws:iam/role:Role":
      return `arn:${MOCK_PARTITION}:iam::${acct}:role/${name}`;
    case "aws:lambda/function:Function":
      return `arn:${MOCK_PARTITION}:lambda:${region}:${acct}:function:${name}`;
    case "aws:dynamodb/table:Table":
      return `arn:${MOCK_PARTITION}:dynamodb:${region}:${acct}:table/${name}`;
    case "aws:secretsmanager/secret:Secret":
      return `arn:${MOCK_PARTITION}:secretsmanager:${region}:${acct}:secret:${name}-Ab12Cd`;
    case "aws:kms/key:Key":
      return `arn:${MOCK_PARTITION}:kms:${region}:${acct}:key/${uuid}`;
    case "aws:kms/alias:Alias":
      return `arn:${MOCK_PARTITION}:kms:${region}:${acct}:${name}`;
    case "aws:cloudwatch/logGroup:LogGroup":
      return `arn:${MOCK_PARTITION}:logs:${region}:${acct}:log-group:${name}`;
    case "aws:cloudwatch/metricAlarm:MetricAlarm":
    case "aws:cloudwatch/compositeAlarm:CompositeAlarm":
      return `arn:${MOCK_PARTITION}:cloudwatch:${region}:${acct}:alarm:${name}`;
    case "aws:cloudwatch/eventRule:EventRule":
      return `arn:${MOCK_PARTITION}:events:${region}:${acct}:rule/${name}`;
    case "aws:cloudwatch/dashboard:Dashboard":
      return `arn:${MOCK_PARTITION}:cloudwatch::${acct}:dashboard/${name}`;
    case "aws:oam/sink:Sink":
      return `arn:${MOCK_PARTITION}:oam:${region}:${acct}:sink/${uuid}`;
    case "aws:cloudformation/stackSet:StackSet":
      return `arn:${MOCK_PARTITION}:cloudformation:${region}:${acct}:stackset/${name}:${uuid}`;
    default:
      return `arn:${MOCK_PARTITION}:${service}:${region}:${acct}:${name}`;
  }
}

/**
 * Mocks that answer only the invokes the program is expected to make, and throw on any other
 * (an echoing catch-all would let a test pass on `undefined`).
 */
export function hubMocks(region: string): pulumi.runtime.Mocks {
  return {
    newResource(args) {
      const name = physicalName(args);
      const arn = mockArn(args.type, name, region);
      const extra: Record<string, unknown> = {};
      if (args.type === "aws:sqs/queue:Queue") {
        extra.url = `https://sqs.${region}.amazonaws.com/${MOCK_HUB_ACCOUNT_ID}/${name}`;
      }
      if (args.type === "aws:kms/key:Key") extra.keyId = arn.split("/")[1];
      if (args.type === "aws:lambda/function:Function") extra.invokeArn = `${arn}/invocations`;
      return { id: `${name}-id`, state: { ...args.inputs, name, arn, ...extra } };
    },
    call(args) {
      switch (args.token) {
        case "aws:index/getCallerIdentity:getCallerIdentity":
          return {
            accountId: MOCK_HUB_ACCOUNT_ID,
            arn: `arn:${MOCK_PARTITION}:iam::${MOCK_HUB_ACCOUNT_ID}:user/deployer`,
            userId: "AIDAEXAMPLEDEPLOYER",
            id: MOCK_HUB_ACCOUNT_ID,
          };
        case "aws:index/getRegion:getRegion":
          return { name: region, region, id: region, description: region, endpoint: `ec2.${region}.amazonaws.com` };
        default:
          throw new Error(`unexpected invoke ${args.token}: answer it explicitly in scripts/recorder.ts`);
      }
    },
  };
}

export interface RecordOptions {
  readonly project: string;
  readonly stack: string;
  readonly region: string;
  /** Full keys (`monitoring-hub:memberAccountIds`) to string values, as the Pulumi engine passes them. */
  readonly config?: Record<string, string>;
  readonly secretKeys?: string[];
}

/**
 * Installs mocks and a fresh recorder, runs `program`, and waits for every registration to finish.
 * Returns the recorder and the program's result.
 */
export async function record<T>(program: () => T, options: RecordOptions): Promise<{ monitor: RecordingMonitor; result: T }> {
  const mocks = hubMocks(options.region);
  await pulumi.runtime.setMocks(mocks, options.project, options.stack, false);
  // setMocks turns on the engine features mocks support (secrets among them); swapping the monitor in resets them,
  // and without them secrets would reach the recorder as plaintext.
  const features = supportedFeatures();
  const monitor = new RecordingMonitor(mocks);
  pulumi.runtime.setMockOptions(monitor, options.project, options.stack, false);
  Object.assign(getStore(), features);
  pulumi.runtime.setAllConfig({ "aws:region": options.region, ...options.config }, options.secretKeys);
  const result = program();
  await settle();
  return { monitor, result };
}

/** The SDK's runtime store: exported at run time but internal (not in the .d.ts), like `waitForRPCs`. */
function getStore(): Record<string, unknown> {
  return (require("@pulumi/pulumi/runtime/state") as { getStore(): Record<string, unknown> }).getStore();
}

/** The engine features the store currently claims (`supportsSecrets`, ...). */
function supportedFeatures(): Record<string, boolean> {
  return Object.fromEntries(
    Object.entries(getStore()).filter((e): e is [string, boolean] => e[0].startsWith("supports") && typeof e[1] === "boolean"),
  );
}

/** Waits until every pending registration and invoke has been answered. */
export function settle(): Promise<void> {
  // `waitForRPCs` is exported at run time but marked internal (TOOLING.md 1).
  const settings = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };
  return settings.waitForRPCs();
}

/** Resolves an Output's value under mocks. */
export function valueOf<T>(output: pulumi.Input<T>): Promise<T> {
  return new Promise((resolve) => pulumi.output(output).apply((v) => resolve(v as T)));
}
