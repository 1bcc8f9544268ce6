/** The Secrets Manager client and GetSecretValue, and nothing else of the package (see aws-dynamodb.ts for why). */
export { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
