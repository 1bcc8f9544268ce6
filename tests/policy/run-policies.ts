/**
 * Runs CrossGuard policies offline against resources recorded from the real program under mocks (scripts/recorder.ts),
 * the way the policy pack's analyzer runs them for the Pulumi CLI (@pulumi/policy/server.js, TOOLING.md 2):
 *
 * - resource policies: once per recorded resource (components too), with `props` = the resource's inputs, secrets
 *   unwrapped, wrapped in @pulumi/policy's unknown-checking proxy; `opts` from the recorded options;
 * - stack policies: once, with every resource's mocked outputs as `props` and its parent, dependencies and property
 *   dependencies resolved from URNs to the resources themselves;
 * - `getConfig()` answers the policy's entry of `config` (what `--policy-pack-config` would pass);
 * - `notApplicable()` is caught and recorded, and reading an unknown value becomes an advisory, as in a preview.
 *
 * Two deliberate differences: the runner also passes `retainOnDelete` in `opts` (the analyzer protocol does not carry
 * it, see policy/policies.ts), and messages are kept apart from the policy description (the CLI joins them).
 */
import { unknownCheckingProxy, UnknownValueError } from "@pulumi/policy";
import type {
  Policies,
  PolicyResource,
  PolicyResourceOptions,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import { isSecretValue, type RecordedResource } from "../../scripts/recorder";

/** One violation: which policy, on which resource (none: the stack as a whole), and its message. */
export interface Violation {
  readonly policy: string;
  readonly urn?: string;
  /** Logical name of the resource at `urn`, for readable assertions. */
  readonly name?: string;
  readonly message: string;
}

export interface PolicyRun {
  /** Mandatory and advisory violations the policies reported. */
  readonly violations: Violation[];
  /** Policies that could not run on a resource because a value was unknown (a preview's advisory). */
  readonly unknown: Violation[];
  /** `policy name -> URNs (or "stack")` the policy declared itself not applicable to. */
  readonly notApplicable: Map<string, string[]>;
}

export interface RunOptions {
  /** Per-policy config, as `pulumi preview --policy-pack-config` would pass it: `{ "<policy>": { key: value } }`. */
  readonly config?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

/** What `args.notApplicable()` throws here; the pack's own server throws its (private) equivalent. */
class NotApplicable extends Error {
  constructor(readonly reason?: string) {
    super(reason ?? "Policy does not apply");
  }
}

function throwNotApplicable(reason?: string): never {
  throw new NotApplicable(reason);
}

/** The recorded value as the analyzer sees it: secrets unwrapped to their plaintext, undefined properties dropped. */
export function plain(value: unknown): unknown {
  if (isSecretValue(value)) return plain(value.value);
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = plain(v);
    return out;
  }
  return value;
}

function optionsOf(resource: RecordedResource): PolicyResourceOptions & { retainOnDelete: boolean } {
  return {
    protect: resource.options.protect,
    retainOnDelete: resource.options.retainOnDelete,
    ignoreChanges: [...resource.options.ignoreChanges],
    deleteBeforeReplace: resource.options.deleteBeforeReplace,
    aliases: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: [],
    ...(resource.parent ? { parent: resource.parent } : {}),
  };
}

/** `args.isType(aws.sns.Topic)` without loading @pulumi/aws here: resource classes carry their token. */
function isTypeOf(type: string): (resourceClass: unknown) => boolean {
  return (resourceClass) => (resourceClass as { __pulumiType?: string } | undefined)?.__pulumiType === type;
}

function isResourcePolicy(p: Policies[number]): p is ResourceValidationPolicy {
  return "validateResource" in p && p.validateResource !== undefined;
}

function isStackPolicy(p: Policies[number]): p is StackValidationPolicy {
  return "validateStack" in p && typeof p.validateStack === "function";
}

/** The stack policies' view of the recording: outputs as props, the graph resolved to objects. */
export function policyResources(recorded: readonly RecordedResource[]): PolicyResource[] {
  const byUrn = new Map<string, PolicyResource>();
  const out = recorded.map((r) => {
    const props = unknownCheckingProxy(plain(r.state)) as Record<string, unknown>;
    const resource: PolicyResource = {
      type: r.type,
      name: r.name,
      urn: r.urn,
      props,
      opts: optionsOf(r),
      dependencies: [],
      propertyDependencies: {},
      isType: isTypeOf(r.type) as PolicyResource["isType"],
      asType: ((cls: unknown) => (isTypeOf(r.type)(cls) ? props : undefined)) as PolicyResource["asType"],
    };
    byUrn.set(r.urn, resource);
    return resource;
  });
  const resolve = (urns: readonly string[]) => urns.map((u) => byUrn.get(u)).filter((x): x is PolicyResource => x !== undefined);
  recorded.forEach((r, i) => {
    const resource = out[i];
    if (r.parent && byUrn.has(r.parent)) resource.parent = byUrn.get(r.parent);
    resource.dependencies = resolve(r.dependencies);
    for (const [input, urns] of Object.entries(r.propertyDependencies)) resource.propertyDependencies[input] = resolve(urns);
  });
  return out;
}

/** Runs every policy that is not disabled against `recorded`. */
export async function runPolicies(policies: Policies, recorded: readonly RecordedResource[], options: RunOptions = {}): Promise<PolicyRun> {
  const run: PolicyRun = { violations: [], unknown: [], notApplicable: new Map() };
  const nameOf = new Map(recorded.map((r) => [r.urn, r.name]));
  const notApplicable = (policy: string, where: string) => run.notApplicable.set(policy, [...(run.notApplicable.get(policy) ?? []), where]);
  const stackTags: ReadonlyMap<string, string> = new Map();

  for (const policy of policies) {
    if (policy.enforcementLevel === "disabled") continue;
    const getConfig = <T extends object>() => (options.config?.[policy.name] ?? {}) as T;
    const attempt = async (where: string, validate: () => Promise<void> | void) => {
      try {
        await validate();
      } catch (e) {
        if (e instanceof NotApplicable) notApplicable(policy.name, where);
        else if (e instanceof UnknownValueError) {
          run.unknown.push({ policy: policy.name, urn: where, name: nameOf.get(where), message: (e as Error).message });
        } else throw e;
      }
    };

    if (isResourcePolicy(policy)) {
      const validations = [policy.validateResource ?? []].flat();
      for (const r of recorded) {
        for (const validate of validations) {
          const props = unknownCheckingProxy(plain(r.inputs)) as Record<string, unknown>;
          const args: ResourceValidationArgs = {
            type: r.type,
            name: r.name,
            urn: r.urn,
            props,
            opts: optionsOf(r),
            stackTags,
            isType: isTypeOf(r.type) as ResourceValidationArgs["isType"],
            asType: ((cls: unknown) => (isTypeOf(r.type)(cls) ? props : undefined)) as ResourceValidationArgs["asType"],
            getConfig,
            notApplicable: throwNotApplicable,
          };
          // Resource policies report on the resource they validate, whatever URN they pass.
          await attempt(r.urn, () => validate(args, (message) => run.violations.push({ policy: policy.name, urn: r.urn, name: r.name, message })));
        }
      }
    }

    if (isStackPolicy(policy)) {
      const args: StackValidationArgs = { resources: policyResources(recorded), stackTags, getConfig, notApplicable: throwNotApplicable };
      await attempt("stack", () =>
        policy.validateStack(args, (message, urn) =>
          run.violations.push({ policy: policy.name, ...(urn ? { urn, name: nameOf.get(urn) } : {}), message }),
        ),
      );
    }
  }
  return run;
}
