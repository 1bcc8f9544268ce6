import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { mockClient } from "aws-sdk-client-mock";
import { authorizationHeader, JiraCredentialsSource, parseJiraSecret } from "../../lambda_functions/jira-handler/credentials";
import { CredentialsError } from "../../lambda_functions/jira-handler/errors";

const ARN = "arn:aws:secretsmanager:us-east-1:111122223333:secret:jira-AbCdEf";
const secrets = mockClient(SecretsManagerClient);
const client = new SecretsManagerClient({ region: "us-east-1" });

beforeEach(() => secrets.reset());

describe("parseJiraSecret", () => {
  it("reads the cloud shape", () => {
    expect(parseJiraSecret('{"email":"ops@example.com","apiToken":"tok"}', "cloud", ARN)).toEqual({ kind: "cloud", email: "ops@example.com", apiToken: "tok" });
  });

  it("reads the datacenter shape", () => {
    expect(parseJiraSecret('{"personalAccessToken":"pat"}', "datacenter", ARN)).toEqual({ kind: "datacenter", personalAccessToken: "pat" });
  });

  it.each([
    ["a missing field", '{"email":"ops@example.com"}', "cloud", `JIRA secret ${ARN} has no non-empty string "apiToken"; JIRA_API=cloud expects {"email": "...", "apiToken": "..."}.`],
    ["an empty field", '{"personalAccessToken":" "}', "datacenter", `JIRA secret ${ARN} has no non-empty string "personalAccessToken"; JIRA_API=datacenter expects {"personalAccessToken": "..."}.`],
    ["the other API's shape", '{"personalAccessToken":"s3cr3t-pat"}', "cloud", `JIRA secret ${ARN} has no non-empty string "email"; JIRA_API=cloud expects {"email": "...", "apiToken": "..."}.`],
    ["a plain token", "s3cr3t-token", "cloud", `JIRA secret ${ARN} is not JSON; JIRA_API=cloud expects {"email": "...", "apiToken": "..."}.`],
    ["a JSON string", '"s3cr3t"', "datacenter", `JIRA secret ${ARN} is not a JSON object; JIRA_API=datacenter expects {"personalAccessToken": "..."}.`],
  ] as const)("rejects %s naming the field, never the value", (_case, secret, api, message) => {
    const attempt = () => parseJiraSecret(secret, api, ARN);

    expect(attempt).toThrow(CredentialsError);
    expect(attempt).toThrow(message);
  });
});

describe("authorizationHeader", () => {
  it("is Basic base64(email:apiToken) for cloud and Bearer PAT for datacenter", () => {
    expect(authorizationHeader({ kind: "cloud", email: "a@b.c", apiToken: "t" })).toBe(`Basic ${Buffer.from("a@b.c:t").toString("base64")}`);
    expect(authorizationHeader({ kind: "datacenter", personalAccessToken: "p" })).toBe("Bearer p");
  });
});

describe("JiraCredentialsSource", () => {
  it("reads the secret once and serves warm invocations from the cache", async () => {
    secrets.on(GetSecretValueCommand, { SecretId: ARN }).resolves({ SecretString: '{"email":"e@x","apiToken":"t"}' });
    const source = new JiraCredentialsSource(async () => client, ARN, "cloud");

    await source.get();
    const second = await source.get();

    expect(second).toEqual({ kind: "cloud", email: "e@x", apiToken: "t" });
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  it("re-reads after invalidate(), so a rotated token is picked up", async () => {
    secrets
      .on(GetSecretValueCommand)
      .resolvesOnce({ SecretString: '{"personalAccessToken":"old"}' })
      .resolvesOnce({ SecretString: '{"personalAccessToken":"new"}' });
    const source = new JiraCredentialsSource(async () => client, ARN, "datacenter");

    await source.get();
    source.invalidate();

    expect(await source.get()).toEqual({ kind: "datacenter", personalAccessToken: "new" });
  });

  it("does not cache a failure", async () => {
    secrets
      .on(GetSecretValueCommand)
      .rejectsOnce(Object.assign(new Error("Secrets Manager can't find the specified secret."), { name: "ResourceNotFoundException" }))
      .resolvesOnce({ SecretString: '{"personalAccessToken":"p"}' });
    const source = new JiraCredentialsSource(async () => client, ARN, "datacenter");

    await expect(source.get()).rejects.toThrow(`Cannot read JIRA secret ${ARN}: ResourceNotFoundException: Secrets Manager can't find the specified secret.`);
    expect(await source.get()).toEqual({ kind: "datacenter", personalAccessToken: "p" });
  });

  it("explains a secret that has no string value yet", async () => {
    secrets.on(GetSecretValueCommand).resolves({});
    const source = new JiraCredentialsSource(async () => client, ARN, "cloud");

    await expect(source.get()).rejects.toThrow(
      `JIRA secret ${ARN} has no SecretString (a binary secret or no value yet); put {"email": "...", "apiToken": "..."}.`,
    );
  });
});
