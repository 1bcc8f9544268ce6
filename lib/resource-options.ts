import type * as pulumi from "@pulumi/pulumi";

/**
 * `opts` with `extra` added to its `dependsOn`, keeping whatever the caller already made the resource depend on
 * (a plain `{ ...opts, dependsOn }` would silently drop it). The SDK flattens nested arrays, promises and outputs in
 * `dependsOn`, so any form the caller used can be nested as one element.
 */
export function withDependsOn(opts: pulumi.CustomResourceOptions, extra: readonly pulumi.Resource[]): pulumi.CustomResourceOptions {
  if (opts.dependsOn === undefined) return { ...opts, dependsOn: [...extra] };
  return { ...opts, dependsOn: [opts.dependsOn as pulumi.Input<pulumi.Resource>, ...extra] };
}
