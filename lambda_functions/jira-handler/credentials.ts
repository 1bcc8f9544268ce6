import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { JiraApi } from "./config";
import { CredentialsError } from "./errors";

/** The JIRA credential, per DESIGN.md's secret shapes. */
export type JiraCredentials =
  | { readonly kind: "cloud"; readonly email: string; readonly apiToken: string }
  | { readonly kind: "datacenter"; readonly personalAccessToken: string };

const EXPECTED: Record<JiraApi, string> = {
  cloud: '{"email": "...", "apiToken": "..."}',
  datacenter: '{"personalAccessToken": "..."}',
};

/**
 * Validates the secret's JSON for the configured API. Messages name the secret and the missing field, never a value
 * (JSON.parse's own message quotes the input, so it is not passed on).
 */
export function parseJiraSecret(secretString: string, api: JiraApi, secretId: string): JiraCredentials {
  let parsed: unknown;
  try {
    parsed = JSON.parse(secretString);
  } catch {
    throw new CredentialsError(`JIRA secret ${secretId} is not JSON; JIRA_API=${api} expects ${EXPECTED[api]}.`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new CredentialsError(`JIRA secret ${secretId} is not a JSON object; JIRA_API=${api} expects ${EXPECTED[api]}.`);
  }
  const fields = parsed as Record<string, unknown>;
  const need = (name: string): string => {
    const value = fields[name];
    if (typeof value !== "string" || value.trim() === "") {
      throw new CredentialsError(`JIRA secret ${secretId} has no non-empty string "${name}"; JIRA_API=${api} expects ${EXPECTED[api]}.`);
    }
    return value.trim();
  };
  return api === "cloud"
    ? { kind: "cloud", email: need("email"), apiToken: need("apiToken") }
    : { kind: "datacenter", personalAccessToken: need("personalAccessToken") };
}

/** Cloud: Basic base64(email:apiToken); Data Center: Bearer PAT (FACTS 55). */
export function authorizationHeader(credentials: JiraCredentials): string {
  return credentials.kind === "cloud"
    ? `Basic ${Buffer.from(`${credentials.email}:${credentials.apiToken}`, "utf8").toString("base64")}`
    : `Bearer ${credentials.personalAccessToken}`;
}

/**
 * Reads the secret once per warm container. A failed read is not cached, and `invalidate()` (after JIRA answers
 * 401/403) makes the next use re-read it, so a rotated token is picked up without a redeploy.
 */
export class JiraCredentialsSource {
  #pending: Promise<JiraCredentials> | undefined;

  constructor(
    private readonly client: () => Promise<SecretsManagerClient>,
    private readonly secretId: string,
    private readonly api: JiraApi,
  ) {}

  get(): Promise<JiraCredentials> {
    if (this.#pending === undefined) {
      const pending = this.#load();
      this.#pending = pending;
      pending.catch(() => {
        if (this.#pending === pending) this.#pending = undefined;
      });
    }
    return this.#pending;
  }

  invalidate(): void {
    this.#pending = undefined;
  }

  async #load(): Promise<JiraCredentials> {
    const { GetSecretValueCommand } = await import("./aws-secrets-manager");
    const client = await this.client();
    let secretString: string | undefined;
    try {
      secretString = (await client.send(new GetSecretValueCommand({ SecretId: this.secretId }))).SecretString;
    } catch (error) {
      const e = error as Error;
      throw new CredentialsError(`Cannot read JIRA secret ${this.secretId}: ${e.name}: ${e.message}`);
    }
    if (secretString === undefined) {
      throw new CredentialsError(`JIRA secret ${this.secretId} has no SecretString (a binary secret or no value yet); put ${EXPECTED[this.api]}.`);
    }
    return parseJiraSecret(secretString, this.api, this.secretId);
  }
}
