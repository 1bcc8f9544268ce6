/**
 * The Secrets Manager client and GetSecretValue, and nothing else of the package. The handler loads this module with
 * `import()` on first use, and `import()` of the package itself would take all of it: every command, its schema and
 * error class, built on first use and kept in the 128 MB function's heap. Named re-exports let esbuild keep only these.
 */
export { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
