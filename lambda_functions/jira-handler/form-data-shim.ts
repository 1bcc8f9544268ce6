/**
 * Stands in for the `form-data` package in the bundle (lib/lambda-bundle.ts aliases it here). axios's Node build
 * imports it for multipart uploads, which the handler never sends, and it drags in mime-db: 137 KB of the bundle.
 * Node's own FormData keeps axios's form detection working.
 */
const NodeFormData = globalThis.FormData;
export default NodeFormData;
