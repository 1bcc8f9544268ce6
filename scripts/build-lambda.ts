/** `npm run build`: bundles the JIRA Lambda to dist/lambda/jira-handler/index.js (CommonJS, exports `handler`). */
import { writeJiraHandlerBundle } from "../lib/lambda-bundle";

const bundle = writeJiraHandlerBundle();
process.stdout.write(`${bundle.file}: ${bundle.code.length} bytes, sha256 ${bundle.sha256}\n`);
