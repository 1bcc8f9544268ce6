/** The SNS client and Publish, and nothing else of the package (see aws-secrets-manager.ts for why). */
export { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
